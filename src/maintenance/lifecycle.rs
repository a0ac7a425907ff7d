//! Each change of a window in one write: create, replace, end now, delete, and an occurrence
//! ending (the timer). When a window stops being in force, the organization's sources are
//! re-evaluated at once (`incidents::source::reevaluate`): one still failing opens its
//! incident then, with the window on its timeline.

use rusqlite::Connection;

use super::model::{Covered, Occurrence, Selection};
use super::rules::covers;
use super::settings::Settings;
use super::store::{self, Stored};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{MaintenanceId, OrgId};
use crate::incidents::cause::MaintenanceFacts;
use crate::incidents::model::{EventType, Payload, SourceType};
use crate::incidents::{self, source};
use crate::store::signals::{self, Subject};

/// The selected monitors and tasks exist in `org`; an unknown id is a 422 naming it. Ids the
/// window already had are not asked again: a source deleted since must not make the window
/// impossible to edit.
fn check_ids(conn: &Connection, org: OrgId, s: &Selection, had: &Selection) -> Result<()> {
    let named = s
        .monitor_ids
        .iter()
        .map(|m| {
            (
                "selection.monitorIds",
                SourceType::HttpMonitor,
                m.to_string(),
            )
        })
        .chain(
            s.task_ids
                .iter()
                .map(|t| ("selection.taskIds", SourceType::Task, t.clone())),
        );
    let known = |id: &str| {
        had.monitor_ids.iter().any(|m| m.to_string() == id) || had.task_ids.iter().any(|t| t == id)
    };
    for (field, source_type, id) in named {
        if known(&id) {
            continue;
        }
        if source::describe(conn, org, source_type, Some(&id))?.is_none() {
            return Err(Error::invalid_field(
                field,
                format!("{id:?} is not one of yours"),
            ));
        }
    }
    Ok(())
}

/// The occurrence the end timer waits for from `now`: the one in force, or the next.
fn replan(conn: &Connection, org: OrgId, id: MaintenanceId, now: Timestamp) -> Result<()> {
    let next = store::get(conn, org, id)?.and_then(|w| {
        let timing = w.settings.timing().ok()?;
        timing.upcoming(w.ended_at, now, 1).into_iter().next()
    });
    // Every change of a window replans it: live pages hear of all of them here.
    signals::changed(org, Subject::Maintenance);
    store::plan(conn, id, next)
}

pub fn create(conn: &Connection, org: OrgId, s: &Settings, now: Timestamp) -> Result<Stored> {
    create_with_id(conn, org, MaintenanceId::generate(), s, now)
}

/// As `create`, with the id chosen by the caller (a config document's, an import's).
pub fn create_with_id(
    conn: &Connection,
    org: OrgId,
    id: MaintenanceId,
    s: &Settings,
    now: Timestamp,
) -> Result<Stored> {
    if store::count(conn, org)? >= store::MAX_PER_ORG {
        return Err(Error::conflict(
            "too_many_windows",
            format!(
                "an organization has at most {} maintenance windows; delete old ones",
                store::MAX_PER_ORG
            ),
        ));
    }
    check_ids(conn, org, &s.selection, &Selection::default())?;
    store::insert_with_id(conn, org, id, s, now)?;
    replan(conn, org, id, now)?;
    store::get(conn, org, id)?.ok_or_else(|| Error::not_found("maintenance window"))
}

/// Replaces the settings of `w`; if it was in force and no longer is, its end takes effect now.
pub fn update(conn: &Connection, w: &Stored, s: &Settings, now: Timestamp) -> Result<Stored> {
    check_ids(conn, w.organization_id, &s.selection, &w.settings.selection)?;
    let before = w.current(now);
    store::update(conn, w.id, s, now)?;
    let after = store::get(conn, w.organization_id, w.id)?
        .ok_or_else(|| Error::not_found("maintenance window"))?;
    if let (Some(o), None) = (before, after.current(now)) {
        ended(conn, w, Occurrence { ends_at: now, ..o }, now)?;
    }
    replan(conn, w.organization_id, w.id, now)?;
    Ok(after)
}

/// Ends the occurrence in force now; a window not in force is a 409.
pub fn end_now(conn: &Connection, w: &Stored, now: Timestamp) -> Result<Stored> {
    let Some(o) = w.current(now) else {
        return Err(Error::conflict(
            "not_in_force",
            "this maintenance window is not in force",
        ));
    };
    store::set_ended(conn, w.id, now)?;
    ended(conn, w, Occurrence { ends_at: now, ..o }, now)?;
    replan(conn, w.organization_id, w.id, now)?;
    store::get(conn, w.organization_id, w.id)?.ok_or_else(|| Error::not_found("maintenance window"))
}

pub fn delete(conn: &Connection, w: &Stored, now: Timestamp) -> Result<()> {
    let before = w.current(now);
    store::delete(conn, w.id)?;
    signals::changed(w.organization_id, Subject::Maintenance);
    if let Some(o) = before {
        ended(conn, w, Occurrence { ends_at: now, ..o }, now)?;
    }
    Ok(())
}

/// How many windows one pass of the timer ends in a write.
pub const BATCH: u32 = 100;

/// Ends every occurrence planned to end by `now`, and plans each window's next. Returns how
/// many (a full batch means more may wait).
pub fn pass_ends(conn: &Connection, now: Timestamp) -> Result<usize> {
    let due = store::ended_by(conn, now, BATCH)?;
    for w in &due {
        if let Some(o) = w.planned {
            ended(conn, w, o, now)?;
        }
        replan(conn, w.organization_id, w.id, now)?;
    }
    Ok(due.len())
}

/// The sources of `org` that `selection` covers.
pub fn covered(conn: &Connection, org: OrgId, selection: &Selection) -> Result<Vec<Covered>> {
    Ok(source::list(conn, org)?
        .into_iter()
        .filter(|l| {
            covers(selection, l.source_type, &l.id, || {
                Some(l.described.clone())
            })
        })
        .map(|l| Covered {
            source_type: l.source_type,
            id: l.id,
            name: l.described.name,
            kind: l.described.kind,
        })
        .collect())
}

/// `w`'s occurrence `o` is over (the window is no longer in force at `now`): the sources of
/// its organization are re-evaluated, and each incident of a source it covered opened since
/// its end (now, or by a check recorded at the very end) says on its timeline that the source
/// was in maintenance.
fn ended(conn: &Connection, w: &Stored, o: Occurrence, now: Timestamp) -> Result<()> {
    let org = w.organization_id;
    source::reevaluate(conn, org, now)?;
    let facts = Payload::Maintenance(MaintenanceFacts {
        window_id: w.id,
        title: w.settings.title.clone(),
        starts_at: o.starts_at,
        ends_at: o.ends_at,
    });
    for c in covered(conn, org, &w.settings.selection)? {
        let Some(open) = incidents::store::open_for_source(conn, org, c.source_type, &c.id)? else {
            continue;
        };
        let opened_since =
            incidents::store::get(conn, org, open.id)?.is_some_and(|i| i.created_at >= o.ends_at);
        if opened_since {
            incidents::store::add_event(
                conn,
                open.id,
                now,
                None,
                EventType::MaintenanceEnded,
                Some(&facts),
            )?;
        }
    }
    Ok(())
}
