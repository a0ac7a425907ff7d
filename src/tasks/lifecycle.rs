//! The steps of a task's life, each run inside one write so the task, its runs and its incident
//! never disagree: create, change, start, heartbeat, finish, and the deadlines passing (due →
//! late → absent, runs without heartbeats declared dead).

use rusqlite::Connection;

use super::incident::{self, TaskEvent};
use super::model::{Task, TaskRun};
use super::run_store::{self, Completion};
use super::settings::{TaskSettings, parse_schedule};
use super::status::{FinishStatus, RunStatus, TaskStatus, finished_run};
use super::store::{self, TaskState};
use super::timing::Timing;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::OrgId;

/// A new random ping key: 128 bits, URL-safe.
pub fn new_ping_key() -> String {
    hex::encode(&crate::secret::generate()[..16])
}

/// Where a task rests between occurrences after its last run.
pub fn resting_after(last: Option<RunStatus>) -> TaskStatus {
    match last {
        Some(RunStatus::Failed | RunStatus::Dead) => TaskStatus::Failing,
        _ => TaskStatus::Healthy,
    }
}

/// A task that is not running, waiting for its next occurrence after `now` (none for an ad-hoc
/// task, nor for a period task never pinged: `pinged` says whether it has had a run).
fn resting_state(
    resting: TaskStatus,
    timing: Option<&Timing>,
    run_started: Option<Timestamp>,
    pinged: bool,
    now: Timestamp,
) -> TaskState {
    let next = timing.and_then(|t| t.next_expected(run_started, pinged, now));
    TaskState {
        status: resting,
        next_due_at: next,
        deadline_at: next,
    }
}

pub(super) fn schedule_of(task: &Task) -> Result<Option<Timing>> {
    Timing::of(&store::settings_of(task))
}

fn not_found() -> Error {
    Error::not_found("task")
}

fn not_running() -> Error {
    Error::bad_request("task_not_running", "Task is not running")
}

pub fn create(
    conn: &Connection,
    org: OrgId,
    id: &str,
    settings: &TaskSettings,
    ping_key: Option<&str>,
    now: Timestamp,
) -> Result<Task> {
    let ping_key = match ping_key {
        Some(chosen) => super::ping_keys::chosen(chosen)?,
        None => new_ping_key(),
    };
    let state = resting_state(
        TaskStatus::Healthy,
        Timing::of(settings)?.as_ref(),
        None,
        false,
        now,
    );
    super::ping_keys::check_free(conn, &ping_key, None)?;
    store::insert(conn, org, id, settings, state, &ping_key, now)?;
    store::set_schedule_kinds(conn, org, id, settings)?;
    store::get(conn, org, id)?.ok_or_else(not_found)
}

/// Applies new settings; a new schedule, zone or window restarts the wait from `now`.
pub fn update(
    conn: &Connection,
    task: &Task,
    settings: &TaskSettings,
    now: Timestamp,
) -> Result<Task> {
    let before = store::settings_of(task);
    store::update_settings(conn, task.organization_id, &task.id, settings)?;
    store::set_schedule_kinds(conn, task.organization_id, &task.id, settings)?;
    let timing_changed = (
        &before.cron_schedule,
        &before.timezone,
        before.start_window_seconds,
        before.lateness_window_seconds,
        (before.period_seconds, &before.on_calendar),
    ) != (
        &settings.cron_schedule,
        &settings.timezone,
        settings.start_window_seconds,
        settings.lateness_window_seconds,
        (settings.period_seconds, &settings.on_calendar),
    );
    if timing_changed && task.status != TaskStatus::Running {
        let last = run_store::last_run_status(conn, task.organization_id, &task.id)?;
        let timing = Timing::of(settings)?;
        let pinged = last.is_some();
        let state = resting_state(resting_after(last), timing.as_ref(), None, pinged, now);
        store::set_state(conn, task, state, now)?;
    }
    store::get(conn, task.organization_id, &task.id)?.ok_or_else(not_found)
}

/// How long a run started by a ping URL (which cannot send heartbeats) may take at least before
/// it is declared dead.
pub const PING_RUN_TIMEOUT: u32 = 3600;

