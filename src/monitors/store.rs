//! Queries on `monitors`.

use std::collections::BTreeMap;

use rusqlite::types::{Type, Value as SqlValue};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::kinds::{Kind, KindSettings};
use super::model::{ErrorKind, Monitor, MonitorStatus};
use super::schedule::{Cadence, first_due};
use super::settings::Settings;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, MonitorId, OrgId};
use crate::notify::routing::Routing;
use crate::store::Page;
use crate::store::filter::{Order, Where};
use crate::store::signals::{Subject, changed};
use crate::store::time::{from_db, opt_from_db, to_db};

const COLUMNS: &str = "id, organization_id, name, kind, kind_settings, request_timeout_ms, interval_seconds,
    downtime_threshold, recovery_threshold, tls_expiry_warning_days, metadata, status, status_counter, error_kind,
    last_http_code, last_response_time_ms, last_error, tls_expires_at, first_check_at, last_check_at, next_check_at,
    last_status_change_at, archived_at, created_at, updated_at, notification_channels, renotify_minutes,
    last_check_details, locations, quorum,
    (SELECT json_group_array(upstream_id) FROM (SELECT upstream_id FROM upstreams u
        WHERE u.organization_id = monitors.organization_id AND u.dependent_type = 'monitor'
        AND u.dependent_id = monitors.id ORDER BY u.position))";

fn json<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> T {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn monitor_from_row(r: &Row<'_>) -> rusqlite::Result<Monitor> {
    let kind: Kind = r.get(3)?;
    let kind_settings: String = r.get(4)?;
    let kind = KindSettings::from_stored(kind, &kind_settings)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, Type::Text, Box::new(e)))?;
    let status: String = r.get(11)?;
    let error_kind: String = r.get(13)?;
    let target = kind.target();
    Ok(Monitor {
        target,
        id: r.get(0)?,
        organization_id: r.get(1)?,
        settings: Settings {
            name: r.get(2)?,
            kind,
            request_timeout_ms: r.get(5)?,
            interval_seconds: r.get(6)?,
            downtime_confirmation_threshold: r.get(7)?,
            recovery_confirmation_threshold: r.get(8)?,
            tls_expiry_warning_days: r.get(9)?,
            metadata: json(r.get(10)?),
            locations: super::locations::select::from_column(r.get(28)?),
            quorum: r.get(29)?,
        },
        status: MonitorStatus::parse(&status).unwrap_or(MonitorStatus::Unknown),
        status_counter: r.get(12)?,
        error_kind: ErrorKind::parse(&error_kind).unwrap_or(ErrorKind::Unknown),
        last_http_code: r.get(14)?,
        last_response_time_ms: r.get(15)?,
        last_error: r.get(16)?,
        tls_expires_at: opt_from_db(r.get(17)?),
        first_check_at: opt_from_db(r.get(18)?),
        last_check_at: opt_from_db(r.get(19)?),
        next_check_at: opt_from_db(r.get(20)?),
        last_status_change_at: from_db(r.get(21)?),
        archived_at: opt_from_db(r.get(22)?),
        created_at: from_db(r.get(23)?),
        updated_at: from_db(r.get(24)?),
        routing: Routing::from_columns(r.get(25)?, r.get(26)?),
        last_check_details: json(r.get(27)?),
        upstreams: json(r.get(30)?),
        quiet: None,
    })
}

/// The settings' columns, in the order of [`SETTINGS_SQL`]: what insert and update both write.
fn settings_params(s: &Settings) -> [SqlValue; 12] {
    let int = |n: u32| SqlValue::Integer(n.into());
    [
        SqlValue::Text(s.name.clone()),
        SqlValue::Text(s.target()),
        SqlValue::Text(s.kind.kind().as_str().into()),
        SqlValue::Text(s.kind.to_stored()),
        int(s.request_timeout_ms),
        int(s.interval_seconds),
        int(s.downtime_confirmation_threshold),
        int(s.recovery_confirmation_threshold),
        int(s.tls_expiry_warning_days),
        SqlValue::Text(serde_json::to_string(&s.metadata).expect("metadata serializes")),
        super::locations::select::to_column(&s.locations),
        s.quorum.map_or(SqlValue::Null, int),
    ]
}

