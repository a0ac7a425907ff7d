//! Imported tasks are named by id (`nightly-backup`), which a person may have chosen too.
//! Ids must not depend on the order of the source (a reordered export would rename tasks),
//! and an import must never take over a task it did not create. A task's kept ping key
//! (Healthchecks UUID, Kuma push token) says where it came from: an existing task holding
//! the key the import brings is the import's own; any other is left alone.

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::Value;

use super::{Entity, Report};
use crate::error::Result;
use crate::ids::OrgId;

/// The key a mapping puts beside a task's `id`: the id derived from the task's origin
/// (`<slug>-<uuid prefix>`, `kuma-push-<id>`) to use when the slug is not the import's.
/// `keep_own` always removes it, as the config document has no such field.
pub const ALT_ID: &str = "importAltId";

/// For each (slug, origin id): the slug when no other entry of the import wants it, else
/// the origin id, so the result does not depend on the entries' order.
pub fn choose(candidates: &[(String, String)]) -> Vec<String> {
    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for (slug, _) in candidates {
        *wanted.entry(slug).or_default() += 1;
    }
    candidates
        .iter()
        .map(|(slug, alt)| if wanted[slug.as_str()] > 1 { alt } else { slug }.clone())
        .collect()
}

/// Moves to its origin id (or drops, with a report line) each task of `document` whose id
/// is an existing task this import did not create, and follows the move in the maintenance
/// windows and status pages naming it.
pub fn keep_own(
    conn: &Connection,
    org: OrgId,
    document: &mut Value,
    report: &mut Report,
) -> Result<()> {
    let mut moves: Vec<(String, Option<String>)> = Vec::new();
    if let Some(tasks) = document["tasks"].as_array_mut() {
        let mut kept = Vec::new();
        for mut task in std::mem::take(tasks) {
            let alt = task
                .as_object_mut()
                .and_then(|t| t.remove(ALT_ID))
                .and_then(|a| a.as_str().map(str::to_owned));
            let id = task["id"].as_str().unwrap_or_default().to_owned();
            let key = task["pingKey"]
                .as_str()
                .map(crate::tasks::ping_keys::canonical);
            let name = task["name"].as_str().unwrap_or(&id).to_owned();
            if owned_or_free(conn, org, &id, key.as_deref())? {
                kept.push(task);
                continue;
            }
            let usable_alt = match (&alt, &key) {
                (Some(alt), Some(_)) if *alt != id => {
                    owned_or_free(conn, org, alt, key.as_deref())?.then_some(alt.clone())
                }
                _ => None,
            };
            match usable_alt {
                Some(alt) => {
                    report.approximated(
                        Entity::Task,
                        &name,
                        format!(
                            "task {id:?} exists and was not made by this import (its ping key \
                             differs): left alone, imported as {alt:?}"
                        ),
                    );
                    task["id"] = alt.clone().into();
                    moves.push((id, Some(alt)));
                    kept.push(task);
                }
                None => {
                    report.skipped(
                        Entity::Task,
                        &name,
                        format!(
                            "task {id:?} exists and this import cannot tell it made it (its ping \
                             key is not the one imported): left alone"
                        ),
                    );
                    moves.push((id, None));
                }
            }
        }
        *tasks = kept;
    }
    for (old, new) in &moves {
        for list in ["maintenanceWindows", "statusPages"] {
            retarget(&mut document[list], old, new.as_deref());
        }
    }
    Ok(())
}

/// No task `id` yet, or one holding `key`, the ping key the import brings for it.
fn owned_or_free(conn: &Connection, org: OrgId, id: &str, key: Option<&str>) -> Result<bool> {
    if !crate::tasks::store::exists(conn, org, id)? {
        return Ok(true);
    }
    let Some(key) = key else { return Ok(false) };
    Ok(crate::tasks::store::find_by_ping_key(conn, key)?
        .is_some_and(|holder| holder.organization_id == org && holder.id == id))
}

/// Renames (or removes) task `old` wherever `value` names it: in `taskIds` lists and in
/// `{sourceType: "task", sourceId}` components.
fn retarget(value: &mut Value, old: &str, new: Option<&str>) {
    let names_old = |v: &Value| v["sourceType"] == "task" && v["sourceId"] == old;
    match value {
        Value::Array(items) => {
            if new.is_none() {
                items.retain(|v| !names_old(v));
            }
            for item in items {
                retarget(item, old, new);
            }
        }
        Value::Object(map) => {
            if let (Some(new), true) = (new, names_old(&Value::Object(map.clone()))) {
                map.insert("sourceId".into(), new.into());
            }
            if let Some(Value::Array(ids)) = map.get_mut("taskIds") {
                ids.retain(|v| new.is_some() || v.as_str() != Some(old));
                for v in ids.iter_mut().filter(|v| v.as_str() == Some(old)) {
                    *v = new.unwrap_or_default().into();
                }
            }
            for (k, v) in map.iter_mut() {
                if k != "taskIds" {
                    retarget(v, old, new);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_slug_goes_to_every_entry_as_its_origin_id_whatever_the_order() {
        let a = ("backup".to_owned(), "backup-aaaa".to_owned());
        let b = ("backup".to_owned(), "backup-bbbb".to_owned());
        let c = ("db".to_owned(), "db-cccc".to_owned());
        assert_eq!(
            choose(&[a.clone(), b.clone(), c.clone()]),
            ["backup-aaaa", "backup-bbbb", "db"]
        );
        assert_eq!(choose(&[c, b, a]), ["db", "backup-bbbb", "backup-aaaa"]);
    }
}