/// How long a run a ping URL started on a period task has to end, as Healthchecks gives a
/// started check: the grace after the start, or after the expected time if that came first.
/// None when the task is already past its grace (late or absent): Healthchecks then sets no
/// deadline and waits for the end ping, so the run gets the timeout of other ping-started runs
/// instead of dying a second later and losing its duration.
fn started_run_grace(task: &Task, now: Timestamp) -> Option<u32> {
    let from = task.next_due_at.map_or(now, |due| due.min(now));
    let end = from + chrono::Duration::seconds(task.start_window_seconds.into());
    u32::try_from((end - now).num_seconds())
        .ok()
        .filter(|left| *left > 0)
}

/// Deletes a task with its runs; its open incident is resolved (the history stays).
pub fn delete(conn: &Connection, task: &Task, now: Timestamp) -> Result<()> {
    incident::close(conn, task, now)?;
    store::delete(conn, task.organization_id, &task.id).map(drop)
}

/// How a run starts.
#[derive(Debug, Clone, Copy)]
pub struct Start<'a> {
    /// Creates the task when it does not exist yet; without it, an unknown task is a 404.
    pub new_task: Option<&'a TaskSettings>,
    pub if_running: IfRunning,
    pub via: Via,
    /// The run's rid (a canonical UUID): runs with distinct rids may be running at once, and
    /// `if_running` concerns only the running run with the same rid (or the one without any).
    pub rid: Option<&'a str>,
}

/// What a start does while another run of the task is going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfRunning {
    /// 409: the caller must ask for the replacement.
    Refuse,
    /// The running run is aborted ("replaced by a new run") and a new one starts.
    Replace,
}

/// Who starts the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The API (`POST /tasks/{id}/start`, the wrapper): it sends heartbeats.
    Api,
    /// A ping URL, which cannot send heartbeats: the run has the task's heartbeat timeout or
    /// `PING_RUN_TIMEOUT`, whichever is longer, to finish.
    Ping,
}

/// Starts a run as `how` says.
pub fn start(
    conn: &Connection,
    org: OrgId,
    id: &str,
    how: &Start,
    now: Timestamp,
) -> Result<TaskRun> {
    let task = match (store::get_row(conn, org, id)?, how.new_task) {
        (Some(task), _) => task,
        (None, Some(settings)) => create(conn, org, id, settings, None, now)?,
        (None, None) => return Err(not_found()),
    };
    if let Some(previous) = run_store::running_run(conn, org, id, how.rid)? {
        if how.if_running == IfRunning::Refuse {
            return Err(Error::conflict(
                "task_running",
                format!(
                    "Task already started (run {}); pass abortPreviousRunningTask to replace it",
                    previous
                        .started_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                ),
            ));
        }
        let end = Completion {
            status: RunStatus::Aborted,
            exit_code: None,
            error_message: Some("replaced by a new run"),
            output: None,
        };
        run_store::complete_run(conn, org, id, previous.started_at, &end, now)?;
        incident::record(
            conn,
            &task,
            &TaskEvent::Aborted {
                started_at: previous.started_at,
            },
            now,
        )?;
    }
    let started_at = run_store::next_start_time(conn, org, id, now)?;
    let timing = schedule_of(&task)?;
    let timeout = run_timeout(&task, timing.as_ref(), how.via, now);
    run_store::insert_run(conn, org, id, started_at, timeout, how.rid)?;
    running(conn, &task, timing.as_ref(), started_at, now)?;
    run_store::get_run(conn, org, id, started_at)?.ok_or_else(not_found)
}

/// How long a run started `via` has to send a heartbeat or finish.
fn run_timeout(task: &Task, timing: Option<&Timing>, via: Via, now: Timestamp) -> u32 {
    let period = timing.is_some_and(Timing::is_period);
    let ping_timeout = task.heartbeat_timeout_seconds.max(PING_RUN_TIMEOUT);
    match via {
        Via::Ping if period => started_run_grace(task, now).unwrap_or(ping_timeout),
        Via::Ping => ping_timeout,
        Via::Api => task.heartbeat_timeout_seconds,
    }
}

