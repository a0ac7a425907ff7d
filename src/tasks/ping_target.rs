//! Which task a ping URL names: `/ping/{key}…` by the task's own key (a UUID in any case), or
//! `/ping/{orgKey}/{taskId}…` by the organization's key and the task's id (Healthchecks' slug
//! URLs), the task made by its first ping when the URL asks with `?create=1`.

use rusqlite::Connection;

use super::lifecycle;
use super::model::Task;
use super::ping_keys;
use super::settings::{TaskSettings, check_id, check_not_reserved};
use super::source;
use super::store;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::notify::routing::{Routing, RoutingInput};

/// The task a ping is for, as stored.
pub struct Located {
    pub task: Task,
    /// Made by this ping (`?create=1`): the answer is Healthchecks' `201 Created`.
    pub created: bool,
}

fn unknown_key() -> Error {
    Error::not_found("ping key")
}

/// The task whose own ping key `key` is.
pub fn by_task_key(conn: &Connection, key: &str) -> Result<Option<Located>> {
    let found = store::find_by_ping_key(conn, &ping_keys::canonical(key))?;
    Ok(found.map(|task| Located {
        task,
        created: false,
    }))
}

/// The task `slug` (its id) of the organization whose ping key `org_key` is; with `create`, a
/// new ad-hoc task when the id is free and valid (the organization's key is the credential).
pub fn by_slug(
    conn: &Connection,
    org_key: &str,
    slug: &str,
    create: bool,
    now: Timestamp,
) -> Result<Located> {
    let org = ping_keys::org_by_key(conn, org_key)?.ok_or_else(unknown_key)?;
    if let Some(task) = store::get_row(conn, org, slug)? {
        return Ok(Located {
            task,
            created: false,
        });
    }
    if !create {
        return Err(Error::not_found("task"));
    }
    let id = check_id(slug)?;
    check_not_reserved(&id)?;
    lifecycle::create(
        conn,
        org,
        &id,
        &TaskSettings::created_by_ping(&id),
        None,
        now,
    )?;
    // As a task created by `/tasks/{id}/start`: the organization's default routing.
    let routing = RoutingInput::default();
    source::update_routing(conn, org, &id, &Routing::default(), &routing, now)?;
    let task = store::get_row(conn, org, &id)?.ok_or_else(|| Error::not_found("task"))?;
    Ok(Located {
        task,
        created: true,
    })
}
