//! Queries on incidents, acknowledgements and timeline events.

use std::collections::BTreeMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::cause::PriorityChange;
use super::changes::{self, Change};
use super::model::{
    Cause, EventType, Incident, IncidentStatus, Payload, Priority, SourceType, TimelineEvent,
    UserName,
};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{IncidentId, OrgId, UserId};
use crate::store::filter::{Order, Where};
use crate::store::signals::{self, Subject};
use crate::store::time::{from_db, opt_from_db, to_db};

pub struct NewIncident<'a> {
    pub org_id: OrgId,
    pub source_type: SourceType,
    pub source_id: Option<&'a str>,
    pub title: &'a str,
    pub status: IncidentStatus,
    pub priority: Priority,
    pub cause: Option<&'a Cause>,
    pub metadata: &'a BTreeMap<String, String>,
    pub created_by: Option<UserId>,
}

/// Inserts an incident with its `creation` event. The unique index refuses a second open
/// incident for the same source.
pub fn insert(conn: &Connection, new: &NewIncident<'_>, now: Timestamp) -> Result<IncidentId> {
    let id = IncidentId::generate();
    let metadata = serde_json::to_string(new.metadata).expect("strings serialize");
    conn.prepare_cached(
        "INSERT INTO incidents (id, organization_id, source_type, source_id, title, status, priority, cause, metadata,
                                created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        new.org_id,
        new.source_type,
        new.source_id,
        new.title,
        new.status,
        new.priority,
        new.cause.map(Cause::to_json),
        metadata,
        new.created_by,
        to_db(now)
    ])
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Error::conflict("incident_already_open", "this source already has an open incident")
        }
        _ => e.into(),
    })?;
    add_event(conn, id, now, new.created_by, EventType::Creation, None)?;
    let change = Change {
        incident: id,
        org: new.org_id,
        before: None,
        after: new.status,
        acknowledged: false,
    };
    changes::emit(conn, &change, now)?;
    Ok(id)
}

/// A source's open (unresolved) incident.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenIncident {
    pub id: IncidentId,
    pub status: IncidentStatus,
    pub cause: Option<Cause>,
}

pub fn open_for_source(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: &str,
) -> Result<Option<OpenIncident>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status, cause FROM incidents
             WHERE organization_id = ?1 AND source_type = ?2 AND source_id = ?3
               AND status IN ('tobeconfirmed', 'ongoing')",
        )?
        .query_row(params![org, source_type, source_id], |r| {
            let cause: Option<String> = r.get(2)?;
            Ok(OpenIncident {
                id: r.get(0)?,
                status: r.get(1)?,
                cause: cause.as_deref().and_then(Cause::from_json),
            })
        })
        .optional()?)
}

/// When the source's latest incident opened, if it ever had one.
pub fn last_opened_at(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: &str,
) -> Result<Option<Timestamp>> {
    let ms: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(created_at) FROM incidents WHERE organization_id = ?1 AND source_type = ?2
               AND source_id = ?3",
        )?
        .query_row(params![org, source_type, source_id], |r| r.get(0))?;
    Ok(ms.map(crate::store::time::from_db))
}

/// The ongoing incidents of a source, under any of the source types meaning it.
pub fn ongoing_for_source(
    conn: &Connection,
    org: OrgId,
    source_types: &[SourceType],
    source_id: &str,
) -> Result<Vec<IncidentId>> {
    let mut found = Vec::new();
    for source_type in source_types {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM incidents WHERE organization_id = ?1 AND source_type = ?2
               AND source_id = ?3 AND status = 'ongoing'",
        )?;
        let ids = stmt.query_map(params![org, source_type, source_id], |r| r.get(0))?;
        found.extend(ids.collect::<rusqlite::Result<Vec<IncidentId>>>()?);
    }
    Ok(found)
}

/// Deletes a source's incidents with their timelines (the source itself is deleted).
pub fn delete_for_source(
    conn: &Connection,
    source_types: &[SourceType],
    source_id: &str,
) -> Result<()> {
    for source_type in source_types {
        conn.prepare_cached("DELETE FROM incidents WHERE source_type = ?1 AND source_id = ?2")?
            .execute(params![source_type, source_id])?;
    }
    Ok(())
}

