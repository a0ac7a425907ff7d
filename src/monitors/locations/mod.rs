//! Where a monitor is checked from: the local server and/or remote probes chosen by label
//! (`select`), each location's results (`store`), and the quorum that turns their results into
//! the monitor's one status (`quorum`, applied at each slot by `slot`). The probes feature
//! calls [`assigned`] and [`record_remote`]; monitors never read its table.

pub mod quorum;
pub mod routes;
pub mod select;
pub mod slot;
pub mod store;
pub mod view;

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::kinds::Kind;
use super::remote::{Assignment, ProbeLocation, Recorded, RemoteResult};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};

/// The monitors `probe` checks: active ones (not paused, not archived) of its organization
/// (every organization's for an instance-wide probe) whose locations select one of its labels.
/// Ordered by id, so the same assignments give the same list.
pub fn assigned(conn: &Connection, probe: &ProbeLocation) -> Result<Vec<Assignment>> {
    // Monitors checked from this server only have no `locations` and are skipped by SQL (an
    // organization's probe through the partial index on `organization_id`), the selectors are
    // matched here.
    let columns = "SELECT id, interval_seconds, request_timeout_ms, kind, kind_settings, locations
         FROM monitors WHERE locations IS NOT NULL AND status NOT IN ('inactive', 'archived')";
    let (mut stmt, org) = match probe.organization_id {
        Some(org) => (
            conn.prepare_cached(&format!("{columns} AND organization_id = ?1 ORDER BY id"))?,
            Some(org),
        ),
        None => (
            conn.prepare_cached(&format!("{columns} ORDER BY id"))?,
            None,
        ),
    };
    let mut rows = match org {
        Some(org) => stmt.query(params![org])?,
        None => stmt.query([])?,
    };
    let mut assigned = Vec::new();
    while let Some(r) = rows.next()? {
        let locations = select::from_column(r.get(5)?);
        if !select::selects(&locations, &probe.labels) {
            continue;
        }
        let kind: Kind = r.get(3)?;
        let settings: String = r.get(4)?;
        assigned.push(Assignment {
            id: r.get(0)?,
            interval_seconds: r.get(1)?,
            timeout_ms: r.get(2)?,
            kind,
            settings: serde_json::from_str(&settings)
                .map_err(|e| crate::error::Error::internal(format!("kind settings: {e}")))?,
        });
    }
    Ok(assigned)
}

/// A stamp of the monitors a probe of `organization` (every organization: None) may be
/// assigned: how many active monitors have locations, and the sum of their `updated_at`. Every
/// change of what [`assigned`] answers (a monitor created, edited, paused, resumed, archived or
/// deleted) changes it, while a check's result (a status change) does not: a waiting long poll
/// reads this cheap stamp at each wake and the whole list only when it moved.
pub fn assignment_stamp(conn: &Connection, organization: Option<OrgId>) -> Result<(i64, i64)> {
    let from = "SELECT count(*), coalesce(sum(updated_at), 0) FROM monitors
         WHERE locations IS NOT NULL AND status NOT IN ('inactive', 'archived')";
    let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
    Ok(match organization {
        Some(org) => conn
            .prepare_cached(&format!("{from} AND organization_id = ?1"))?
            .query_row([org], row)?,
        None => conn.prepare_cached(from)?.query_row([], row)?,
    })
}

/// How many monitors each of `probes` checks (same order): [`assigned`]'s rule without
/// reading the kinds' settings, in one pass over the monitors that have locations, for pages
/// listing probes.
pub fn assigned_counts(conn: &Connection, probes: &[ProbeLocation]) -> Result<Vec<usize>> {
    let mut counts = vec![0; probes.len()];
    if probes.is_empty() {
        return Ok(counts);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT organization_id, locations FROM monitors
         WHERE locations IS NOT NULL AND status NOT IN ('inactive', 'archived')",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let org: OrgId = r.get(0)?;
        let locations = select::from_column(r.get(1)?);
        for (probe, count) in probes.iter().zip(counts.iter_mut()) {
            if probe.organization_id.is_none_or(|o| o == org)
                && select::selects(&locations, &probe.labels)
            {
                *count += 1;
            }
        }
    }
    Ok(counts)
}

