//! Announcements: what people write on a page about an incident or a change, with its updates
//! (each a status and a Markdown body, oldest first). The announcement's status is its latest
//! update's; it is resolved from the update that says so until one says otherwise.

use rusqlite::{Connection, OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{AnnouncementId, AnnouncementUpdateId, ComponentId, StatusPageId};
use crate::store::time::{from_db, opt_from_db, to_db};
use crate::text_enum::text_enum;

text_enum!(
    /// How much the announcement affects visitors.
    Impact {
        None => "none",
        Minor => "minor",
        Major => "major",
        Critical => "critical",
    }
);

text_enum!(
    AnnouncementStatus {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Update {
    pub id: AnnouncementUpdateId,
    pub status: AnnouncementStatus,
    /// Markdown.
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Announcement {
    pub id: AnnouncementId,
    pub title: String,
    pub impact: Impact,
    pub status: AnnouncementStatus,
    /// Components of the page it concerns.
    pub component_ids: Vec<ComponentId>,
    /// Oldest first.
    pub updates: Vec<Update>,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

/// An announcement's own fields (what `PATCH` may change).
#[derive(Debug, Clone)]
pub struct Fields {
    pub title: String,
    pub impact: Impact,
    pub component_ids: Vec<ComponentId>,
}

/// At most this many announcements per page; each at most this many updates.
pub const MAX_PER_PAGE: i64 = 1000;
pub const MAX_UPDATES: i64 = 100;

const COLUMNS: &str = "id, title, impact, status, component_ids, created_at, resolved_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Announcement> {
    let ids: String = r.get(4)?;
    Ok(Announcement {
        id: r.get(0)?,
        title: r.get(1)?,
        impact: r.get(2)?,
        status: r.get(3)?,
        component_ids: serde_json::from_str(&ids).unwrap_or_default(),
        updates: Vec::new(),
        created_at: from_db(r.get(5)?),
        resolved_at: opt_from_db(r.get(6)?),
    })
}

fn with_updates(conn: &Connection, mut a: Announcement) -> Result<Announcement> {
    a.updates = conn
        .prepare_cached(
            "SELECT id, status, body, created_at FROM status_page_announcement_updates
             WHERE announcement_id = ?1 ORDER BY created_at, id",
        )?
        .query_map([a.id], |r| {
            Ok(Update {
                id: r.get(0)?,
                status: r.get(1)?,
                body: r.get(2)?,
                created_at: from_db(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(a)
}

pub fn count(conn: &Connection, page: StatusPageId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM status_page_announcements WHERE page_id = ?1")?
        .query_row([page], |r| r.get(0))?)
}

/// A new announcement with its first update.
pub fn insert(
    conn: &Connection,
    page: StatusPageId,
    f: &Fields,
    status: AnnouncementStatus,
    body: &str,
    now: Timestamp,
) -> Result<AnnouncementId> {
    let id = AnnouncementId::generate();
    conn.prepare_cached(
        "INSERT INTO status_page_announcements (id, page_id, title, impact, status, component_ids,
            created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        page,
        f.title,
        f.impact,
        status,
        serde_json::to_string(&f.component_ids).expect("ids serialize"),
        to_db(now)
    ])?;
    add_update(conn, id, status, body, now)?;
    Ok(id)
}

/// Appends an update; the announcement takes its status.
pub fn add_update(
    conn: &Connection,
    id: AnnouncementId,
    status: AnnouncementStatus,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO status_page_announcement_updates (id, announcement_id, status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![AnnouncementUpdateId::generate(), id, status, body, to_db(now)])?;
    set_status(conn, id, status, now)
}

pub fn update_count(conn: &Connection, id: AnnouncementId) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM status_page_announcement_updates WHERE announcement_id = ?1",
        )?
        .query_row([id], |r| r.get(0))?)
}

/// Sets the status; `resolved_at` is when it became resolved (kept while it stays so).
pub fn set_status(
    conn: &Connection,
    id: AnnouncementId,
    status: AnnouncementStatus,
    now: Timestamp,
) -> Result<()> {
    let resolved = status == AnnouncementStatus::Resolved;
    conn.prepare_cached(
        "UPDATE status_page_announcements SET status = ?2,
            resolved_at = CASE WHEN ?3 THEN COALESCE(resolved_at, ?4) ELSE NULL END
         WHERE id = ?1",
    )?
    .execute(params![id, status, resolved, to_db(now)])?;
    Ok(())
}

pub fn set_fields(conn: &Connection, id: AnnouncementId, f: &Fields) -> Result<()> {
    conn.prepare_cached(
        "UPDATE status_page_announcements SET title = ?2, impact = ?3, component_ids = ?4
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.title,
        f.impact,
        serde_json::to_string(&f.component_ids).expect("ids serialize")
    ])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: AnnouncementId) -> Result<()> {
    conn.prepare_cached("DELETE FROM status_page_announcements WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn get(
    conn: &Connection,
    page: StatusPageId,
    id: AnnouncementId,
) -> Result<Option<Announcement>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_page_announcements WHERE page_id = ?1 AND id = ?2"
        ))?
        .query_row(params![page, id], from_row)
        .optional()?;
    found.map(|a| with_updates(conn, a)).transpose()
}

/// A page of the page's announcements, newest first, and their total.
pub fn list(
    conn: &Connection,
    page: StatusPageId,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Announcement>, i64)> {
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_page_announcements WHERE page_id = ?1
             ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3"
        ))?
        .query_map(params![page, limit, offset], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let items = items
        .into_iter()
        .map(|a| with_updates(conn, a))
        .collect::<Result<_>>()?;
    Ok((items, count(conn, page)?))
}

/// What visitors see: those not resolved, and those resolved since `since`, newest first (at
/// most 50).
pub fn visible(
    conn: &Connection,
    page: StatusPageId,
    since: Timestamp,
) -> Result<Vec<Announcement>> {
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_page_announcements
             WHERE page_id = ?1 AND (resolved_at IS NULL OR resolved_at >= ?2)
             ORDER BY created_at DESC, id DESC LIMIT 50"
        ))?
        .query_map(params![page, to_db(since)], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    items.into_iter().map(|a| with_updates(conn, a)).collect()
}
