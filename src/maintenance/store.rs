//! Queries on `maintenance_windows`. Each row keeps the occurrence its end timer waits for
//! (`next_start_at`, `next_end_at`: the one in force, or the next), planned by `plan`.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::model::{Occurrence, Selection, Window};
use super::settings::Settings;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MaintenanceId, OrgId};
use crate::store::Page;
use crate::store::signals::{self, Topic};
use crate::store::time::{from_db, opt_from_db, to_db};

/// A window as stored: its settings and the occurrence planned.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: MaintenanceId,
    pub organization_id: OrgId,
    pub settings: Settings,
    pub ended_at: Option<Timestamp>,
    pub planned: Option<Occurrence>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// At most this many windows per organization: every quiet question reads them all.
pub const MAX_PER_ORG: i64 = 1000;

const COLUMNS: &str = "id, organization_id, title, description, starts_at, ends_at, cron_schedule,
    timezone, duration_minutes, selection, pause_checks, ended_at, next_start_at, next_end_at,
    created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Stored> {
    let selection: String = r.get(9)?;
    let planned = match (opt_from_db(r.get(12)?), opt_from_db(r.get(13)?)) {
        (Some(starts_at), Some(ends_at)) => Some(Occurrence { starts_at, ends_at }),
        _ => None,
    };
    Ok(Stored {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        settings: Settings {
            title: r.get(2)?,
            description: r.get(3)?,
            starts_at: opt_from_db(r.get(4)?),
            ends_at: opt_from_db(r.get(5)?),
            cron_schedule: r.get(6)?,
            timezone: r.get(7)?,
            duration_minutes: r.get(8)?,
            selection: serde_json::from_str::<Selection>(&selection).unwrap_or_default(),
            pause_checks: r.get(10)?,
        },
        ended_at: opt_from_db(r.get(11)?),
        planned,
        created_at: from_db(r.get(14)?),
        updated_at: from_db(r.get(15)?),
    })
}

