//! The six sections: for each, what export reads and what apply calls, all through the owning
//! feature's functions (this module owns no table and writes none).

mod channels;
mod monitors;
mod pages;
mod policies;
mod tasks;
mod windows;

use rusqlite::Connection;
use serde::de::DeserializeOwned;

use super::Entry;
use super::body::Raw;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::OrgId;

pub struct Section {
    /// Its name in the document.
    pub name: &'static str,
    /// The field that orders an export (ties by id).
    pub order_by: &'static str,
    pub export: fn(&Connection, OrgId) -> Result<Vec<Raw>>,
    pub create: fn(&Connection, OrgId, &Entry, Timestamp) -> Result<()>,
    pub update: fn(&Connection, OrgId, &Entry, Timestamp) -> Result<()>,
    pub delete: fn(&Connection, OrgId, &str, Timestamp) -> Result<()>,
    /// Run once every entry of every section exists (monitors' `upstreams` name monitors).
    pub finish: Option<fn(&Connection, OrgId, &Entry, Timestamp) -> Result<()>>,
    /// The paths of an entry's secrets, as the feature would mask them once stored: the only
    /// places where a `${NAME}` is a reference (elsewhere it is text like any other).
    pub secrets: fn(&Entry) -> Vec<String>,
}

/// A section without secrets.
fn no_secrets(_: &Entry) -> Vec<String> {
    Vec::new()
}

/// The section named `name`.
pub fn by_name(name: &str) -> Option<&'static Section> {
    ALL.iter().find(|s| s.name == name)
}

/// In the document's order: a section refers only to those before it.
pub const ALL: [Section; 6] = [
    channels::SECTION,
    policies::SECTION,
    monitors::SECTION,
    tasks::SECTION,
    windows::SECTION,
    pages::SECTION,
];

/// An entry's `id` as the feature's id type.
fn id_of<T: DeserializeOwned>(id: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(id.to_owned()))
        .map_err(|_| Error::invalid_field("id", format!("{id:?} is not a UUID")))
}
