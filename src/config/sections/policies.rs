//! `escalationPolicies`, through `notify::escalation`.

use rusqlite::Connection;

use super::{Section, id_of};
use crate::clock::Timestamp;
use crate::config::Entry;
use crate::config::body::{Raw, pick, typed};
use crate::error::Result;
use crate::ids::OrgId;
use crate::notify::escalation::routes::{PolicyInput, create_policy, update_policy};
use crate::notify::escalation::store;

pub const SECTION: Section = Section {
    name: "escalationPolicies",
    order_by: "name",
    export,
    create,
    update,
    delete,
    finish: None,
    secrets: super::no_secrets,
};

fn export(c: &Connection, org: OrgId) -> Result<Vec<Raw>> {
    store::list(c, org)?
        .into_iter()
        .map(|p| {
            Ok(Raw {
                entry: Entry::new(p.id.to_string(), pick::<PolicyInput>(&p)?),
                secrets: vec![],
            })
        })
        .collect()
}

fn create(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    create_policy(c, org, id_of(&e.id)?, typed(&e.body)?, now).map(drop)
}

fn update(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    update_policy(c, org, id_of(&e.id)?, typed(&e.body)?, now).map(drop)
}

fn delete(c: &Connection, org: OrgId, id: &str, _: Timestamp) -> Result<()> {
    store::delete(c, org, id_of(id)?).map(drop)
}