impl Stored {
    /// The API's view at `now`: the occurrence in force and the next.
    pub fn view(self, now: Timestamp) -> Window {
        let upcoming = self
            .settings
            .timing()
            .map(|t| t.upcoming(self.ended_at, now, 2))
            .unwrap_or_default();
        let active = upcoming.first().filter(|o| o.starts_at <= now).copied();
        let next = upcoming.iter().find(|o| o.starts_at > now).copied();
        Window {
            id: self.id,
            organization_id: self.organization_id,
            settings: self.settings,
            ended_at: self.ended_at,
            active,
            next,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The occurrence in force at `now`, if any.
    pub fn current(&self, now: Timestamp) -> Option<Occurrence> {
        self.settings.timing().ok()?.current(self.ended_at, now)
    }
}

pub fn count(conn: &Connection, org: OrgId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM maintenance_windows WHERE organization_id = ?1")?
        .query_row([org], |r| r.get(0))?)
}

/// The settings' values, in the order of `SETTINGS_SQL`.
fn values(s: &Settings) -> Vec<SqlValue> {
    let time = |t: Option<Timestamp>| t.map_or(SqlValue::Null, |t| SqlValue::Integer(to_db(t)));
    let text = |t: &Option<String>| t.clone().map_or(SqlValue::Null, SqlValue::Text);
    vec![
        SqlValue::Text(s.title.clone()),
        text(&s.description),
        time(s.starts_at),
        time(s.ends_at),
        text(&s.cron_schedule),
        SqlValue::Text(s.timezone.clone()),
        s.duration_minutes
            .map_or(SqlValue::Null, |m| SqlValue::Integer(m.into())),
        SqlValue::Text(serde_json::to_string(&s.selection).expect("selections serialize")),
        SqlValue::Integer(s.pause_checks.into()),
    ]
}

/// The columns `values` fills.
const SETTINGS_SQL: &str = "title, description, starts_at, ends_at, cron_schedule, timezone,
    duration_minutes, selection, pause_checks";

pub fn insert(
    conn: &Connection,
    org: OrgId,
    s: &Settings,
    now: Timestamp,
) -> Result<MaintenanceId> {
    insert_with_id(conn, org, MaintenanceId::generate(), s, now)
}

/// As `insert`, with the id chosen by the caller (a config document's, an import's).
pub fn insert_with_id(
    conn: &Connection,
    org: OrgId,
    id: MaintenanceId,
    s: &Settings,
    now: Timestamp,
) -> Result<MaintenanceId> {
    let mut row = vec![
        SqlValue::Text(id.to_string()),
        SqlValue::Text(org.to_string()),
        SqlValue::Integer(to_db(now)),
    ];
    row.extend(values(s));
    conn.prepare_cached(&format!(
        "INSERT INTO maintenance_windows (id, organization_id, created_at, updated_at, {SETTINGS_SQL})
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params_from_iter(row))?;
    Ok(id)
}

/// Replaces the settings; an earlier "end now" no longer applies to the new timing.
pub fn update(conn: &Connection, id: MaintenanceId, s: &Settings, now: Timestamp) -> Result<()> {
    let mut row = vec![
        SqlValue::Text(id.to_string()),
        SqlValue::Integer(to_db(now)),
    ];
    row.extend(values(s));
    conn.prepare_cached(&format!(
        "UPDATE maintenance_windows SET ({SETTINGS_SQL}) = (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11),
            ended_at = NULL, updated_at = ?2
         WHERE id = ?1"
    ))?
    .execute(params_from_iter(row))?;
    Ok(())
}

pub fn set_ended(conn: &Connection, id: MaintenanceId, at: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "UPDATE maintenance_windows SET ended_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, to_db(at)])?;
    Ok(())
}

/// Sets the occurrence the end timer waits for, and wakes it.
pub fn plan(conn: &Connection, id: MaintenanceId, planned: Option<Occurrence>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE maintenance_windows SET next_start_at = ?2, next_end_at = ?3 WHERE id = ?1",
    )?
    .execute(params![
        id,
        planned.map(|o| to_db(o.starts_at)),
        planned.map(|o| to_db(o.ends_at))
    ])?;
    signals::mark(Topic::Maintenance);
    Ok(())
}

pub fn delete(conn: &Connection, id: MaintenanceId) -> Result<()> {
    conn.prepare_cached("DELETE FROM maintenance_windows WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn get(conn: &Connection, org: OrgId, id: MaintenanceId) -> Result<Option<Stored>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM maintenance_windows WHERE organization_id = ?1 AND id = ?2"
        ))?
        .query_row(params![org, id], from_row)
        .optional()?)
}

/// Every window of the organization, oldest first (at most `MAX_PER_ORG`).
pub fn all(conn: &Connection, org: OrgId) -> Result<Vec<Stored>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM maintenance_windows WHERE organization_id = ?1
             ORDER BY created_at, id"
        ))?
        .query_map([org], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// A page of windows, oldest first.
pub fn list(conn: &Connection, org: OrgId, offset: u32, limit: u32) -> Result<Page<Stored>> {
    let total = count(conn, org)?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM maintenance_windows WHERE organization_id = ?1
             ORDER BY created_at, id LIMIT ?2 OFFSET ?3"
        ))?
        .query_map(params![org, limit, offset], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items,
        total,
        filtered: total,
    })
}

/// Windows whose planned occurrence has ended by `now`, at most `limit`.
pub fn ended_by(conn: &Connection, now: Timestamp, limit: u32) -> Result<Vec<Stored>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM maintenance_windows WHERE next_end_at <= ?1
             ORDER BY next_end_at LIMIT ?2"
        ))?
        .query_map(params![to_db(now), limit], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The earliest planned end, for the timer's sleep.
pub fn earliest_end(conn: &Connection) -> Result<Option<Timestamp>> {
    let ms: Option<i64> = conn
        .prepare_cached("SELECT MIN(next_end_at) FROM maintenance_windows")?
        .query_row([], |r| r.get(0))?;
    Ok(ms.map(from_db))
}
