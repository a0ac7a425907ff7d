//! Creating a monitor and changing one from a body: what `POST /monitors` and
//! `PATCH /monitors/{id}` do inside their write, also for callers that choose the id (a config
//! document applied, an import).

use rusqlite::Connection;

use super::model::{Monitor, MonitorStatus};
use super::settings::{MonitorInput, Settings};
use super::source;
use super::store;
use super::upstreams::{self, DependentType};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};
use crate::notify::routing::Routing;

/// A new monitor `id` of `org` from a create body (its kind's defaults, routing, upstreams).
pub fn create(
    c: &Connection,
    org: OrgId,
    id: MonitorId,
    mut input: MonitorInput,
    now: Timestamp,
) -> Result<Monitor> {
    let routing_input = std::mem::take(&mut input.routing);
    let upstreams_input = std::mem::take(&mut input.upstreams);
    let active = input.is_active.unwrap_or(true);
    let settings = Settings::create(input)?;
    store::insert_with_id(c, org, id, &settings, active, now)?;
    source::update_routing(c, org, id, &Routing::default(), &routing_input, now)?;
    upstreams::apply(
        c,
        org,
        DependentType::Monitor,
        &id.to_string(),
        &upstreams_input,
    )?;
    store::get_any(c, id)?.ok_or_else(|| Error::not_found("monitor"))
}

/// `current` with a change body applied (absent fields keep their value); an archived monitor
/// is not changed (409).
pub fn update(
    c: &Connection,
    current: &Monitor,
    mut input: MonitorInput,
    now: Timestamp,
) -> Result<Monitor> {
    if current.status == MonitorStatus::Archived {
        return Err(Error::conflict(
            "monitor_archived",
            "an archived monitor cannot be changed",
        ));
    }
    let routing_input = std::mem::take(&mut input.routing);
    let upstreams_input = std::mem::take(&mut input.upstreams);
    let settings = current.settings.clone().apply(input)?;
    let (org, id) = (current.organization_id, current.id);
    source::update_routing(c, org, id, &current.routing, &routing_input, now)?;
    upstreams::apply(
        c,
        org,
        DependentType::Monitor,
        &id.to_string(),
        &upstreams_input,
    )?;
    store::update_settings(c, current, &settings, now)
}