/// The organization's ongoing incidents.
pub fn ongoing(conn: &Connection, org: OrgId) -> Result<Vec<IncidentId>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM incidents WHERE organization_id = ?1 AND status = 'ongoing'",
        )?
        .query_map([org], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// An incident's status, and whether anyone acknowledged it.
pub fn status_of(conn: &Connection, id: IncidentId) -> Result<Option<(IncidentStatus, bool)>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, EXISTS (SELECT 1 FROM incident_acknowledgements WHERE incident_id = ?1)
             FROM incidents WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// An incident's organization and source, whatever its organization.
pub fn source_of(
    conn: &Connection,
    id: IncidentId,
) -> Result<Option<(OrgId, SourceType, Option<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT organization_id, source_type, source_id FROM incidents WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Moves an incident to `status`, recording who and when on the timeline.
pub fn set_status(
    conn: &Connection,
    id: IncidentId,
    status: IncidentStatus,
    user: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let (org, before): (OrgId, IncidentStatus) = conn
        .prepare_cached("SELECT organization_id, status FROM incidents WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let resolved_at = (status == IncidentStatus::Resolved).then(|| to_db(now));
    conn.prepare_cached("UPDATE incidents SET status = ?2, resolved_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, resolved_at])?;
    let change = Change {
        incident: id,
        org,
        before: Some(before),
        after: status,
        acknowledged: false,
    };
    changes::emit(conn, &change, now)?;
    let event = match status {
        IncidentStatus::Resolved => EventType::Resolution,
        _ => EventType::Confirmation,
    };
    add_event(conn, id, now, user, event, None).map(drop)
}

/// Drops an unconfirmed incident and its timeline: the blip never became an outage. One that
/// people already acknowledged or commented on is resolved instead, keeping what they wrote.
pub fn discard(conn: &Connection, id: IncidentId, now: Timestamp) -> Result<()> {
    let touched: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM incident_events WHERE incident_id = ?1 AND user_id IS NOT NULL)")?
        .query_row([id], |r| r.get(0))?;
    if touched {
        return set_status(conn, id, IncidentStatus::Resolved, None, now);
    }
    let org: Option<OrgId> = conn
        .prepare_cached("SELECT organization_id FROM incidents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    conn.prepare_cached("DELETE FROM incidents WHERE id = ?1 AND status = 'tobeconfirmed'")?
        .execute([id])?;
    if let Some(org) = org {
        signals::changed(org, Subject::Incidents);
    }
    Ok(())
}

pub fn update_cause(conn: &Connection, id: IncidentId, cause: &Cause) -> Result<()> {
    conn.prepare_cached("UPDATE incidents SET cause = ?2 WHERE id = ?1")?
        .execute(params![id, cause.to_json()])?;
    Ok(())
}

/// Whether dependents' failures were folded into this incident (`note_dependent`).
pub fn holds_dependents(conn: &Connection, incident: IncidentId) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM incident_events WHERE incident_id = ?1
             AND event_type = 'dependentsuppressed')",
        )?
        .query_row([incident], |r| r.get(0))?)
}

/// Notes on `incident` (an upstream's) that `dependent` failed without opening its own: once
/// per dependent and incident, however many checks fail meanwhile.
pub fn note_dependent(
    conn: &Connection,
    incident: IncidentId,
    dependent: &super::cause::DependentAffected,
    now: Timestamp,
) -> Result<()> {
    let noted: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM incident_events WHERE incident_id = ?1
             AND event_type = 'dependentsuppressed' AND json_extract(payload, '$.sourceType') = ?2
             AND json_extract(payload, '$.sourceId') = ?3)",
        )?
        .query_row(
            params![incident, dependent.source_type, dependent.source_id],
            |r| r.get(0),
        )?;
    if !noted {
        let payload = Payload::Dependent(dependent.clone());
        add_event(
            conn,
            incident,
            now,
            None,
            EventType::DependentSuppressed,
            Some(&payload),
        )?;
    }
    Ok(())
}

pub fn add_event(
    conn: &Connection,
    id: IncidentId,
    now: Timestamp,
    user: Option<UserId>,
    event_type: EventType,
    payload: Option<&Payload>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO incident_events (incident_id, created_at, user_id, event_type, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, to_db(now), user, event_type.as_str(), payload.map(Payload::to_json)])?;
    let event = conn.last_insert_rowid();
    // An incident page shows its timeline live.
    let org: Option<OrgId> = conn
        .prepare_cached("SELECT organization_id FROM incidents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(org) = org {
        signals::changed(org, Subject::Incidents);
    }
    Ok(event)
}