/// What a run's start does to its task: running, and its incident told. Returns the state
/// stored.
fn running(
    conn: &Connection,
    task: &Task,
    timing: Option<&Timing>,
    started_at: Timestamp,
    now: Timestamp,
) -> Result<TaskState> {
    // A start does not move a period task's expected time: only a ping that ends a run does.
    let next_due_at = match timing {
        Some(Timing::Period(_)) => task.next_due_at,
        Some(t) => t.next_expected(Some(started_at), true, now),
        None => None,
    };
    let state = TaskState {
        status: TaskStatus::Running,
        next_due_at,
        deadline_at: None,
    };
    store::set_state(conn, task, state, now)?;
    incident::record(conn, task, &TaskEvent::Started { started_at }, now)?;
    Ok(state)
}

/// 404 for an unknown task, exactly 400 when no run is going on (the original CLI relies on it).
/// A heartbeat naming its `run` (its `startedAt`) counts only for that run: a wrapper whose run
/// was replaced or declared dead learns it, instead of keeping the replacement alive.
pub fn heartbeat(
    conn: &Connection,
    org: OrgId,
    id: &str,
    run: Option<Timestamp>,
    now: Timestamp,
) -> Result<()> {
    if run_store::heartbeat(conn, org, id, run, now)? {
        return Ok(());
    }
    if !store::exists(conn, org, id)? {
        return Err(not_found());
    }
    Err(match run {
        Some(started_at) => run_ended(conn, org, id, started_at)?,
        None => not_running(),
    })
}

/// Exactly 400, saying how the named run ended.
fn run_ended(conn: &Connection, org: OrgId, id: &str, started_at: Timestamp) -> Result<Error> {
    let when = started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let message = match run_store::get_run(conn, org, id, started_at)? {
        Some(run) => match run.error_message {
            Some(why) => format!(
                "run {when} is not running: it ended as {} ({why})",
                run.status.as_str()
            ),
            None => format!(
                "run {when} is not running: it ended as {}",
                run.status.as_str()
            ),
        },
        None => format!("run {when} is not running: this task has no such run"),
    };
    Ok(Error::bad_request("task_not_running", message))
}

pub struct Finish<'a> {
    /// The run it ends (its `startedAt`); None: the running run with `rid`.
    pub run: Option<Timestamp>,
    /// Without `run`: the rid of the run it ends (None: the run started without a rid).
    pub rid: Option<&'a str>,
    pub status: FinishStatus,
    pub exit_code: Option<i32>,
    pub error_message: Option<&'a str>,
    pub output: Option<&'a str>,
}

/// Ends the running run: 404 unknown task, 422 status contradicting the exit code, 400 not
/// running.
pub fn finish(
    conn: &Connection,
    org: OrgId,
    id: &str,
    f: &Finish<'_>,
    now: Timestamp,
) -> Result<TaskRun> {
    let task = store::get_row(conn, org, id)?.ok_or_else(not_found)?;
    let status = finished_run(f.status, f.exit_code)?;
    let run = match f.run {
        Some(named) => match run_store::get_run(conn, org, id, named)? {
            Some(run) if run.status == RunStatus::Running => run,
            _ => return Err(run_ended(conn, org, id, named)?),
        },
        None => run_store::running_run(conn, org, id, f.rid)?.ok_or_else(not_running)?,
    };
    let end = Completion {
        status,
        exit_code: f.exit_code,
        error_message: f.error_message,
        output: f.output,
    };
    end_run(conn, &task, &run, &end, now)?;
    run_store::get_run(conn, org, id, run.started_at)?.ok_or_else(not_found)
}

/// Records how a run ended, moves the task to rest until its next occurrence, and tells the
/// incident.
pub(super) fn end_run(
    conn: &Connection,
    task: &Task,
    run: &TaskRun,
    end: &Completion<'_>,
    now: Timestamp,
) -> Result<()> {
    run_store::complete_run(
        conn,
        task.organization_id,
        &task.id,
        run.started_at,
        end,
        now,
    )?;
    ended(conn, task, run.started_at, run.last_heartbeat_at, end, now)
}

