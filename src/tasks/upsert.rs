//! A task created or changed from a body inside the caller's write: what `POST /tasks` and
//! `PATCH /tasks/{id}` do, for a config document applied (and an import).

use rusqlite::Connection;

use super::lifecycle;
use super::model::Task;
use super::settings::{TaskInput, TaskSettings, check_id, check_not_reserved};
use super::source;
use super::store;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::OrgId;
use crate::monitors::upstreams::{self, DependentType};
use crate::notify::routing::Routing;

/// A new task of `org` from a create body (its `id` required).
pub fn create(c: &Connection, org: OrgId, mut input: TaskInput, now: Timestamp) -> Result<Task> {
    let routing_input = std::mem::take(&mut input.routing);
    let upstreams_input = std::mem::take(&mut input.upstreams);
    let ping_key = input.ping_key.take().map(|k| super::ping_keys::chosen(&k));
    let ping_key = ping_key.transpose()?;
    let id = check_id(
        input
            .id
            .as_deref()
            .ok_or_else(|| Error::invalid_field("id", "is required"))?,
    )?;
    check_not_reserved(&id)?;
    let settings = TaskSettings::defaults(&id).apply(&id, input)?;
    lifecycle::create(c, org, &id, &settings, ping_key.as_deref(), now)?;
    source::update_routing(c, org, &id, &Routing::default(), &routing_input, now)?;
    upstreams::apply(c, org, DependentType::Task, &id, &upstreams_input)?;
    store::get(c, org, &id)?.ok_or_else(|| Error::not_found("task"))
}

/// `task` with a change body applied; absent fields keep their value.
pub fn update(c: &Connection, task: &Task, mut input: TaskInput, now: Timestamp) -> Result<Task> {
    let routing_input = std::mem::take(&mut input.routing);
    let upstreams_input = std::mem::take(&mut input.upstreams);
    let ping_key = input.ping_key.take().map(|k| super::ping_keys::chosen(&k));
    let ping_key = ping_key.transpose()?;
    let settings = store::settings_of(task).apply(&task.id, input)?;
    let org = task.organization_id;
    if let Some(key) = &ping_key {
        super::ping_keys::check_free(c, key, Some((org, &task.id)))?;
        store::set_ping_key(c, org, &task.id, key)?;
    }
    source::update_routing(c, org, &task.id, &task.routing, &routing_input, now)?;
    upstreams::apply(c, org, DependentType::Task, &task.id, &upstreams_input)?;
    lifecycle::update(c, task, &settings, now)
}
