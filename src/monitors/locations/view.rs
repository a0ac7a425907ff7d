//! A monitor's locations as pages show them: each configured location expanded (the local
//! server, every probe a selector chose that has reported, a selector still waiting for one),
//! with its latest result and its last 24 hours. Served by `GET /monitors/{id}/locations` and
//! read by status pages.

use std::collections::BTreeMap;

use chrono::Duration;
use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Serialize;

use super::{quorum, select, slot, store};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::monitors::model::Monitor;
use crate::monitors::schedule::next_due;

/// Where a location stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum LocationStatus {
    Up,
    Down,
    /// Its latest result is older than two slots: the quorum goes on without it.
    Stale,
    /// No result yet.
    Waiting,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationView {
    /// "local" (this server) or the probe's id; absent for a selector no probe reported for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// "local" or the probe's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The entry of `locations` that chose it: "local" or a label `key=value`.
    pub selector: String,
    pub status: LocationStatus,
    pub last_checked_at: Option<Timestamp>,
    /// The slot its latest result was for.
    pub last_due: Option<Timestamp>,
    pub response_time_ms: Option<u32>,
    pub error: Option<String>,
    /// Percent of its results that passed in the last 24 hours (late ones left out).
    pub uptime24h: Option<f64>,
    pub checks24h: u32,
    /// Results that arrived after their monitor's interval in the last 24 hours.
    pub late_results24h: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Locations {
    /// Failing locations that make the monitor down, among those reporting now.
    pub quorum: u32,
    /// Locations with a result for one of the last two slots.
    pub reporting: u32,
    pub locations: Vec<LocationView>,
}

/// As the quorum sees it at `now`: fresh is a result for the last slot decided or the one
/// before; a location's latest result for an earlier slot is stale.
fn stale_before(m: &Monitor, now: Timestamp) -> Timestamp {
    let s = &m.settings;
    let interval = Duration::seconds(i64::from(s.interval_seconds));
    let decided_by = now - slot::decision_delay(s.interval_seconds, s.request_timeout_ms);
    let last_slot = next_due(m.id, s.interval_seconds, decided_by) - interval;
    slot::fresh_since(last_slot, s.interval_seconds, s.request_timeout_ms)
}

/// The monitor's locations at `now`.
pub fn of(conn: &Connection, m: &Monitor, now: Timestamp) -> Result<Locations> {
    if !select::has_selector(&m.settings.locations) {
        return Ok(local_only(m));
    }
    let counts = store::counts(conn, m.id, now - Duration::hours(24))?;
    with_counts(conn, m, now, &counts)
}

/// The monitor's locations at `now`, with their 24 hours' `counts` (empty: none shown).
fn with_counts(
    conn: &Connection,
    m: &Monitor,
    now: Timestamp,
    counts: &BTreeMap<String, store::Counts>,
) -> Result<Locations> {
    let stale_before = stale_before(m, now);
    let configured = &m.settings.locations;
    let mut views = Vec::new();
    let mut latest = store::latest(conn, m.id, crate::store::time::from_db(0))?;
    // The local server first, then probes by name.
    latest.sort_by(|a, b| {
        (a.location != select::LOCAL, &a.name).cmp(&(b.location != select::LOCAL, &b.name))
    });
    for l in latest {
        let selector = if l.location == select::LOCAL {
            select::includes_local(configured).then(|| select::LOCAL.to_owned())
        } else {
            select::matching(configured, &l.labels)
                .next()
                .map(str::to_owned)
        };
        let Some(selector) = selector else { continue };
        let c = counts.get(&l.location).copied().unwrap_or_default();
        let status = if l.due < stale_before {
            LocationStatus::Stale
        } else if l.outcome.ok() {
            LocationStatus::Up
        } else {
            LocationStatus::Down
        };
        views.push(LocationView {
            location: Some(l.location),
            name: Some(l.name),
            selector,
            status,
            last_checked_at: Some(l.checked_at),
            last_due: Some(l.due),
            response_time_ms: l.outcome.answered_in_ms(),
            error: l.outcome.error,
            uptime24h: (c.checks > 0).then(|| 100.0 * f64::from(c.passed) / f64::from(c.checks)),
            checks24h: c.checks,
            late_results24h: c.late,
        });
    }
    for entry in configured {
        if !views.iter().any(|v| &v.selector == entry) {
            views.push(LocationView {
                location: (entry == select::LOCAL).then(|| select::LOCAL.to_owned()),
                name: (entry == select::LOCAL).then(|| select::LOCAL.to_owned()),
                selector: entry.clone(),
                status: LocationStatus::Waiting,
                last_checked_at: None,
                last_due: None,
                response_time_ms: None,
                error: None,
                uptime24h: None,
                checks24h: 0,
                late_results24h: 0,
            });
        }
    }
    let reporting = views
        .iter()
        .filter(|v| matches!(v.status, LocationStatus::Up | LocationStatus::Down))
        .count() as u32;
    Ok(Locations {
        quorum: quorum::k(reporting, m.settings.quorum),
        reporting,
        locations: views,
    })
}

/// A monitor checked from this server only keeps no per-location results (its checks are its
/// own history): its one location is its last check.
fn local_only(m: &Monitor) -> Locations {
    use crate::monitors::model::ErrorKind;
    let status = match m.last_check_at {
        None => LocationStatus::Waiting,
        Some(_) if m.error_kind == ErrorKind::None => LocationStatus::Up,
        Some(_) => LocationStatus::Down,
    };
    let reporting = u32::from(m.last_check_at.is_some());
    Locations {
        quorum: quorum::k(reporting, m.settings.quorum),
        reporting,
        locations: vec![LocationView {
            location: Some(select::LOCAL.to_owned()),
            name: Some(select::LOCAL.to_owned()),
            selector: select::LOCAL.to_owned(),
            status,
            last_checked_at: m.last_check_at,
            last_due: None,
            response_time_ms: m.last_response_time_ms,
            error: m.last_error.clone(),
            uptime24h: None,
            checks24h: 0,
            late_results24h: 0,
        }],
    }
}

/// For status pages: the monitor's locations when it has any selector (None for a monitor
/// checked from this server only, the default), as (name, status) pairs.
pub fn for_status_page(
    conn: &Connection,
    m: &Monitor,
    now: Timestamp,
) -> Result<Option<Vec<(String, LocationStatus)>>> {
    if !select::has_selector(&m.settings.locations) {
        return Ok(None);
    }
    Ok(Some(
        // Without the 24 hours' counts, which the page does not show.
        with_counts(conn, m, now, &BTreeMap::new())?
            .locations
            .into_iter()
            .filter_map(|v| Some((v.name?, v.status)))
            .collect(),
    ))
}
