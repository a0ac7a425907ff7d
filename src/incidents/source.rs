//! What incidents know of their sources, asked of the feature that owns them: each feature
//! registers, at start-up, the source types it answers for and how to describe one (its name,
//! the URL receivers may see, its routing), so incidents and notifications never read another
//! feature's tables. Manual incidents have no registered source. Each also says how to apply
//! the current status of its sources to their incidents (`reevaluate`: when a reason to be
//! quiet ends, a source still failing opens its incident then) and lists them (for
//! selections, e.g. what a maintenance window covers).

use std::collections::BTreeMap;
use std::sync::RwLock;

use rusqlite::Connection;

use super::model::SourceType;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ChannelId, OrgId};

/// A source as incidents and notifications describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub name: String,
    /// The URL with its credentials masked: what anyone outside may see.
    pub masked_url: Option<String>,
    /// The URL as stored, for those who may edit the source.
    pub url: Option<String>,
    /// Channels its incidents notify; None: every channel of the organization.
    pub notification_channels: Option<Vec<ChannelId>>,
    /// Re-notification interval; None: the organization's.
    pub renotify_minutes: Option<u32>,
    /// The source's own metadata tags (none for a task), for selections and matchers.
    pub metadata: BTreeMap<String, String>,
    /// What it is: a monitor's kind (`http`, `tcp`, …) or `task`.
    pub kind: String,
}

/// A live source of an organization, as `list` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// The first of its feature's types (a monitor: `httpmonitor`).
    pub source_type: SourceType,
    pub id: String,
    pub described: Described,
}

/// A feature's answers about its sources.
pub struct Registration {
    /// The source types that mean this feature's rows (a monitor: `httpmonitor` and
    /// `tlscertificate`).
    pub types: &'static [SourceType],
    /// The source `id` of `org`, None if it does not exist (any more).
    pub describe: fn(&Connection, OrgId, &str) -> Result<Option<Described>>,
    /// Takes a deleted channel out of every source of `org` that chose it.
    pub forget_channel: fn(&Connection, OrgId, ChannelId) -> Result<()>,
    /// Whether the URL its incidents keep in their metadata may carry credentials.
    pub url_has_credentials: bool,
    /// The ids of `org`'s sources whose name holds the text (case-insensitively), at most
    /// [`NAMED`] of them: how an incident search finds a source renamed since.
    pub named: fn(&Connection, OrgId, &str) -> Result<Vec<String>>,
    /// Applies the current status of each of its sources in `org` to their incidents now: a
    /// failing source with no open incident opens it (through the feature's own rules, with
    /// its last known failure as cause), unless it is still quiet.
    pub reevaluate: fn(&Connection, OrgId, Timestamp) -> Result<()>,
    /// Its live (not archived) sources in `org`, with their ids.
    pub list: fn(&Connection, OrgId) -> Result<Vec<(String, Described)>>,
}

/// Sources of one feature an incident search looks at by name.
pub const NAMED: u32 = 1000;

static REGISTRY: RwLock<Vec<&'static Registration>> = RwLock::new(Vec::new());

/// Registers a feature's sources; registering the same one again changes nothing.
pub fn register(registration: &'static Registration) {
    let mut all = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|r| std::ptr::eq(*r, registration)) {
        all.push(registration);
    }
}

/// Every registration, copied out so callbacks run without holding the lock.
fn registrations() -> Vec<&'static Registration> {
    REGISTRY.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn registration(source_type: SourceType) -> Option<&'static Registration> {
    REGISTRY
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|r| r.types.contains(&source_type))
        .copied()
}

/// The source behind an incident; None for a manual one or a source that no longer exists.
pub fn describe(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: Option<&str>,
) -> Result<Option<Described>> {
    match (registration(source_type), source_id) {
        (Some(r), Some(id)) => (r.describe)(conn, org, id),
        _ => Ok(None),
    }
}

/// Whether incidents of this source type keep a URL that may carry credentials. A type nobody
/// registered (manual incidents; any other would be a wiring mistake) is masked all the same:
/// hiding a harmless URL costs less than showing a password.
pub fn url_has_credentials(source_type: SourceType) -> bool {
    registration(source_type).is_none_or(|r| r.url_has_credentials)
}

/// Takes a deleted channel out of every source that chose it.
pub fn forget_channel(conn: &Connection, org: OrgId, channel: ChannelId) -> Result<()> {
    let all = registrations();
    for r in all {
        (r.forget_channel)(conn, org, channel)?;
    }
    Ok(())
}

/// Sources of `org` whose name holds `text`, as (source type, id) pairs for every type meaning
/// them.
pub fn named(conn: &Connection, org: OrgId, text: &str) -> Result<Vec<(SourceType, String)>> {
    let all = registrations();
    let mut found = Vec::new();
    for r in all {
        for id in (r.named)(conn, org, text)? {
            found.extend(r.types.iter().map(|t| (*t, id.clone())));
        }
    }
    Ok(found)
}

/// Applies the current status of every source of `org` to its incidents (see
/// `Registration::reevaluate`): called when a reason to be quiet ends (a maintenance window, an
/// upstream's incident).
pub fn reevaluate(conn: &Connection, org: OrgId, now: Timestamp) -> Result<()> {
    let all = registrations();
    for r in all {
        (r.reevaluate)(conn, org, now)?;
    }
    Ok(())
}

/// Every live source of `org`, feature by feature.
pub fn list(conn: &Connection, org: OrgId) -> Result<Vec<Listed>> {
    let all = registrations();
    let mut listed = Vec::new();
    for r in all {
        let Some(source_type) = r.types.first() else {
            continue;
        };
        for (id, described) in (r.list)(conn, org)? {
            listed.push(Listed {
                source_type: *source_type,
                id,
                described,
            });
        }
    }
    Ok(listed)
}
