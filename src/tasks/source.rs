//! A task as a source of incidents: what incidents and notifications may know of it, and its
//! routing, written here only.

use rusqlite::Connection;

use super::model::Task;
use super::store;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::incidents::model::SourceType;
use crate::incidents::quiet;
use crate::incidents::source::{Described, Registration};
use crate::monitors::dependents::Linked;
use crate::monitors::upstreams::DependentType;
use crate::notify::routing::{self, Routing, RoutingInput};

pub const TYPES: &[SourceType] = &[SourceType::Task];

pub static REGISTRATION: Registration = Registration {
    types: TYPES,
    describe,
    forget_channel: store::forget_channel,
    url_has_credentials: false,
    named: store::ids_named,
    reevaluate: super::incident::reevaluate,
    list,
};

/// A task as a monitor's page lists its dependents (registered with `monitors::upstreams`).
pub fn as_dependent(conn: &Connection, org: OrgId, id: &str) -> Result<Option<Linked>> {
    Ok(store::get(conn, org, id)?.map(|t| Linked {
        kind: DependentType::Task,
        id: t.id,
        name: t.name,
        status: t.status.as_str().into(),
        quiet: None,
    }))
}

fn describe(conn: &Connection, org: OrgId, id: &str) -> Result<Option<Described>> {
    Ok(store::get(conn, org, id)?.map(described))
}

fn described(t: Task) -> Described {
    Described {
        name: t.name,
        masked_url: None,
        url: None,
        notification_channels: t.routing.notification_channels,
        renotify_minutes: t.routing.renotify_minutes,
        metadata: Default::default(),
        kind: "task".into(),
    }
}

/// Every task of `org` can be selected.
fn list(conn: &Connection, org: OrgId) -> Result<Vec<(String, Described)>> {
    let filter = store::Filter {
        limit: u32::MAX,
        ..Default::default()
    };
    Ok(store::list(conn, org, &filter)?
        .items
        .into_iter()
        .map(|t| (t.id.clone(), described(t)))
        .collect())
}

/// The task with why it is quiet at `now`, if it is (`quiet` in its JSON).
pub fn with_quiet(conn: &Connection, mut t: Task, now: Timestamp) -> Result<Task> {
    t.quiet = quiet::of(conn, t.organization_id, SourceType::Task, &t.id, now)?;
    Ok(t)
}

/// Applies `input` to the task's routing `current`; when that changes anything, stores it and
/// re-plans the re-notification of its open incident.
pub fn update_routing(
    conn: &Connection,
    org: OrgId,
    id: &str,
    current: &Routing,
    input: &RoutingInput,
    now: Timestamp,
) -> Result<()> {
    crate::notify::escalation::store::apply_choice(conn, org, "task", id, input)?;
    if let Some(routing) = routing::changed(conn, org, current, input)? {
        store::set_routing(conn, org, id, &routing)?;
        routing::replan(conn, org, TYPES, id, now)?;
    }
    Ok(())
}
