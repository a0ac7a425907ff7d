//! `maintenanceWindows`, through `maintenance`.

use rusqlite::Connection;

use super::{Section, id_of};
use crate::clock::Timestamp;
use crate::config::Entry;
use crate::config::body::{Raw, pick, typed};
use crate::error::{Error, Result};
use crate::ids::{MaintenanceId, OrgId};
use crate::maintenance::lifecycle;
use crate::maintenance::settings::{Settings, WindowInput};
use crate::maintenance::store::{self, Stored};

pub const SECTION: Section = Section {
    name: "maintenanceWindows",
    order_by: "title",
    export,
    create,
    update,
    delete,
    finish: None,
    secrets: super::no_secrets,
};

fn export(c: &Connection, org: OrgId) -> Result<Vec<Raw>> {
    store::all(c, org)?
        .into_iter()
        .map(|w| {
            Ok(Raw {
                entry: Entry::new(w.id.to_string(), pick::<WindowInput>(&w.settings)?),
                secrets: vec![],
            })
        })
        .collect()
}

fn settings(e: &Entry) -> Result<Settings> {
    Settings::from_input(typed::<WindowInput>(&e.body)?)
}

fn create(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    lifecycle::create_with_id(c, org, id_of(&e.id)?, &settings(e)?, now).map(drop)
}

fn stored(c: &Connection, org: OrgId, id: &str) -> Result<Stored> {
    let id: MaintenanceId = id_of(id)?;
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("maintenance window"))
}

/// A window's body is whole (as `PUT` would be): the entry replaces its settings.
fn update(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    lifecycle::update(c, &stored(c, org, &e.id)?, &settings(e)?, now).map(drop)
}

fn delete(c: &Connection, org: OrgId, id: &str, now: Timestamp) -> Result<()> {
    lifecycle::delete(c, &stored(c, org, id)?, now)
}