/// The columns [`settings_params`] fills. `url` holds the target, for search and for other
/// features that show a monitor's source.
const SETTINGS_SQL: [&str; 12] = [
    "name",
    "url",
    "kind",
    "kind_settings",
    "request_timeout_ms",
    "interval_seconds",
    "downtime_threshold",
    "recovery_threshold",
    "tls_expiry_warning_days",
    "metadata",
    "locations",
    "quorum",
];

pub fn insert(
    conn: &Connection,
    org: OrgId,
    s: &Settings,
    active: bool,
    now: Timestamp,
) -> Result<Monitor> {
    insert_with_id(conn, org, MonitorId::generate(), s, active, now)
}

/// As `insert`, with the id chosen by the caller (a config document's, an import's).
pub fn insert_with_id(
    conn: &Connection,
    org: OrgId,
    id: MonitorId,
    s: &Settings,
    active: bool,
    now: Timestamp,
) -> Result<Monitor> {
    let (status, next) = if active {
        (
            MonitorStatus::Unknown,
            Some(to_db(first_due(id, s.interval_seconds, now))),
        )
    } else {
        (MonitorStatus::Inactive, None)
    };
    let sql = format!(
        "INSERT INTO monitors (id, organization_id, status, next_check_at, last_status_change_at, created_at,
            updated_at, {}) VALUES ({})",
        SETTINGS_SQL.join(", "),
        ["?"; 7 + SETTINGS_SQL.len()].join(", ")
    );
    let head = [
        SqlValue::Text(id.to_string()),
        SqlValue::Text(org.to_string()),
        SqlValue::Text(status.as_str().into()),
        next.map_or(SqlValue::Null, SqlValue::Integer),
        SqlValue::Integer(to_db(now)),
        SqlValue::Integer(to_db(now)),
        SqlValue::Integer(to_db(now)),
    ];
    conn.execute(
        &sql,
        rusqlite::params_from_iter(head.into_iter().chain(settings_params(s))),
    )?;
    changed(org, Subject::Monitors);
    get_any(conn, id)?.ok_or_else(|| Error::internal("monitor vanished after insert"))
}

/// A monitor of `org`; another organization's is "not found".
pub fn get(conn: &Connection, org: OrgId, id: MonitorId) -> Result<Option<Monitor>> {
    let sql = format!("SELECT {COLUMNS} FROM monitors WHERE id = ?1 AND organization_id = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, org], monitor_from_row)
        .optional()?)
}

/// A monitor whatever its organization (the scheduler's view).
pub fn get_any(conn: &Connection, id: MonitorId) -> Result<Option<Monitor>> {
    let sql = format!("SELECT {COLUMNS} FROM monitors WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], monitor_from_row)
        .optional()?)
}

/// Replaces the settings. A change to what is checked restarts the status from "unknown" with a
/// check soon; a change of name or tags alone keeps the status.
pub fn update_settings(
    conn: &Connection,
    current: &Monitor,
    s: &Settings,
    now: Timestamp,
) -> Result<Monitor> {
    let before = &current.settings;
    let check_changed = Settings {
        name: before.name.clone(),
        metadata: before.metadata.clone(),
        ..s.clone()
    } != *before;
    let active = !matches!(
        current.status,
        MonitorStatus::Inactive | MonitorStatus::Archived
    );
    let sql = format!(
        "UPDATE monitors SET updated_at = ?, {} WHERE id = ?",
        SETTINGS_SQL.map(|c| format!("{c} = ?")).join(", ")
    );
    let args = std::iter::once(SqlValue::Integer(to_db(now)))
        .chain(settings_params(s))
        .chain([SqlValue::Text(current.id.to_string())]);
    conn.execute(&sql, rusqlite::params_from_iter(args))?;
    if check_changed && active {
        conn.execute(
            "UPDATE monitors SET status = 'unknown', status_counter = 0, next_check_at = ?2, last_status_change_at = ?3
             WHERE id = ?1",
            params![current.id, to_db(first_due(current.id, s.interval_seconds, now)), to_db(now)],
        )?;
    }
    if s.kind != before.kind {
        // The certificate seen with the old settings says nothing of the new ones (another
        // site, or another name asked of the same address); the next check records it again.
        conn.execute(
            "UPDATE monitors SET tls_expires_at = NULL WHERE id = ?1",
            [current.id],
        )?;
    }
    changed(current.organization_id, Subject::Monitors);
    get_any(conn, current.id)?.ok_or_else(|| Error::not_found("monitor"))
}