/// What a run's end does to its task: at rest until its next occurrence (running while another
/// run is), and its incident told.
fn ended(
    conn: &Connection,
    task: &Task,
    started_at: Timestamp,
    last_heartbeat_at: Option<Timestamp>,
    end: &Completion<'_>,
    now: Timestamp,
) -> Result<()> {
    let mut state = resting_state(
        resting_after(Some(end.status)),
        schedule_of(task)?.as_ref(),
        Some(started_at),
        true,
        now,
    );
    if run_store::any_running(conn, task.organization_id, &task.id)? {
        // Overlapping runs (distinct rids): the task is running until the last one ends.
        (state.status, state.deadline_at) = (TaskStatus::Running, None);
    }
    store::set_state(conn, task, state, now)?;
    let event = match end.status {
        RunStatus::Finished => TaskEvent::Succeeded { started_at },
        RunStatus::Aborted | RunStatus::Running => TaskEvent::Aborted { started_at },
        RunStatus::Failed => TaskEvent::Failed {
            started_at,
            exit_code: end.exit_code,
            error: end.error_message.map(str::to_owned),
        },
        RunStatus::Dead => TaskEvent::Dead {
            started_at,
            last_heartbeat_at,
        },
    };
    incident::record(conn, task, &event, now)
}

/// The outcome a ping URL reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ping {
    Start,
    Success,
    Fail,
    ExitCode(u8),
}

/// A ping: `/start` begins a run (replacing a forgotten one with the same rid); the others end
/// the running run with their rid, or record an instant run when none was started (a crontab
/// line `job && curl …/ping/KEY`, or a rid whose start never arrived: no duration to measure).
pub fn ping(
    conn: &Connection,
    task: &Task,
    ping: Ping,
    rid: Option<&str>,
    body: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let (org, id) = (task.organization_id, task.id.as_str());
    if ping == Ping::Start {
        let how = Start {
            new_task: None,
            if_running: IfRunning::Replace,
            via: Via::Ping,
            rid,
        };
        let run = start(conn, org, id, &how, now)?;
        if let Some(body) = body {
            run_store::append_output(conn, org, id, run.started_at, body, now)?;
        }
        return Ok(());
    }
    let (status, exit_code) = match ping {
        Ping::Success | Ping::ExitCode(0) => (FinishStatus::Success, Some(0)),
        Ping::Fail => (FinishStatus::Failure, None),
        Ping::ExitCode(code) => (FinishStatus::Failure, Some(i32::from(code))),
        Ping::Start => unreachable!("handled above"),
    };
    if run_store::running_run(conn, org, id, rid)?.is_none() {
        let end = Completion {
            status: finished_run(status, exit_code)?,
            exit_code,
            error_message: None,
            output: body,
        };
        return instant_run(conn, task, rid, &end, now);
    }
    let finish_report = Finish {
        run: None,
        rid,
        status,
        exit_code,
        error_message: None,
        output: body,
    };
    finish(conn, org, id, &finish_report, now).map(drop)
}

/// A ping ending a run that never started (a crontab line `job && curl …/ping/KEY`): the run
/// is stored ended in one insert. The busiest write there is: a top-of-the-hour crowd of cron
/// jobs sends these. With an incident open, the task and its incident go through what its
/// start and its end would do to them, in that order (the start is on the timeline). Without
/// one, a start does nothing to the incident and only sets the status that the end sets again
/// at once: the end alone is written, and the status goes straight from what it was.
fn instant_run(
    conn: &Connection,
    task: &Task,
    rid: Option<&str>,
    end: &Completion<'_>,
    now: Timestamp,
) -> Result<()> {
    let (org, id) = (task.organization_id, task.id.as_str());
    let timing = schedule_of(task)?;
    let started_at = run_store::next_start_time(conn, org, id, now)?;
    let timeout = run_timeout(task, timing.as_ref(), Via::Ping, now);
    run_store::insert_ended_run(conn, org, id, started_at, timeout, rid, end, now)?;
    if !incident::is_open(conn, task)? {
        return ended(conn, task, started_at, Some(started_at), end, now);
    }
    let state = running(conn, task, timing.as_ref(), started_at, now)?;
    let running_task = Task {
        status: state.status,
        next_due_at: state.next_due_at,
        deadline_at: state.deadline_at,
        ..task.clone()
    };
    ended(conn, &running_task, started_at, Some(started_at), end, now)
}

/// Parses a schedule for the preview endpoint.
pub fn preview(
    cron: &str,
    zone: &str,
    now: Timestamp,
    count: usize,
) -> Result<(String, Vec<Timestamp>)> {
    let schedule = parse_schedule(cron, zone)?;
    Ok((schedule.describe(), schedule.upcoming(now, count)))
}
