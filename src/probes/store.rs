//! Queries on `probes`. A token's secret is never stored, only its SHA-256 digest.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::StoredProbe;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProbeId};
use crate::store::time::{from_db, opt_from_db, to_db};

const COLUMNS: &str = "id, organization_id, name, labels, created_at, last_seen_at, clock_skew_ms";

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredProbe> {
    let labels: String = r.get(3)?;
    Ok(StoredProbe {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        name: r.get(2)?,
        labels: serde_json::from_str(&labels).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        created_at: from_db(r.get(4)?),
        last_seen_at: opt_from_db(r.get(5)?),
        clock_skew_ms: r.get(6)?,
    })
}

fn labels_to_db(labels: &BTreeMap<String, String>) -> String {
    serde_json::to_string(labels).expect("labels serialize")
}

/// Registers a probe whose token's digest is `digest`; `org` None: instance-wide.
pub fn insert(
    conn: &Connection,
    id: ProbeId,
    org: Option<OrgId>,
    name: &str,
    labels: &BTreeMap<String, String>,
    digest: &[u8],
    now: Timestamp,
) -> Result<StoredProbe> {
    conn.execute(
        "INSERT INTO probes (id, organization_id, name, labels, secret_digest, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, org, name, labels_to_db(labels), digest, to_db(now)],
    )?;
    get(conn, id)?.ok_or_else(|| Error::internal("probe vanished after insert"))
}

pub fn get(conn: &Connection, id: ProbeId) -> Result<Option<StoredProbe>> {
    let sql = format!("SELECT {COLUMNS} FROM probes WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], from_row).optional()?)
}

/// The probe `id` as `org` sees it: its own, or an instance-wide one.
pub fn visible(conn: &Connection, id: ProbeId, org: OrgId) -> Result<Option<StoredProbe>> {
    Ok(get(conn, id)?.filter(|p| p.organization_id.is_none_or(|o| o == org)))
}

/// What `org` sees: its probes and the instance-wide ones, by name.
pub fn list_visible(conn: &Connection, org: OrgId) -> Result<Vec<StoredProbe>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM probes WHERE organization_id IS NULL OR organization_id = ?1
         ORDER BY name, id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([org], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every probe (the CLI, the silence watch).
pub fn list_all(conn: &Connection) -> Result<Vec<StoredProbe>> {
    let sql = format!("SELECT {COLUMNS} FROM probes ORDER BY name, id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn update(
    conn: &Connection,
    id: ProbeId,
    name: &str,
    labels: &BTreeMap<String, String>,
) -> Result<()> {
    conn.execute(
        "UPDATE probes SET name = ?2, labels = ?3 WHERE id = ?1",
        params![id, name, labels_to_db(labels)],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: ProbeId) -> Result<bool> {
    Ok(conn.execute("DELETE FROM probes WHERE id = ?1", [id])? == 1)
}

/// Replaces the token's digest: the old token is refused from the next request on.
pub fn set_digest(conn: &Connection, id: ProbeId, digest: &[u8]) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE probes SET secret_digest = ?2 WHERE id = ?1",
        params![id, digest],
    )? == 1)
}

/// The probe `id` and its token's digest, for authentication.
pub fn credential(conn: &Connection, id: ProbeId) -> Result<Option<(StoredProbe, Vec<u8>)>> {
    let sql = format!("SELECT {COLUMNS}, secret_digest FROM probes WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| Ok((from_row(r)?, r.get(7)?)))
        .optional()?)
}

/// Notes that the probe was heard from at `at`; `skew_ms` None keeps the last measure.
pub fn seen(conn: &Connection, id: ProbeId, at: Timestamp, skew_ms: Option<i64>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE probes SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?2),
                clock_skew_ms = COALESCE(?3, clock_skew_ms) WHERE id = ?1",
    )?
    .execute(params![id, to_db(at), skew_ms])?;
    Ok(())
}