/// Pauses or resumes. Returns the new status.
pub fn set_active(conn: &Connection, m: &Monitor, active: bool, now: Timestamp) -> Result<()> {
    let (status, next) = if active {
        (
            "unknown",
            Some(to_db(first_due(m.id, m.settings.interval_seconds, now))),
        )
    } else {
        ("inactive", None)
    };
    conn.execute(
        "UPDATE monitors SET status = ?2, status_counter = 0, next_check_at = ?3, last_status_change_at = ?4, updated_at = ?4
         WHERE id = ?1",
        params![m.id, status, next, to_db(now)],
    )?;
    changed(m.organization_id, Subject::Monitors);
    Ok(())
}

pub fn archive(conn: &Connection, org: OrgId, id: MonitorId, now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE monitors SET status = 'archived', status_counter = 0, next_check_at = NULL, archived_at = ?2,
            last_status_change_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, to_db(now)],
    )?;
    changed(org, Subject::Monitors);
    Ok(())
}

/// Deletes a monitor with its checks, rollups and incidents.
pub fn delete(conn: &Connection, org: OrgId, id: MonitorId) -> Result<()> {
    crate::incidents::store::delete_for_source(conn, super::source::TYPES, &id.to_string())?;
    super::upstreams::forget_monitor(conn, org, id)?;
    conn.execute("DELETE FROM monitors WHERE id = ?1", [id])?;
    changed(org, Subject::Monitors);
    // Its incidents went with it.
    changed(org, Subject::Incidents);
    Ok(())
}

/// Channels chosen anew replace the original clients' switches (`original.rs`).
pub fn set_routing(conn: &Connection, id: MonitorId, routing: &Routing) -> Result<()> {
    conn.prepare_cached(
        "UPDATE monitors SET notification_channels = ?2, renotify_minutes = ?3, original_flags = NULL
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        routing.channels_column(),
        routing.renotify_minutes
    ])?;
    Ok(())
}

/// Takes a deleted channel out of the monitors of `org` that chose it.
pub fn forget_channel(conn: &Connection, org: OrgId, channel: ChannelId) -> Result<()> {
    conn.prepare_cached(&crate::notify::routing::forget_channel_sql("monitors"))?
        .execute(params![org, channel])?;
    Ok(())
}

/// Every scheduled monitor with its stored due time and cadence (scheduler start-up).
pub fn schedule(conn: &Connection) -> Result<Vec<(MonitorId, Timestamp, Cadence)>> {
    let mut stmt = conn.prepare(
        "SELECT id, next_check_at, interval_seconds, request_timeout_ms FROM monitors
         WHERE next_check_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        let cadence = Cadence {
            interval_seconds: r.get(2)?,
            timeout_ms: r.get(3)?,
        };
        Ok((r.get(0)?, from_db(r.get(1)?), cadence))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Default)]
