//! Queries on `tasks` (their runs are in `run_store`).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{RunBrief, Task};
use super::settings::TaskSettings;
use super::status::TaskStatus;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, OrgId};
use crate::monitors::upstreams::{self, DependentType};
use crate::notify::routing::Routing;
use crate::store::Page;
use crate::store::filter::{Order, Where};
use crate::store::signals::{self, Subject, Topic};
use crate::store::time::{from_db, opt_from_db, to_db};

const COLUMNS: &str =
    "organization_id, id, name, description, status, previous_status, last_status_change_at,
    cron_schedule, timezone, next_due_at, start_window_seconds, lateness_window_seconds,
    heartbeat_timeout_seconds, created_at, ping_key, deadline_at, notification_channels, renotify_minutes,
    period_seconds, on_calendar";

fn task_from_row(r: &Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        organization_id: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        status: r.get(4)?,
        previous_status: r.get(5)?,
        last_status_change_at: opt_from_db(r.get(6)?),
        cron_schedule: r.get(7)?,
        timezone: r.get(8)?,
        next_due_at: opt_from_db(r.get(9)?),
        start_window_seconds: r.get(10)?,
        lateness_window_seconds: r.get(11)?,
        heartbeat_timeout_seconds: r.get(12)?,
        created_at: from_db(r.get(13)?),
        ping_key: r.get(14)?,
        recent_runs: Vec::new(),
        deadline_at: opt_from_db(r.get(15)?),
        routing: Routing::from_columns(r.get(16)?, r.get(17)?),
        upstreams: Vec::new(),
        quiet: None,
        period_seconds: r.get(18)?,
        on_calendar: r.get(19)?,
    })
}

pub fn settings_of(t: &Task) -> TaskSettings {
    TaskSettings {
        name: t.name.clone(),
        description: t.description.clone(),
        cron_schedule: t.cron_schedule.clone(),
        timezone: t.timezone.clone(),
        start_window_seconds: t.start_window_seconds,
        lateness_window_seconds: t.lateness_window_seconds,
        heartbeat_timeout_seconds: t.heartbeat_timeout_seconds,
        period_seconds: t.period_seconds,
        on_calendar: t.on_calendar.clone(),
    }
}

/// Stores the period and OnCalendar kinds of schedule (after `insert` or `update_settings`,
/// which store the rest).
pub fn set_schedule_kinds(conn: &Connection, org: OrgId, id: &str, s: &TaskSettings) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET period_seconds = ?3, on_calendar = ?4
         WHERE organization_id = ?1 AND id = ?2",
    )?
    .execute(params![org, id, s.period_seconds, s.on_calendar])?;
    Ok(())
}

/// Where a task stands: what the lifecycle decides and the deadline timer acts on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskState {
    pub status: TaskStatus,
    pub next_due_at: Option<Timestamp>,
    pub deadline_at: Option<Timestamp>,
}

pub fn insert(
    conn: &Connection,
    org: OrgId,
    id: &str,
    s: &TaskSettings,
    state: TaskState,
    ping_key: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO tasks (organization_id, id, name, description, cron_schedule, timezone,
            start_window_seconds, lateness_window_seconds, heartbeat_timeout_seconds, status,
            last_status_change_at, next_due_at, deadline_at, ping_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?11)",
    )?
    .execute(params![
        org,
        id,
        s.name,
        s.description,
        s.cron_schedule,
        s.timezone,
        s.start_window_seconds,
        s.lateness_window_seconds,
        s.heartbeat_timeout_seconds,
        state.status,
        to_db(now),
        state.next_due_at.map(to_db),
        state.deadline_at.map(to_db),
        ping_key,
    ])
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Error::conflict("task_exists", format!("Task already exists: {id}"))
        }
        _ => e.into(),
    })?;
    signals::mark(Topic::TaskDeadlines);
    signals::changed(org, Subject::Tasks);
    Ok(())
}

/// A task with its last runs.
pub fn get(conn: &Connection, org: OrgId, id: &str) -> Result<Option<Task>> {
    get_row(conn, org, id)?
        .map(|t| with_recent_runs(conn, t))
        .transpose()
}

/// The task without what its page shows beside it (recent runs, upstreams): for the steps of
/// its life, which read the task at every ping and need neither.
pub fn get_row(conn: &Connection, org: OrgId, id: &str) -> Result<Option<Task>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE organization_id = ?1 AND id = ?2"
        ))?
        .query_row(params![org, id], task_from_row)
        .optional()?)
}

pub fn exists(conn: &Connection, org: OrgId, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM tasks WHERE organization_id = ?1 AND id = ?2)",
        )?
        .query_row(params![org, id], |r| r.get(0))?)
}

/// The task a ping key belongs to.
pub fn find_by_ping_key(conn: &Connection, key: &str) -> Result<Option<Task>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tasks WHERE ping_key = ?1"))?
        .query_row([key], task_from_row)
        .optional()?)
}