/// Records `user`'s acknowledgement; false if they had already acknowledged.
pub fn acknowledge(
    conn: &Connection,
    id: IncidentId,
    user: UserId,
    now: Timestamp,
) -> Result<bool> {
    let added = conn
        .prepare_cached("INSERT OR IGNORE INTO incident_acknowledgements (incident_id, user_id, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![id, user, to_db(now)])?
        == 1;
    if added {
        add_event(conn, id, now, Some(user), EventType::Acknowledged, None)?;
        let (org, status): (OrgId, IncidentStatus) = conn
            .prepare_cached("SELECT organization_id, status FROM incidents WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let change = Change {
            incident: id,
            org,
            before: Some(status),
            after: status,
            acknowledged: true,
        };
        changes::emit(conn, &change, now)?;
    }
    Ok(added)
}

pub fn set_priority(
    conn: &Connection,
    id: IncidentId,
    priority: Priority,
    user: UserId,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached("UPDATE incidents SET priority = ?2 WHERE id = ?1")?
        .execute(params![id, priority])?;
    add_event(
        conn,
        id,
        now,
        Some(user),
        EventType::PriorityChanged,
        Some(&Payload::PriorityChanged(PriorityChange { priority })),
    )
    .map(drop)
}

pub(super) const COLUMNS: &str =
    "i.id, i.organization_id, i.title, i.status, i.priority, i.source_type, i.source_id, i.cause,
    i.metadata, i.created_at, i.resolved_at, i.created_by, cu.first_name, cu.last_name";
pub(super) const FROM: &str = "FROM incidents i LEFT JOIN users cu ON cu.id = i.created_by";

pub(super) fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<Incident> {
    let cause: Option<String> = r.get(7)?;
    let metadata: String = r.get(8)?;
    let created_by: Option<UserId> = r.get(11)?;
    Ok(Incident {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        title: r.get(2)?,
        status: r.get(3)?,
        priority: r.get(4)?,
        incident_source_type: r.get(5)?,
        incident_source_id: r.get(6)?,
        cause: cause.as_deref().and_then(Cause::from_json),
        metadata: serde_json::from_str(&metadata).unwrap_or_default(),
        created_by: match created_by {
            Some(id) => Some(UserName {
                id,
                first_name: r.get(12)?,
                last_name: r.get(13)?,
            }),
            None => None,
        },
        acknowledged_by: Vec::new(),
        created_at: from_db(r.get(9)?),
        resolved_at: opt_from_db(r.get(10)?),
    })
}

pub(super) fn with_acknowledgements(conn: &Connection, mut incident: Incident) -> Result<Incident> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.first_name, u.last_name FROM incident_acknowledgements a JOIN users u ON u.id = a.user_id
         WHERE a.incident_id = ?1 ORDER BY a.created_at",
    )?;
    let users = stmt.query_map([incident.id], |r| {
        Ok(UserName {
            id: r.get(0)?,
            first_name: r.get(1)?,
            last_name: r.get(2)?,
        })
    })?;
    incident.acknowledged_by = users.collect::<rusqlite::Result<_>>()?;
    Ok(incident)
}

/// An incident of `org` (another organization's is "not found").
pub fn get(conn: &Connection, org: OrgId, id: IncidentId) -> Result<Option<Incident>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE i.id = ?1 AND i.organization_id = ?2");
    let found = conn
        .prepare_cached(&sql)?
        .query_row(params![id, org], incident_from_row)
        .optional()?;
    found.map(|i| with_acknowledgements(conn, i)).transpose()
}

/// Filters of `GET /incidents` (and of its bulk actions).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub statuses: Vec<IncidentStatus>,
    pub priorities: Vec<Priority>,
    pub source_type: Option<SourceType>,
    pub source_id: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// key → accepted values (AND across keys, OR within one).
    pub metadata: BTreeMap<String, Vec<String>>,
    /// Text found (case-insensitively) in the title or the source's current name.
    pub search: Option<String>,
    /// One of [`SORTS`]; default newest first.
    pub order: Order,
    pub offset: u32,
    pub limit: u32,
}