pub struct Filter {
    /// Statuses to include; empty: all but archived.
    pub statuses: Vec<MonitorStatus>,
    /// Kinds to include; empty: every kind.
    pub kinds: Vec<Kind>,
    /// Case-insensitive substring of the name or URL.
    pub query: Option<String>,
    /// For callers who may not see the URL's credentials: `query` then searches only the part
    /// of the URL they see.
    pub search_masked_url: bool,
    pub metadata: BTreeMap<String, Vec<String>>,
    /// Tags every monitor must carry (`?tag=`).
    pub tags: Vec<crate::store::tags::Tag>,
    /// One of [`SORTS`]; default by name.
    pub order: Order,
    pub offset: u32,
    pub limit: u32,
}

/// What a list of monitors may be ordered by.
pub const SORTS: [(&str, &str); 5] = [
    ("name", "name COLLATE NOCASE"),
    ("status", "status"),
    ("kind", "kind"),
    ("createdAt", "created_at"),
    ("lastCheckAt", "last_check_at"),
];

fn matching(org: OrgId, f: &Filter) -> Where {
    let mut w = Where::default();
    w.and("organization_id = ?", [SqlValue::Text(org.to_string())]);
    if f.statuses.is_empty() {
        w.and("status <> 'archived'", []);
    } else {
        w.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    }
    if !f.kinds.is_empty() {
        w.any_of("kind", f.kinds.iter().map(|k| k.as_str()));
    }
    let url = if f.search_masked_url {
        super::redact::SEARCHABLE_URL_SQL
    } else {
        "url"
    };
    w.contains(&["name", url], f.query.as_deref());
    w.metadata("monitors.metadata", &f.metadata);
    w.tags("monitors.metadata", &f.tags);
    w
}

/// One page (in the filter's order), the organization's total, and the number matching the
/// filter.
pub fn list(conn: &Connection, org: OrgId, f: &Filter) -> Result<Page<Monitor>> {
    let w = matching(org, f);
    let filtered = w.count(conn, "monitors")?;
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM monitors WHERE organization_id = ?1",
        [org],
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {COLUMNS} FROM monitors WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
        w.sql(),
        f.order.sql("name COLLATE NOCASE", "id")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        rusqlite::params_from_iter(w.args_with_page(f.limit, f.offset)),
        monitor_from_row,
    )?;
    Ok(Page {
        items: rows.collect::<rusqlite::Result<_>>()?,
        total,
        filtered,
    })
}

/// The ids of at most `limit` monitors matching the filter (its order and page ignored), for
/// bulk actions.
pub fn matching_ids(
    conn: &Connection,
    org: OrgId,
    f: &Filter,
    limit: usize,
) -> Result<Vec<MonitorId>> {
    Ok(matching(org, f).ids(conn, "monitors", "id", limit)?)
}

/// Distinct metadata keys and values of the organization's live monitors, for filter facets.
pub fn metadata_facets(
    conn: &Connection,
    org: OrgId,
) -> Result<BTreeMap<String, BTreeMap<String, i64>>> {
    let mut stmt = conn.prepare(
        "SELECT m.key, m.value, COUNT(*) FROM monitors, json_each(monitors.metadata) m
         WHERE organization_id = ?1 AND status <> 'archived' GROUP BY m.key, m.value",
    )?;
    let mut facets: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let rows = stmt.query_map([org], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (key, value, count) = row?;
        facets.entry(key).or_default().insert(value, count);
    }
    Ok(facets)
}