/// A task as shown: with its last runs and its upstreams.
fn with_recent_runs(conn: &Connection, mut task: Task) -> Result<Task> {
    task.upstreams = upstreams::of(conn, task.organization_id, DependentType::Task, &task.id)?;
    task.recent_runs = conn
        .prepare_cached(
            "SELECT started_at, status, completed_at, exit_code FROM task_runs
             WHERE organization_id = ?1 AND task_id = ?2 ORDER BY started_at DESC LIMIT 10",
        )?
        .query_map(params![task.organization_id, task.id], |r| {
            let started_at = from_db(r.get(0)?);
            let completed_at = opt_from_db(r.get(2)?);
            Ok(RunBrief {
                started_at,
                status: r.get(1)?,
                completed_at,
                exit_code: r.get(3)?,
                duration_ms: completed_at.map(|c| (c - started_at).num_milliseconds()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(task)
}

#[derive(Debug, Default)]
pub struct Filter {
    pub statuses: Vec<TaskStatus>,
    pub search: Option<String>,
    /// Tags every task must carry (`?tag=`).
    pub tags: Vec<crate::store::tags::Tag>,
    /// One of [`SORTS`]; default by name.
    pub order: Order,
    pub offset: u32,
    pub limit: u32,
}

/// What a list of tasks may be ordered by.
pub const SORTS: [(&str, &str); 5] = [
    ("name", "name COLLATE NOCASE"),
    ("id", "id"),
    ("status", "status"),
    ("createdAt", "created_at"),
    ("nextDueAt", "next_due_at"),
];

fn matching(org: OrgId, f: &Filter) -> Where {
    let mut w = Where::default();
    w.and("organization_id = ?", [SqlValue::Text(org.to_string())]);
    w.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    w.contains(&["name", "description", "id"], f.search.as_deref());
    // Tasks have no metadata column yet: no task carries a tag, so asking for one selects none.
    if !f.tags.is_empty() {
        w.and("0", []);
    }
    w
}

/// A page of tasks in the filter's order, with the organization's count and the filtered count.
pub fn list(conn: &Connection, org: OrgId, f: &Filter) -> Result<Page<Task>> {
    let total = matching(org, &Filter::default()).count(conn, "tasks")?;
    let w = matching(org, f);
    let filtered = w.count(conn, "tasks")?;
    let tasks = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
            w.sql(),
            f.order.sql("name COLLATE NOCASE", "id")
        ))?
        .query_map(
            rusqlite::params_from_iter(w.args_with_page(f.limit, f.offset)),
            task_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let tasks = tasks
        .into_iter()
        .map(|t| with_recent_runs(conn, t))
        .collect::<Result<_>>()?;
    Ok(Page {
        items: tasks,
        total,
        filtered,
    })
}

/// The ids of at most `limit` tasks matching the filter (its order and page ignored), for bulk
/// actions.
pub fn matching_ids(
    conn: &Connection,
    org: OrgId,
    f: &Filter,
    limit: usize,
) -> Result<Vec<String>> {
    Ok(matching(org, f).ids(conn, "tasks", "id", limit)?)
}

pub fn update_settings(conn: &Connection, org: OrgId, id: &str, s: &TaskSettings) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET name = ?3, description = ?4, cron_schedule = ?5, timezone = ?6,
            start_window_seconds = ?7, lateness_window_seconds = ?8, heartbeat_timeout_seconds = ?9
         WHERE organization_id = ?1 AND id = ?2",
    )?
    .execute(params![
        org,
        id,
        s.name,
        s.description,
        s.cron_schedule,
        s.timezone,
        s.start_window_seconds,
        s.lateness_window_seconds,
        s.heartbeat_timeout_seconds
    ])?;
    signals::changed(org, Subject::Tasks);
    Ok(())
}

/// Stores a task's new state; a status change also records the previous status and when.
/// A state the task already has writes nothing: most pings leave a healthy task healthy, and
/// rewriting its row would cost a page in the write-ahead log and wake the deadline timer.
pub fn set_state(conn: &Connection, t: &Task, state: TaskState, now: Timestamp) -> Result<()> {
    let changed = state.status != t.status;
    let written = conn
        .prepare_cached(
            "UPDATE tasks SET status = ?3, next_due_at = ?4, deadline_at = ?5,
                previous_status = CASE WHEN ?6 THEN status ELSE previous_status END,
                last_status_change_at = CASE WHEN ?6 THEN ?7 ELSE last_status_change_at END
             WHERE organization_id = ?1 AND id = ?2
               AND NOT (status = ?3 AND next_due_at IS ?4 AND deadline_at IS ?5)",
        )?
        .execute(params![
            t.organization_id,
            t.id,
            state.status,
            state.next_due_at.map(to_db),
            state.deadline_at.map(to_db),
            changed,
            to_db(now)
        ])?;
    if written == 0 {
        return Ok(());
    }
    signals::mark(Topic::TaskDeadlines);
    if changed {
        signals::changed(t.organization_id, Subject::Tasks);
    }
    Ok(())
}

pub fn set_ping_key(conn: &Connection, org: OrgId, id: &str, key: &str) -> Result<()> {
    conn.prepare_cached("UPDATE tasks SET ping_key = ?3 WHERE organization_id = ?1 AND id = ?2")?
        .execute(params![org, id, key])?;
    Ok(())
}

pub fn set_routing(conn: &Connection, org: OrgId, id: &str, routing: &Routing) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET notification_channels = ?3, renotify_minutes = ?4
         WHERE organization_id = ?1 AND id = ?2",
    )?
    .execute(params![
        org,
        id,
        routing.channels_column(),
        routing.renotify_minutes
    ])?;
    Ok(())
}

