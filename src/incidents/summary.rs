//! What the Overview asks of incidents: the ongoing ones, those not acknowledged first, and
//! those opened or resolved lately. Each is one query over the organization's incidents
//! (acknowledgements read for the page shown only), bounded by a limit.

use rusqlite::{Connection, params};

use super::model::Incident;
use super::store::{COLUMNS, FROM, incident_from_row, with_acknowledgements};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::store::time::{from_db, to_db};

const ACKNOWLEDGED: &str =
    "EXISTS (SELECT 1 FROM incident_acknowledgements a WHERE a.incident_id = i.id)";

/// Ongoing incidents of `org`.
pub struct Ongoing {
    /// Not acknowledged first, then the newest first; at most the limit asked.
    pub items: Vec<Incident>,
    pub total: i64,
    pub unacknowledged: i64,
}

pub fn ongoing(conn: &Connection, org: OrgId, limit: u32) -> Result<Ongoing> {
    let (total, unacknowledged) = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*), COALESCE(SUM(NOT {ACKNOWLEDGED}), 0) FROM incidents i
             WHERE i.organization_id = ?1 AND i.status = 'ongoing'"
        ))?
        .query_row([org], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} {FROM} WHERE i.organization_id = ?1 AND i.status = 'ongoing'
             ORDER BY {ACKNOWLEDGED}, i.created_at DESC, i.id LIMIT ?2"
        ))?
        .query_map(params![org, limit], incident_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|i| with_acknowledgements(conn, i))
        .collect::<Result<_>>()?;
    Ok(Ongoing {
        items,
        total,
        unacknowledged,
    })
}

/// An incident opened (`resolved` false) or resolved at `at`.
pub struct Change {
    pub at: Timestamp,
    pub resolved: bool,
    pub incident: Incident,
}

/// Incidents of `org` opened or resolved at or after `since` (an incident opened and resolved
/// in that time counts twice), the latest first, at most `limit`; and how many were opened and
/// how many resolved. Incidents still to be confirmed are left out: they may never be.
pub fn changed_since(
    conn: &Connection,
    org: OrgId,
    since: Timestamp,
    limit: u32,
) -> Result<(Vec<Change>, i64, i64)> {
    let since = to_db(since);
    let (opened, resolved) = conn
        .prepare_cached(
            "SELECT (SELECT COUNT(*) FROM incidents WHERE organization_id = ?1
                       AND created_at >= ?2 AND status <> 'tobeconfirmed'),
                    (SELECT COUNT(*) FROM incidents WHERE organization_id = ?1
                       AND status = 'resolved' AND resolved_at >= ?2)",
        )?
        .query_row(params![org, since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT * FROM (
               SELECT {COLUMNS}, i.created_at AS at, 0 AS resolved {FROM}
               WHERE i.organization_id = ?1 AND i.created_at >= ?2 AND i.status <> 'tobeconfirmed'
               UNION ALL
               SELECT {COLUMNS}, i.resolved_at AS at, 1 AS resolved {FROM}
               WHERE i.organization_id = ?1 AND i.status = 'resolved' AND i.resolved_at >= ?2)
             ORDER BY at DESC, resolved DESC LIMIT ?3"
        ))?
        .query_map(params![org, since, limit], |r| {
            Ok(Change {
                incident: incident_from_row(r)?,
                at: from_db(r.get(14)?),
                resolved: r.get(15)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, opened, resolved))
}
