//! Queries on `status_pages`. The groups and their components are one JSON column: they are
//! always read and replaced together, in the order given.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Group, Settings, StatusPage, url_of};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, StatusPageId};
use crate::store::Page;
use crate::store::time::{from_db, to_db};

/// A page as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: StatusPageId,
    pub organization_id: OrgId,
    pub settings: Settings,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Stored {
    pub fn view(self) -> StatusPage {
        StatusPage {
            id: self.id,
            url: url_of(&self.settings.slug),
            settings: self.settings,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// At most this many pages per organization.
pub const MAX_PER_ORG: i64 = 100;

const COLUMNS: &str = "id, organization_id, slug, title, description, logo, footer, visibility,
    noindex, language, theme, groups, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Stored> {
    let groups: String = r.get(11)?;
    Ok(Stored {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        settings: Settings {
            slug: r.get(2)?,
            title: r.get(3)?,
            description: r.get(4)?,
            logo: r.get(5)?,
            footer: r.get(6)?,
            visibility: r.get(7)?,
            noindex: r.get(8)?,
            language: r.get(9)?,
            theme: r.get(10)?,
            groups: serde_json::from_str::<Vec<Group>>(&groups).unwrap_or_default(),
        },
        created_at: from_db(r.get(12)?),
        updated_at: from_db(r.get(13)?),
    })
}

fn taken(e: rusqlite::Error, slug: &str) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(m))
            if f.code == rusqlite::ErrorCode::ConstraintViolation && m.contains("slug") =>
        {
            Error::conflict(
                "slug_taken",
                format!("slug: {slug:?} is already the address of another status page"),
            )
            .in_field("slug")
        }
        e => e.into(),
    }
}

pub fn count(conn: &Connection, org: OrgId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM status_pages WHERE organization_id = ?1")?
        .query_row([org], |r| r.get(0))?)
}

/// The settings' values, in the order of `SETTINGS_SQL`.
fn values(s: &Settings) -> [Box<dyn rusqlite::ToSql + '_>; 10] {
    [
        Box::new(&s.slug),
        Box::new(&s.title),
        Box::new(&s.description),
        Box::new(&s.logo),
        Box::new(&s.footer),
        Box::new(s.visibility),
        Box::new(s.noindex),
        Box::new(s.language),
        Box::new(s.theme),
        Box::new(serde_json::to_string(&s.groups).expect("groups serialize")),
    ]
}

/// The columns `values` fills.
const SETTINGS_SQL: &str =
    "slug, title, description, logo, footer, visibility, noindex, language, theme, groups";

/// The id and time, then the settings' values.
fn row<'a>(
    id: StatusPageId,
    now: Timestamp,
    s: &'a Settings,
) -> Vec<Box<dyn rusqlite::ToSql + 'a>> {
    let mut row: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(id), Box::new(to_db(now))];
    row.extend(values(s));
    row
}

pub fn insert(conn: &Connection, org: OrgId, s: &Settings, now: Timestamp) -> Result<StatusPageId> {
    insert_with_id(conn, org, StatusPageId::generate(), s, now)
}

/// As `insert`, with the id chosen by the caller (a config document's, an import's).
pub fn insert_with_id(
    conn: &Connection,
    org: OrgId,
    id: StatusPageId,
    s: &Settings,
    now: Timestamp,
) -> Result<StatusPageId> {
    let mut row = row(id, now, s);
    row.push(Box::new(org));
    conn.prepare_cached(&format!(
        "INSERT INTO status_pages (id, created_at, updated_at, {SETTINGS_SQL}, organization_id)
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?
    .execute(rusqlite::params_from_iter(row))
    .map_err(|e| taken(e, &s.slug))?;
    Ok(id)
}

pub fn update(conn: &Connection, id: StatusPageId, s: &Settings, now: Timestamp) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE status_pages SET updated_at = ?2, ({SETTINGS_SQL}) =
            (?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         WHERE id = ?1"
    ))?
    .execute(rusqlite::params_from_iter(row(id, now, s)))
    .map_err(|e| taken(e, &s.slug))?;
    Ok(())
}

/// Deletes the page with its share links and announcements (foreign keys cascade).
pub fn delete(conn: &Connection, id: StatusPageId) -> Result<()> {
    conn.prepare_cached("DELETE FROM status_pages WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn get(conn: &Connection, org: OrgId, id: StatusPageId) -> Result<Option<Stored>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_pages WHERE organization_id = ?1 AND id = ?2"
        ))?
        .query_row(params![org, id], from_row)
        .optional()?)
}

/// The page at `/status/<slug>`, whatever its organization.
pub fn by_slug(conn: &Connection, slug: &str) -> Result<Option<Stored>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_pages WHERE slug = ?1"
        ))?
        .query_row([slug], from_row)
        .optional()?)
}

/// A page of the organization's pages, oldest first.
pub fn list(conn: &Connection, org: OrgId, offset: u32, limit: u32) -> Result<Page<Stored>> {
    let total = count(conn, org)?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM status_pages WHERE organization_id = ?1
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
