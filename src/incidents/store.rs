//! Queries on incidents, acknowledgements and timeline events.

use std::collections::BTreeMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

use super::model::{
    EventType, Incident, IncidentStatus, Priority, SourceType, TimelineEvent, UserName,
};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{IncidentId, OrgId, UserId};
use crate::notify::model::NotificationEvent;
use crate::notify::outbox;
use crate::store::filter::Where;
use crate::store::time::{from_db, opt_from_db, to_db};

pub struct NewIncident<'a> {
    pub org_id: OrgId,
    pub source_type: SourceType,
    pub source_id: Option<&'a str>,
    pub title: &'a str,
    pub status: IncidentStatus,
    pub priority: Priority,
    pub cause: Option<&'a Value>,
    pub metadata: &'a BTreeMap<String, String>,
    pub created_by: Option<UserId>,
}

fn json_text(v: &Value) -> String {
    v.to_string()
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
        new.cause.map(json_text),
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
    if new.status == IncidentStatus::Ongoing {
        outbox::opened(conn, id, now)?;
    }
    Ok(id)
}

/// The open (unresolved) incident of a source: id, status and cause.
pub fn open_for_source(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: &str,
) -> Result<Option<(IncidentId, IncidentStatus, Option<Value>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status, cause FROM incidents
             WHERE organization_id = ?1 AND source_type = ?2 AND source_id = ?3
               AND status IN ('tobeconfirmed', 'ongoing')",
        )?
        .query_row(params![org, source_type, source_id], |r| {
            let cause: Option<String> = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                cause.and_then(|c| serde_json::from_str(&c).ok()),
            ))
        })
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
    let before: IncidentStatus = conn
        .prepare_cached("SELECT status FROM incidents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    let resolved_at = (status == IncidentStatus::Resolved).then(|| to_db(now));
    conn.prepare_cached("UPDATE incidents SET status = ?2, resolved_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, resolved_at])?;
    // People hear of an incident once it is confirmed, and of its end only if they heard of it.
    match (before, status) {
        (IncidentStatus::ToBeConfirmed, IncidentStatus::Ongoing) => outbox::opened(conn, id, now)?,
        (IncidentStatus::Ongoing, IncidentStatus::Resolved) => {
            outbox::settled(conn, id, NotificationEvent::Resolved, now)?
        }
        _ => {}
    }
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
    conn.prepare_cached("DELETE FROM incidents WHERE id = ?1 AND status = 'tobeconfirmed'")?
        .execute([id])?;
    Ok(())
}

pub fn update_cause(conn: &Connection, id: IncidentId, cause: &Value) -> Result<()> {
    conn.prepare_cached("UPDATE incidents SET cause = ?2 WHERE id = ?1")?
        .execute(params![id, json_text(cause)])?;
    Ok(())
}

pub fn add_event(
    conn: &Connection,
    id: IncidentId,
    now: Timestamp,
    user: Option<UserId>,
    event_type: EventType,
    payload: Option<&Value>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO incident_events (incident_id, created_at, user_id, event_type, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, to_db(now), user, event_type.as_str(), payload.map(json_text)])?;
    Ok(conn.last_insert_rowid())
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
        let status: IncidentStatus = conn
            .prepare_cached("SELECT status FROM incidents WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        if status == IncidentStatus::Ongoing {
            outbox::settled(conn, id, NotificationEvent::Acknowledged, now)?;
        }
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
        Some(&serde_json::json!({"priority": priority})),
    )
    .map(drop)
}

const COLUMNS: &str =
    "i.id, i.organization_id, i.title, i.status, i.priority, i.source_type, i.source_id, i.cause,
    i.metadata, i.created_at, i.resolved_at, i.created_by, cu.first_name, cu.last_name";
const FROM: &str = "FROM incidents i LEFT JOIN users cu ON cu.id = i.created_by";

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<Incident> {
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
        cause: cause.and_then(|c| serde_json::from_str(&c).ok()),
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

fn with_acknowledgements(conn: &Connection, mut incident: Incident) -> Result<Incident> {
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

/// Filters of `GET /incidents`.
#[derive(Debug, Default)]
pub struct Filter {
    pub statuses: Vec<IncidentStatus>,
    pub priorities: Vec<Priority>,
    pub source_type: Option<SourceType>,
    pub source_id: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// key → accepted values (AND across keys, OR within one).
    pub metadata: BTreeMap<String, Vec<String>>,
    pub order_by_priority: bool,
    pub ascending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// One page of incidents, the organization's total, and the number matching the filter.
pub fn list(conn: &Connection, org: OrgId, f: &Filter) -> Result<crate::store::Page<Incident>> {
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
    let filtered = w.count(conn, "incidents i")?;
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM incidents WHERE organization_id = ?1",
        [org],
        |r| r.get(0),
    )?;
    let direction = if f.ascending { "ASC" } else { "DESC" };
    // Priorities sort by urgency: emergency first when descending.
    let order = if f.order_by_priority {
        format!(
            "CASE i.priority WHEN 'emergency' THEN 6 WHEN 'critical' THEN 5 WHEN 'major' THEN 4 WHEN 'minor' THEN 3 \
             WHEN 'warning' THEN 2 ELSE 1 END {direction}, i.created_at DESC"
        )
    } else {
        format!("i.created_at {direction}, i.id {direction}")
    };
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
            payload: payload.and_then(|p| serde_json::from_str(&p).ok()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
