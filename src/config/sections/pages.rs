//! `statusPages`, through `status_pages` (components by their source; a component of the same
//! source keeps its id).

use rusqlite::Connection;
use serde_json::Value;

use super::{Section, id_of};
use crate::clock::Timestamp;
use crate::config::Entry;
use crate::config::body::{Raw, pick, typed};
use crate::error::{Error, Result};
use crate::ids::{OrgId, StatusPageId};
use crate::status_pages::settings::PageInput;
use crate::status_pages::store::{self, Stored};
use crate::status_pages::upsert;

pub const SECTION: Section = Section {
    name: "statusPages",
    order_by: "slug",
    export,
    create,
    update,
    delete,
    finish: None,
    secrets: super::no_secrets,
};

fn export(c: &Connection, org: OrgId) -> Result<Vec<Raw>> {
    let mut out = Vec::new();
    for page in store::list(c, org, 0, u32::MAX)?.items {
        let mut body = pick::<PageInput>(&page.settings)?;
        // Components are named by their source: their ids are the server's.
        if let Some(Value::Array(groups)) = body.get_mut("groups") {
            for group in groups {
                if let Some(Value::Array(components)) = group.get_mut("components") {
                    for component in components.iter_mut().filter_map(Value::as_object_mut) {
                        component.remove("id");
                    }
                }
            }
        }
        out.push(Raw {
            entry: Entry::new(page.id.to_string(), body),
            secrets: vec![],
        });
    }
    Ok(out)
}

fn create(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    upsert::create(c, org, id_of(&e.id)?, typed(&e.body)?, now).map(drop)
}

fn stored(c: &Connection, org: OrgId, id: &str) -> Result<Stored> {
    let id: StatusPageId = id_of(id)?;
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("status page"))
}

fn update(c: &Connection, org: OrgId, e: &Entry, now: Timestamp) -> Result<()> {
    upsert::replace(c, &stored(c, org, &e.id)?, typed(&e.body)?, now).map(drop)
}

fn delete(c: &Connection, org: OrgId, id: &str, _: Timestamp) -> Result<()> {
    let page = stored(c, org, id)?;
    store::delete(c, page.id)?;
    crate::status_pages::changed(org);
    Ok(())
}