/// Takes a deleted channel out of the tasks of `org` that chose it.
pub fn forget_channel(conn: &Connection, org: OrgId, channel: ChannelId) -> Result<()> {
    conn.prepare_cached(&crate::notify::routing::forget_channel_sql("tasks"))?
        .execute(params![org, channel])?;
    Ok(())
}

/// Tasks by status, over all organizations (`/metrics`).
pub fn count_by_status(conn: &Connection) -> Result<Vec<(String, i64)>> {
    Ok(conn
        .prepare_cached("SELECT status, COUNT(*) FROM tasks GROUP BY status ORDER BY status")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Deletes a task with its runs and logs; false if there was none.
pub fn delete(conn: &Connection, org: OrgId, id: &str) -> Result<bool> {
    upstreams::set(conn, org, DependentType::Task, id, &[])?;
    signals::changed(org, Subject::Tasks);
    Ok(conn
        .prepare_cached("DELETE FROM tasks WHERE organization_id = ?1 AND id = ?2")?
        .execute(params![org, id])?
        == 1)
}

/// Tasks whose status changes by itself at `now` or before, oldest deadline first.
pub fn past_deadline(conn: &Connection, now: Timestamp, limit: u32) -> Result<Vec<Task>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE deadline_at <= ?1 ORDER BY deadline_at LIMIT ?2"
        ))?
        .query_map(params![to_db(now), limit], task_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The next instant a task deadline or a run's heartbeat deadline passes.
pub fn earliest_deadline(conn: &Connection) -> Result<Option<Timestamp>> {
    let ms: Option<i64> = conn
        .prepare_cached(
            "SELECT MIN(t) FROM (
                SELECT MIN(deadline_at) AS t FROM tasks WHERE deadline_at IS NOT NULL
                UNION ALL
                SELECT MIN(dead_at) FROM task_runs WHERE status = 'running')",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(opt_from_db(ms))
}

/// Ids of `org`'s tasks whose name holds `text` (incident search).
pub fn ids_named(conn: &Connection, org: OrgId, text: &str) -> Result<Vec<String>> {
    let limit = crate::incidents::source::NAMED;
    Ok(crate::store::filter::ids_named(
        conn, "tasks", org, text, limit,
    )?)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::store::{Create, open_migrated};

    /// An organization with one healthy ad-hoc task, `job`; returns the organization.
    pub fn one_task(conn: &Connection) -> OrgId {
        conn.execute_batch(
            "INSERT INTO organizations (id, name, display_name, created_at, updated_at)
             VALUES ('00000000-0000-7000-8000-000000000001', 'acme', 'Acme', 0, 0);
             INSERT INTO tasks (organization_id, id, name, start_window_seconds, lateness_window_seconds,
                 heartbeat_timeout_seconds, status, ping_key, created_at)
             VALUES ('00000000-0000-7000-8000-000000000001', 'job', 'job', 120, 240, 30, 'healthy', 'k', 0);",
        )
        .unwrap();
        "00000000-0000-7000-8000-000000000001".parse().unwrap()
    }

    /// Most pings leave a healthy task healthy: its row is then not written again (no page for
    /// the write-ahead log, no wake-up of the deadline timer). A change is written, with the
    /// status it leaves and when.
    #[test]
    fn a_state_the_task_already_has_is_not_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_migrated(dir.path(), Create::IfMissing).unwrap();
        let org = one_task(&conn);
        let task = get_row(&conn, org, "job").unwrap().unwrap();
        let now = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(1);
        let same = TaskState {
            status: task.status,
            next_due_at: task.next_due_at,
            deadline_at: task.deadline_at,
        };
        let (changes, marks) = (conn.total_changes(), signals::count());
        set_state(&conn, &task, same, now).unwrap();
        assert_eq!(conn.total_changes(), changes, "the row written again");
        assert_eq!(
            signals::count(),
            marks,
            "the deadline timer woken for nothing"
        );

        let failing = TaskState {
            status: TaskStatus::Failing,
            ..same
        };
        set_state(&conn, &task, failing, now).unwrap();
        let stored = get_row(&conn, org, "job").unwrap().unwrap();
        assert_eq!(
            (
                stored.status,
                stored.previous_status,
                stored.last_status_change_at
            ),
            (TaskStatus::Failing, Some(TaskStatus::Healthy), Some(now))
        );
        assert!(
            signals::count() > marks,
            "a change wakes the deadline timer"
        );
    }
}
