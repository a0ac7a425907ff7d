//! A page created with the id its caller chose, or replaced by a whole create body: for a
//! config document applied (and an import), with `POST /status-pages`'s checks.

use rusqlite::Connection;

use super::routes::checked;
use super::settings::PageInput;
use super::store::{self, Stored};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, StatusPageId};

pub fn create(
    c: &Connection,
    org: OrgId,
    id: StatusPageId,
    input: PageInput,
    now: Timestamp,
) -> Result<Stored> {
    if store::count(c, org)? >= store::MAX_PER_ORG {
        return Err(Error::conflict(
            "too_many_status_pages",
            format!(
                "an organization has at most {} status pages",
                store::MAX_PER_ORG
            ),
        ));
    }
    let s = checked(c, org, input)?;
    store::insert_with_id(c, org, id, &s, now)?;
    super::changed(org);
    store::get(c, org, id)?.ok_or_else(|| Error::internal("the page just stored is gone"))
}

/// The page `current` with every setting from `input`. A component that names no id keeps the
/// id of the component of the same source already on the page, so its badge and links stay.
pub fn replace(
    c: &Connection,
    current: &Stored,
    mut input: PageInput,
    now: Timestamp,
) -> Result<Stored> {
    let kept: Vec<_> = current
        .settings
        .groups
        .iter()
        .flat_map(|g| &g.components)
        .collect();
    for component in input.groups.iter_mut().flat_map(|g| &mut g.components) {
        if component.id.is_none() {
            component.id = kept
                .iter()
                .find(|k| {
                    k.source_type == component.source_type && k.source_id == component.source_id
                })
                .map(|k| k.id);
        }
    }
    let org = current.organization_id;
    let s = checked(c, org, input)?;
    store::update(c, current.id, &s, now)?;
    super::changed(org);
    store::get(c, org, current.id)?.ok_or_else(|| Error::internal("the page just stored is gone"))
}
