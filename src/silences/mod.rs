//! Silences: ad-hoc mutes of notifications (not of checks) over a selection of sources (ids,
//! kinds, metadata tags, or all), until a required end at most 30 days away. Notify asks
//! `covering` before it sends anything about an incident and holds what a silence covers; a
//! silence ended early tells notify through the `ended` seam (installed at start-up), so held
//! notifications are decided at once. This feature imports no source feature: it learns a
//! source's kind and tags from the incidents' source registry.

pub mod model;
pub mod routes;
pub mod store;

use std::sync::OnceLock;

use rusqlite::Connection;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, SilenceId};
use crate::incidents::model::SourceType;
use crate::incidents::{silencer, source};
use crate::limits;
use model::{MAX_ACTIVE, Matchers, Silence, Subject, check_end};
use store::NewSilence;

/// Creates a checked silence, unless the organization already has the most in force.
pub fn create(conn: &Connection, new: &NewSilence<'_>, now: Timestamp) -> Result<Silence> {
    if store::count_active(conn, new.org, now)? >= MAX_ACTIVE {
        return Err(Error::conflict(
            "too_many_silences",
            format!("at most {MAX_ACTIVE} silences in force at once: end some first"),
        ));
    }
    let id = store::insert(conn, new, now)?;
    store::get(conn, new.org, id, now)?.ok_or_else(|| Error::internal("silence vanished"))
}

/// One silence naming the sources of selected incidents (`POST /incidents/bulk` action
/// `silence`, installed as `incidents::silencer`), by the rules of `POST /silences`. A matcher
/// names at most `limits::LIST` ids: a wider selection is refused, naming its field.
pub fn for_incidents(conn: &Connection, r: &silencer::Request, now: Timestamp) -> Result<String> {
    let ends_at = check_end("endsAt", now, r.ends_at)?;
    let reason = limits::optional("reason", r.reason.clone(), limits::SHORT, limits::line)?
        .unwrap_or_default();
    if r.source_ids.is_empty() {
        return Err(Error::invalid_field(
            r.selection_field,
            "none of these incidents has a source to silence (manual incidents have none)",
        ));
    }
    if r.source_ids.len() > limits::LIST {
        return Err(Error::invalid_field(
            r.selection_field,
            format!(
                "these incidents come from {} sources and a silence names at most {}: select fewer, or silence by tag or kind on the silences page",
                r.source_ids.len(),
                limits::LIST
            ),
        ));
    }
    let matchers = Matchers {
        source_ids: r.source_ids.clone(),
        ..Default::default()
    };
    matchers.validate()?;
    let new = NewSilence {
        org: r.org,
        matchers: &matchers,
        reason: &reason,
        ends_at,
        user: r.user,
        token: r.token,
    };
    Ok(create(conn, &new, now)?.id.to_string())
}

/// The silence in force now that covers a source, if any: the one that ends last.
pub fn covering(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: Option<&str>,
    now: Timestamp,
) -> Result<Option<Silence>> {
    Ok(all_covering(conn, org, Some(source_type), source_id, now)?
        .into_iter()
        .next())
}

/// Every silence in force now that covers a source, the latest end first. Without its type,
/// the source is known by its id alone (silences naming it, or covering all).
pub fn all_covering(
    conn: &Connection,
    org: OrgId,
    source_type: Option<SourceType>,
    source_id: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Silence>> {
    let active = store::active(conn, org, now)?;
    if active.is_empty() {
        return Ok(active);
    }
    let described = match source_type {
        Some(t) => source::describe(conn, org, t, source_id)?,
        None => None,
    };
    let subject = Subject {
        // A deleted source still has its id: a silence naming it keeps covering it.
        source_id: source_id.filter(|_| source_type != Some(SourceType::Manual)),
        kind: described.as_ref().map(|d| d.kind.as_str()),
        metadata: described.as_ref().map(|d| &d.metadata),
    };
    Ok(active
        .into_iter()
        .filter(|s| s.matchers.covers(&subject))
        .collect())
}

/// Told when a silence ends before its planned end, inside the write that ended it.
pub type EndListener = fn(&Connection, OrgId, SilenceId, Timestamp) -> Result<()>;

static ENDED: OnceLock<EndListener> = OnceLock::new();

/// Installs the listener (notify's); later calls keep the first.
pub fn on_end(listener: EndListener) {
    let _ = ENDED.set(listener);
}

fn ended(conn: &Connection, org: OrgId, id: SilenceId, now: Timestamp) -> Result<()> {
    crate::store::signals::changed(org, crate::store::signals::Subject::Silences);
    match ENDED.get() {
        Some(listener) => listener(conn, org, id, now),
        None => Ok(()),
    }
}