/// What a list of incidents may be ordered by.
pub const SORTS: [(&str, &str); 5] = [
    ("createdAt", "i.created_at"),
    // By urgency: emergency first when descending.
    (
        "priority",
        "CASE i.priority WHEN 'emergency' THEN 6 WHEN 'critical' THEN 5 WHEN 'major' THEN 4 \
         WHEN 'minor' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END",
    ),
    ("title", "i.title COLLATE NOCASE"),
    // The life of an incident: to be confirmed, ongoing, resolved.
    (
        "status",
        "CASE i.status WHEN 'tobeconfirmed' THEN 1 WHEN 'ongoing' THEN 2 ELSE 3 END",
    ),
    ("resolvedAt", "i.resolved_at"),
];

fn matching(conn: &Connection, org: OrgId, f: &Filter) -> Result<Where> {
    let mut w = Where::default();
    w.and("i.organization_id = ?", [SqlValue::Text(org.to_string())]);
    w.any_of("i.status", f.statuses.iter().map(|s| s.as_str()));
    w.any_of("i.priority", f.priorities.iter().map(|p| p.as_str()));
    w.any_of("i.source_type", f.source_type.iter().map(|s| s.as_str()));
    if let Some(id) = &f.source_id {
        w.and("i.source_id = ?", [SqlValue::Text(id.clone())]);
    }
    if let Some(from) = f.from {
        w.and("i.created_at >= ?", [SqlValue::Integer(to_db(from))]);
    }
    if let Some(to) = f.to {
        w.and("i.created_at <= ?", [SqlValue::Integer(to_db(to))]);
    }
    w.metadata("i.metadata", &f.metadata);
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // Sources are named by their features; those whose name matches come back as ids.
        let named = super::source::named(conn, org, text)?;
        let named = serde_json::to_string(&named).expect("strings serialize");
        w.contains_or(
            &["i.title"],
            text,
            "EXISTS (SELECT 1 FROM json_each(?) s WHERE json_extract(s.value, '$[0]') = i.source_type
                AND json_extract(s.value, '$[1]') = i.source_id)",
            SqlValue::Text(named),
        );
    }
    Ok(w)
}

/// One page of incidents, the organization's total, and the number matching the filter.
pub fn list(conn: &Connection, org: OrgId, f: &Filter) -> Result<crate::store::Page<Incident>> {
    let w = matching(conn, org, f)?;
    let filtered = w.count(conn, "incidents i")?;
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM incidents WHERE organization_id = ?1",
        [org],
        |r| r.get(0),
    )?;
    let order = f.order.sql("i.created_at", "i.id");
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE {} ORDER BY {order} LIMIT ? OFFSET ?",
        w.sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        rusqlite::params_from_iter(w.args_with_page(f.limit, f.offset)),
        incident_from_row,
    )?;
    let incidents = rows
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|i| with_acknowledgements(conn, i))
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::store::Page {
        items: incidents,
        total,
        filtered,
    })
}

/// The ids of at most `limit` incidents matching the filter (its order and page ignored), for
/// bulk actions.
pub fn matching_ids(
    conn: &Connection,
    org: OrgId,
    f: &Filter,
    limit: usize,
) -> Result<Vec<IncidentId>> {
    Ok(matching(conn, org, f)?.ids(conn, "incidents i", "i.id", limit)?)
}

pub fn count_ongoing(conn: &Connection, org: OrgId) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM incidents WHERE organization_id = ?1 AND status = 'ongoing'",
        )?
        .query_row([org], |r| r.get(0))?)
}

/// The timeline of an incident, oldest first; `from_event` skips events before that id.
pub fn events(
    conn: &Connection,
    id: IncidentId,
    from_event: i64,
    offset: u32,
    limit: u32,
) -> Result<Vec<TimelineEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.incident_id, e.created_at, e.event_type, e.payload, e.user_id, u.first_name, u.last_name
         FROM incident_events e LEFT JOIN users u ON u.id = e.user_id
         WHERE e.incident_id = ?1 AND e.id >= ?4 ORDER BY e.id LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt.query_map(params![id, limit, offset, from_event], |r| {
        let event_type: String = r.get(3)?;
        let payload: Option<String> = r.get(4)?;
        let user: Option<UserId> = r.get(5)?;
        Ok(TimelineEvent {
            id: r.get(0)?,
            incident_id: r.get(1)?,
            created_at: from_db(r.get(2)?),
            event_type: EventType::parse(&event_type).unwrap_or(EventType::Comment),
            user: match user {
                Some(id) => Some(UserName {
                    id,
                    first_name: r.get(6)?,
                    last_name: r.get(7)?,
                }),
                None => None,
            },
            payload: payload.as_deref().and_then(Payload::from_json),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