/// Ids of `org`'s monitors whose name holds `text` (incident search).
pub fn ids_named(conn: &Connection, org: OrgId, text: &str) -> Result<Vec<String>> {
    let limit = crate::incidents::source::NAMED;
    Ok(crate::store::filter::ids_named(
        conn, "monitors", org, text, limit,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{migrate, migrate_to};

    /// V10 moves the HTTP columns into `kind_settings`: a monitor made before it, with every
    /// setting away from its default, reads back the same.
    #[test]
    fn the_kinds_migration_keeps_every_http_setting() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO organizations (id, name, display_name, created_at, updated_at) VALUES ('6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e00', 'acme', 'Acme', 0, 0);
             INSERT INTO monitors (id, organization_id, name, url, method, request_headers, request_body,
                request_timeout_ms, interval_seconds, downtime_threshold, recovery_threshold,
                accepted_status_codes, follow_redirects, verify_tls, assertion, response_time_threshold_ms,
                tls_expiry_warning_days, metadata, status, last_status_change_at, created_at, updated_at)
             VALUES ('6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e01', '6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e00', 'Billing', 'https://u:p@a.example/h?x=1',
                'POST', '{\"Authorization\":\"Bearer t\",\"X-A\":\"1\"}', '{\"ping\":true}', 2500, 30, 3, 4,
                '200-299,418', 0, 0, '{\"kind\":\"jsonPointer\",\"pointer\":\"/n\",\"value\":42}', 900, 7,
                '{\"team\":\"billing\"}', 'down', 1, 1, 1);
             INSERT INTO monitors (id, organization_id, name, url, request_timeout_ms, interval_seconds,
                downtime_threshold, recovery_threshold, status, last_status_change_at, created_at, updated_at)
             VALUES ('6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e02', '6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e00', 'Plain', 'http://b.example/', 10000, 60,
                2, 2, 'up', 1, 1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();

        let rich = get_any(
            &conn,
            "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e01".parse().unwrap(),
        )
        .unwrap()
        .unwrap();
        let json = serde_json::to_value(&rich.settings).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "name": "Billing", "kind": "http", "url": "https://u:p@a.example/h?x=1", "method": "POST",
                "requestHeaders": {"Authorization": "Bearer t", "X-A": "1"}, "requestBody": "{\"ping\":true}",
                "requestTimeoutMs": 2500, "intervalSeconds": 30, "downtimeConfirmationThreshold": 3,
                "recoveryConfirmationThreshold": 4, "acceptedStatusCodes": "200-299,418",
                "followRedirects": false, "verifyTls": false,
                "assertion": {"kind": "jsonPointer", "pointer": "/n", "value": 42},
                "responseTimeThresholdMs": 900, "tlsExpiryWarningDays": 7, "metadata": {"team": "billing"},
                // Added after the kinds migration: absent from the stored JSON, read as defaults.
                "auth": null, "upsideDown": false,
                // Added by the locations migration: NULL columns, read as this server only.
                "locations": ["local"], "quorum": null
            })
        );
        assert_eq!(rich.status, MonitorStatus::Down);

        let plain = get_any(
            &conn,
            "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e02".parse().unwrap(),
        )
        .unwrap()
        .unwrap();
        let json = serde_json::to_value(&plain.settings).unwrap();
        let expected = serde_json::json!({
            "method": "GET", "requestHeaders": {}, "requestBody": null, "acceptedStatusCodes": "200-399",
            "followRedirects": true, "verifyTls": true, "assertion": null, "responseTimeThresholdMs": null
        });
        for (field, value) in expected.as_object().unwrap() {
            assert_eq!(&json[field], value, "{field}");
        }
    }

    /// Insert and update write the same columns: what was saved is what is read back.
    #[test]
    fn update_writes_what_insert_wrote() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let now = chrono::Utc::now();
        let org = crate::accounts::store::insert_organization(&conn, "Acme", now).unwrap();
        let input = |json: &str| serde_json::from_str(json).unwrap();
        let first =
            Settings::create(input(r#"{"url": "https://a.example", "name": "A"}"#)).unwrap();
        let m = insert(&conn, org.id, &first, true, now).unwrap();
        assert_eq!(m.settings, first);
        let second = first
            .apply(input(
                r#"{"url": "https://b.example", "method": "HEAD", "intervalSeconds": 300}"#,
            ))
            .unwrap();
        let updated = update_settings(&conn, &m, &second, now).unwrap();
        assert_eq!(updated.settings, second);
        let url: String = conn
            .query_row("SELECT url FROM monitors WHERE id = ?1", [m.id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(url, "https://b.example/");
    }
}
