//! Ping keys an import keeps (Healthchecks UUIDs, Uptime Kuma push tokens) must be free in the
//! instance: one held by another task would fail the whole document. Such a task is imported
//! with a new key instead, and the report says its old URL will not work.

use rusqlite::Connection;
use serde_json::Value;

use super::{Entity, Report};
use crate::error::Result;
use crate::ids::OrgId;

/// Drops from `document`'s tasks each `pingKey` another task (or organization) holds.
pub fn keep_free(
    conn: &Connection,
    org: OrgId,
    document: &mut Value,
    report: &mut Report,
) -> Result<()> {
    let Some(tasks) = document["tasks"].as_array_mut() else {
        return Ok(());
    };
    for task in tasks {
        let (Some(id), Some(key)) = (task["id"].as_str(), task["pingKey"].as_str()) else {
            continue;
        };
        let key = crate::tasks::ping_keys::canonical(key);
        if crate::tasks::ping_keys::check_free(conn, &key, Some((org, id))).is_err() {
            let name = task["name"].as_str().unwrap_or(id).to_owned();
            report.approximated(
                Entity::Task,
                &name,
                "its ping key is another task's already: given a new one, so its old ping URL will not work",
            );
            if let Some(map) = task.as_object_mut() {
                map.remove("pingKey");
            }
        }
    }
    Ok(())
}
