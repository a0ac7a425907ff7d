//! The sources behind components, asked of their owners: a component must name a monitor or task
//! of the page's organization (a 422 naming the field otherwise), and a blank public name takes
//! the source's name when saved.

use rusqlite::Connection;

use super::model::{Settings, SourceKind};
use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};

/// The source's current name, None if `org` has no such monitor or task.
pub fn name_of(
    conn: &Connection,
    org: OrgId,
    kind: SourceKind,
    id: &str,
) -> Result<Option<String>> {
    Ok(match kind {
        SourceKind::Monitor => match id.parse::<MonitorId>() {
            Ok(id) => crate::monitors::store::get(conn, org, id)?.map(|m| m.settings.name),
            Err(_) => None,
        },
        SourceKind::Task => crate::tasks::store::get(conn, org, id)?.map(|t| t.name),
    })
}

/// Checks every component's source and fills blank public names.
pub fn resolve(conn: &Connection, org: OrgId, settings: &mut Settings) -> Result<()> {
    for (i, group) in settings.groups.iter_mut().enumerate() {
        for (j, c) in group.components.iter_mut().enumerate() {
            let Some(name) = name_of(conn, org, c.source_type, &c.source_id)? else {
                return Err(Error::invalid_field(
                    &format!("groups[{i}].components[{j}].sourceId"),
                    format!(
                        "no {} {:?} in this organization",
                        c.source_type.as_str(),
                        c.source_id
                    ),
                ));
            };
            if c.public_name.is_empty() {
                c.public_name = name;
            }
        }
    }
    Ok(())
}
