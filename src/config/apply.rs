//! Applying a document in one transaction, and planning it: the same changes made inside a
//! savepoint that is then rolled back, so a plan runs every feature's own validation and shows
//! what would really be stored.

use std::collections::HashSet;

use rusqlite::Connection;

use super::document::Document;
use super::export;
use super::plan::{Plan, diff};
use super::secrets;
use super::sections::ALL;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};
use crate::monitors::model::Monitor;

/// What was applied, and what the running server's scheduler must hear of after the commit.
pub struct Applied {
    pub plan: Plan,
    /// Each monitor the document or the prune touched: its due time before, itself after
    /// (None once deleted), for `monitors::actions::reschedule`.
    pub monitors: Vec<(MonitorId, Option<Timestamp>, Option<Monitor>)>,
}

/// What applying `document` to `org` would change; changes nothing. Secrets are read from the
/// process's environment.
pub fn plan(conn: &Connection, org: OrgId, document: &Document, prune: bool) -> Result<Plan> {
    plan_with(conn, org, document, prune, chrono::Utc::now(), Some(&env))
}

/// As `plan`, at `now` and with the environment `env` (None: the API's, which has none).
pub fn plan_with(
    conn: &Connection,
    org: OrgId,
    document: &Document,
    prune: bool,
    now: Timestamp,
    env: secrets::Env,
) -> Result<Plan> {
    conn.execute_batch("SAVEPOINT config_plan")?;
    let planned = run(conn, org, document, prune, now, env);
    conn.execute_batch("ROLLBACK TO config_plan; RELEASE config_plan")?;
    planned.map(|applied| applied.plan)
}

/// Applies `document` to `org`: all of it or, at the first error, nothing.
pub fn apply(
    conn: &Connection,
    org: OrgId,
    document: &Document,
    prune: bool,
    now: Timestamp,
) -> Result<Plan> {
    apply_with(conn, org, document, prune, now, Some(&env)).map(|applied| applied.plan)
}

/// As `apply`, with the environment `env`, answering what the scheduler must hear of.
pub fn apply_with(
    conn: &Connection,
    org: OrgId,
    document: &Document,
    prune: bool,
    now: Timestamp,
    env: secrets::Env,
) -> Result<Applied> {
    conn.execute_batch("SAVEPOINT config_apply")?;
    match run(conn, org, document, prune, now, env) {
        Ok(applied) => {
            conn.execute_batch("RELEASE config_apply")?;
            Ok(applied)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO config_apply; RELEASE config_apply")?;
            Err(e)
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn run(
    c: &Connection,
    org: OrgId,
    document: &Document,
    prune: bool,
    now: Timestamp,
    env: secrets::Env,
) -> Result<Applied> {
    // The features check references through their seams (a window's selection through the
    // source registry): connected here too for callers without an `App` (the CLI, importers).
    crate::app::connect_features();
    refuse_duplicates(document)?;
    let stored = export::raw(c, org)?;
    let before = export::current(&stored);
    let wanted = secrets::resolve(document, &stored, env)?;
    let monitor_ids = touched_monitors(&before, document);
    let due_before = monitor_ids
        .iter()
        .map(|id| {
            Ok((
                *id,
                crate::monitors::store::get(c, org, *id)?.and_then(|m| m.next_check_at),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let lines = &document.lines;
    for section in &ALL {
        let exists: HashSet<&str> = before
            .section(section.name)
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        for (i, entry) in wanted.section(section.name).iter().enumerate() {
            let at = format!("{}[{i}]", section.name);
            let done = if exists.contains(entry.id.as_str()) {
                // An update is not harmless: it bumps `updatedAt`, and a maintenance window's
                // clears its early end; what the document does not change is left alone.
                if unchanged(&before, &stored, section.name, entry) {
                    continue;
                }
                (section.update)(c, org, entry, now)
            } else {
                (section.create)(c, org, entry, now).map_err(|e| taken(e, &entry.id))
            };
            done.map_err(|e| lines.locate(&at, e))?;
        }
    }
    for section in &ALL {
        let Some(finish) = section.finish else {
            continue;
        };
        for (i, entry) in wanted.section(section.name).iter().enumerate() {
            let at = format!("{}[{i}]", section.name);
            finish(c, org, entry, now).map_err(|e| lines.locate(&at, e))?;
        }
    }
    if prune {
        for section in ALL.iter().rev() {
            let keep: HashSet<&str> = wanted
                .section(section.name)
                .iter()
                .map(|e| e.id.as_str())
                .collect();
            for old in before
                .section(section.name)
                .iter()
                .filter(|e| !keep.contains(e.id.as_str()))
            {
                (section.delete)(c, org, &old.id, now)?;
            }
        }
    }
    let after = export::current(&export::raw(c, org)?);
    let monitors = due_before
        .into_iter()
        .map(|(id, due)| Ok((id, due, crate::monitors::store::get(c, org, id)?)))
        .collect::<Result<_>>()?;
    Ok(Applied {
        plan: diff(&before, &after),
        monitors,
    })
}

/// Whether `entry` (secrets resolved) is what the export of the stored entity already says,
/// its secrets compared as the plan compares them: by digest.
fn unchanged(
    before: &Document,
    stored: &[(&'static str, Vec<super::body::Raw>)],
    section: &str,
    entry: &super::Entry,
) -> bool {
    let Some(current) = before.section(section).iter().find(|e| e.id == entry.id) else {
        return false;
    };
    let raw = stored
        .iter()
        .filter(|(name, _)| *name == section)
        .flat_map(|(_, raws)| raws)
        .find(|r| r.entry.id == entry.id);
    let mut wanted = entry.clone();
    for path in raw.map(|r| r.secrets.as_slice()).unwrap_or_default() {
        if let Some(slot) = super::body::at_path(&mut wanted.body, path) {
            *slot = secrets::digest(slot);
        }
    }
    wanted.body == current.body
}

/// An id twice in a section is refused, naming the second.
fn refuse_duplicates(document: &Document) -> Result<()> {
    for section in &ALL {
        let mut seen = HashSet::new();
        for (i, entry) in document.section(section.name).iter().enumerate() {
            if !seen.insert(entry.id.as_str()) {
                let field = format!("{}[{i}].id", section.name);
                let problem = format!("{:?} is already the id of an entry above", entry.id);
                return Err(document.lines.at(
                    &field,
                    Error::invalid_field(&field, &problem),
                    &problem,
                ));
            }
        }
    }
    Ok(())
}

/// A create that the store refused though no entity of the organization has the id: the id
/// is another organization's.
fn taken(e: Error, id: &str) -> Error {
    if e.is_internal() {
        Error::invalid_field(
            "id",
            format!(
                "{id:?} is the id of another organization's entity (or of an archived monitor)"
            ),
        )
    } else {
        e
    }
}

fn touched_monitors(before: &Document, document: &Document) -> Vec<MonitorId> {
    let mut ids: Vec<MonitorId> = before
        .monitors
        .iter()
        .chain(&document.monitors)
        .filter_map(|e| serde_json::from_value(serde_json::Value::String(e.id.clone())).ok())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