/// Forgets a location's latest results (a probe deleted, or its labels changed): pages stop
/// showing it and the quorum stops counting it at once. Its history stays until purged.
pub fn forget(conn: &Connection, location: &str) -> Result<()> {
    store::forget(conn, location)
}

/// How far a probe's check time may stray from its slot and from the server's clock.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::seconds(5);
/// The largest details of a probe's check kept (larger ones are dropped, the result kept).
const MAX_DETAILS: usize = 16 * 1024;

/// A probe's result as stored: its check time within its slot and the server's clock (a time
/// in the future would never be purged and would count in every 24 hours' figure), its error
/// and details bounded (they reach the monitor's last error, incidents and notifications).
fn bounded(
    result: &RemoteResult,
    now: Timestamp,
) -> (Timestamp, crate::monitors::check::CheckOutcome) {
    let checked_at = result
        .checked_at
        .max(result.due - CLOCK_SLACK)
        .min(now.max(result.due) + CLOCK_SLACK);
    let mut outcome: crate::monitors::check::CheckOutcome = result.outcome.clone().into();
    outcome.error = outcome.error.map(|e| clip(&e, crate::limits::SHORT));
    if outcome
        .details
        .as_ref()
        .is_some_and(|d| d.to_string().len() > MAX_DETAILS)
    {
        outcome.details = None;
    }
    (checked_at, outcome)
}

/// The first `max_chars` characters of `text`, "…" marking a cut.
fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// What a result is checked against.
struct Target {
    organization_id: OrgId,
    active: bool,
    interval_seconds: u32,
    locations: Vec<String>,
}

fn target(conn: &Connection, id: MonitorId) -> Result<Option<Target>> {
    Ok(conn
        .prepare_cached(
            "SELECT organization_id, status NOT IN ('inactive', 'archived'), interval_seconds, locations
             FROM monitors WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Target {
                organization_id: r.get(0)?,
                active: r.get(1)?,
                interval_seconds: r.get(2)?,
                locations: select::from_column(r.get(3)?),
            })
        })
        .optional()?)
}

/// Records results posted by `probe`, in the order given, in the caller's write. A result for a
/// monitor not assigned to it any more (or unknown, paused, or for a slot beyond the next one) is
/// ignored; one older than its
/// monitor's interval at `now` is kept as late and does not count as fresh.
pub fn record_remote(
    conn: &Connection,
    probe: &ProbeLocation,
    results: &[RemoteResult],
    now: Timestamp,
) -> Result<Recorded> {
    let mut targets: HashMap<MonitorId, Option<Target>> = HashMap::new();
    let mut recorded = Recorded::default();
    let from = store::From {
        location: &probe.id,
        name: &probe.name,
        labels: &probe.labels,
    };
    for result in results {
        let id = result.monitor_id;
        let t = match targets.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(target(conn, id)?),
        };
        let Some(t) = t.as_ref().filter(|t| {
            t.active
                && probe.organization_id.is_none_or(|o| o == t.organization_id)
                && select::selects(&t.locations, &probe.labels)
        }) else {
            recorded.ignored += 1;
            continue;
        };
        let interval = chrono::Duration::seconds(i64::from(t.interval_seconds));
        // A slot further ahead than the next one is no check of this grid (a probe's clock gone
        // wrong): kept, it would stand as the location's latest result until that time.
        if result.due > now + interval {
            recorded.ignored += 1;
            continue;
        }
        let late = result.due + interval < now;
        let (checked_at, outcome) = bounded(result, now);
        store::record(conn, id, &from, (result.due, checked_at), &outcome, late)?;
        if late {
            recorded.late += 1;
        } else {
            recorded.accepted += 1;
        }
    }
    Ok(recorded)
}
