//! A one-off window from now over a selection of monitors or tasks: action `maintenance` of
//! `POST /monitors/bulk` and `POST /tasks/bulk` (those features call it; this one knows them
//! only through `incidents::source`). The window goes through the same settings and lifecycle
//! as `POST /maintenance-windows`, so the same refusals apply.

use rusqlite::Connection;

use super::lifecycle;
use super::model::Selection;
use super::settings::{Settings, WindowInput};
use super::store::Stored;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};
use crate::limits;

/// The window a bulk action asks for, unchecked.
pub struct Request {
    pub org: OrgId,
    /// Default: "Maintenance".
    pub title: Option<String>,
    pub ends_at: Timestamp,
    pub pause_checks: bool,
    pub monitor_ids: Vec<MonitorId>,
    pub task_ids: Vec<String>,
    /// The field that made the selection (`ids` or `filter`), named when it is too wide.
    pub selection_field: &'static str,
}

/// Ids of one type a window names (as `selection.monitorIds`, `selection.taskIds`).
pub const MAX_IDS: usize = limits::LIST;

/// A selection of `count` monitors or tasks fits in one window; else a 422 naming `field`
/// that says what to do instead. Callers ask before reading a wide selection.
pub fn check_size(field: &str, count: usize) -> Result<()> {
    if count > MAX_IDS {
        return Err(Error::invalid_field(
            field,
            format!(
                "selects {count} and a window names at most {MAX_IDS}: tag them (action tag), then create a window over the tag"
            ),
        ));
    }
    Ok(())
}

/// Checks and creates the window inside the caller's write, in force from `now`.
pub fn create(conn: &Connection, r: Request, now: Timestamp) -> Result<Stored> {
    if r.monitor_ids.is_empty() && r.task_ids.is_empty() {
        return Err(Error::invalid_field(
            r.selection_field,
            "selects nothing to put into maintenance",
        ));
    }
    check_size(r.selection_field, r.monitor_ids.len())?;
    check_size(r.selection_field, r.task_ids.len())?;
    if r.ends_at <= now {
        return Err(Error::invalid_field("endsAt", "must be in the future"));
    }
    let settings = Settings::from_input(WindowInput {
        title: r.title.unwrap_or_else(|| "Maintenance".to_owned()),
        description: None,
        starts_at: Some(now),
        ends_at: Some(r.ends_at),
        cron_schedule: None,
        timezone: None,
        duration_minutes: None,
        selection: Selection {
            monitor_ids: r.monitor_ids,
            task_ids: r.task_ids,
            ..Selection::default()
        },
        pause_checks: r.pause_checks,
    })?;
    lifecycle::create(conn, r.org, &settings, now)
}
