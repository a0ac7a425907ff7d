//! Queries on `monitors`.

use std::collections::BTreeMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{ErrorKind, Monitor, MonitorStatus};
use super::schedule::{Cadence, first_due};
use super::settings::Settings;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, MonitorId, OrgId};
use crate::notify::routing::Routing;
use crate::store::Page;
use crate::store::filter::Where;
use crate::store::time::{from_db, opt_from_db, to_db};

const COLUMNS: &str = "id, organization_id, name, url, method, request_headers, request_body, request_timeout_ms,
    interval_seconds, downtime_threshold, recovery_threshold, accepted_status_codes, follow_redirects, verify_tls,
    assertion, response_time_threshold_ms, tls_expiry_warning_days, metadata, status, status_counter, error_kind,
    last_http_code, last_response_time_ms, last_error, tls_expires_at, first_check_at, last_check_at, next_check_at,
    last_status_change_at, archived_at, created_at, updated_at, notification_channels, renotify_minutes";

fn json<T: serde::de::DeserializeOwned + Default>(text: Option<String>) -> T {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn monitor_from_row(r: &Row<'_>) -> rusqlite::Result<Monitor> {
    let status: String = r.get(18)?;
    let error_kind: String = r.get(20)?;
    Ok(Monitor {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        settings: Settings {
            name: r.get(2)?,
            url: r.get(3)?,
            method: r.get(4)?,
            request_headers: json(r.get(5)?),
            request_body: r.get(6)?,
            request_timeout_ms: r.get(7)?,
            interval_seconds: r.get(8)?,
            downtime_confirmation_threshold: r.get(9)?,
            recovery_confirmation_threshold: r.get(10)?,
            accepted_status_codes: r.get(11)?,
            follow_redirects: r.get(12)?,
            verify_tls: r.get(13)?,
            assertion: r
                .get::<_, Option<String>>(14)?
                .and_then(|a| serde_json::from_str(&a).ok()),
            response_time_threshold_ms: r.get(15)?,
            tls_expiry_warning_days: r.get(16)?,
            metadata: json(r.get(17)?),
        },
        status: MonitorStatus::parse(&status).unwrap_or(MonitorStatus::Unknown),
        status_counter: r.get(19)?,
        error_kind: ErrorKind::parse(&error_kind).unwrap_or(ErrorKind::Unknown),
        last_http_code: r.get(21)?,
        last_response_time_ms: r.get(22)?,
        last_error: r.get(23)?,
        tls_expires_at: opt_from_db(r.get(24)?),
        first_check_at: opt_from_db(r.get(25)?),
        last_check_at: opt_from_db(r.get(26)?),
        next_check_at: opt_from_db(r.get(27)?),
        last_status_change_at: from_db(r.get(28)?),
        archived_at: opt_from_db(r.get(29)?),
        created_at: from_db(r.get(30)?),
        updated_at: from_db(r.get(31)?),
        routing: Routing::from_columns(r.get(32)?, r.get(33)?),
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("monitor settings serialize")
}

pub fn insert(
    conn: &Connection,
    org: OrgId,
    s: &Settings,
    active: bool,
    now: Timestamp,
) -> Result<Monitor> {
    let id = MonitorId::generate();
    let (status, next) = if active {
        (
            MonitorStatus::Unknown,
            Some(to_db(first_due(id, s.interval_seconds, now))),
        )
    } else {
        (MonitorStatus::Inactive, None)
    };
    conn.execute(
        "INSERT INTO monitors (id, organization_id, name, url, method, request_headers, request_body, request_timeout_ms,
            interval_seconds, downtime_threshold, recovery_threshold, accepted_status_codes, follow_redirects, verify_tls,
            assertion, response_time_threshold_ms, tls_expiry_warning_days, metadata, status, next_check_at,
            last_status_change_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?21)",
        params![
            id,
            org,
            s.name,
            s.url,
            s.method,
            to_json(&s.request_headers),
            s.request_body,
            s.request_timeout_ms,
            s.interval_seconds,
            s.downtime_confirmation_threshold,
            s.recovery_confirmation_threshold,
            s.accepted_status_codes,
            s.follow_redirects,
            s.verify_tls,
            s.assertion.as_ref().map(to_json),
            s.response_time_threshold_ms,
            s.tls_expiry_warning_days,
            to_json(&s.metadata),
            status.as_str(),
            next,
            to_db(now)
        ],
    )?;
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
    conn.execute(
        "UPDATE monitors SET name = ?2, url = ?3, method = ?4, request_headers = ?5, request_body = ?6,
            request_timeout_ms = ?7, interval_seconds = ?8, downtime_threshold = ?9, recovery_threshold = ?10,
            accepted_status_codes = ?11, follow_redirects = ?12, verify_tls = ?13, assertion = ?14,
            response_time_threshold_ms = ?15, tls_expiry_warning_days = ?16, metadata = ?17, updated_at = ?18
         WHERE id = ?1",
        params![
            current.id,
            s.name,
            s.url,
            s.method,
            to_json(&s.request_headers),
            s.request_body,
            s.request_timeout_ms,
            s.interval_seconds,
            s.downtime_confirmation_threshold,
            s.recovery_confirmation_threshold,
            s.accepted_status_codes,
            s.follow_redirects,
            s.verify_tls,
            s.assertion.as_ref().map(to_json),
            s.response_time_threshold_ms,
            s.tls_expiry_warning_days,
            to_json(&s.metadata),
            to_db(now)
        ],
    )?;
    if check_changed && active {
        conn.execute(
            "UPDATE monitors SET status = 'unknown', status_counter = 0, next_check_at = ?2, last_status_change_at = ?3
             WHERE id = ?1",
            params![current.id, to_db(first_due(current.id, s.interval_seconds, now)), to_db(now)],
        )?;
    }
    if s.url != before.url {
        // The old site's certificate says nothing about the new one.
        conn.execute(
            "UPDATE monitors SET tls_expires_at = NULL WHERE id = ?1",
            [current.id],
        )?;
    }
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
    Ok(())
}

pub fn archive(conn: &Connection, id: MonitorId, now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE monitors SET status = 'archived', status_counter = 0, next_check_at = NULL, archived_at = ?2,
            last_status_change_at = ?2, updated_at = ?2 WHERE id = ?1",
        params![id, to_db(now)],
    )?;
    Ok(())
}

/// Deletes a monitor with its checks, rollups and incidents.
pub fn delete(conn: &Connection, id: MonitorId) -> Result<()> {
    crate::incidents::store::delete_for_source(conn, super::source::TYPES, &id.to_string())?;
    conn.execute("DELETE FROM monitors WHERE id = ?1", [id])?;
    Ok(())
}

pub fn set_routing(conn: &Connection, id: MonitorId, routing: &Routing) -> Result<()> {
    conn.prepare_cached(
        "UPDATE monitors SET notification_channels = ?2, renotify_minutes = ?3 WHERE id = ?1",
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
    /// Case-insensitive substring of the name or URL.
    pub query: Option<String>,
    /// For callers who may not see the URL's credentials: `query` then searches only the part
    /// of the URL they see.
    pub search_masked_url: bool,
    pub metadata: BTreeMap<String, Vec<String>>,
    pub offset: u32,
    pub limit: u32,
}

/// One page (ordered by name), the organization's total, and the number matching the filter.
pub fn list(conn: &Connection, org: OrgId, f: &Filter) -> Result<Page<Monitor>> {
    let mut w = Where::default();
    w.and("organization_id = ?", [SqlValue::Text(org.to_string())]);
    if f.statuses.is_empty() {
        w.and("status <> 'archived'", []);
    } else {
        w.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    }
    let url = if f.search_masked_url {
        super::redact::SEARCHABLE_URL_SQL
    } else {
        "url"
    };
    w.contains(&["name", url], f.query.as_deref());
    w.metadata("monitors.metadata", &f.metadata);
    let filtered = w.count(conn, "monitors")?;
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM monitors WHERE organization_id = ?1",
        [org],
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {COLUMNS} FROM monitors WHERE {} ORDER BY name COLLATE NOCASE, id LIMIT ? OFFSET ?",
        w.sql()
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
