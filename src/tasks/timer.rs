//! The deadline timer: sleeps until the earliest task deadline or run heartbeat deadline (read
//! from the database, indexed), then moves what is past due (`store::deadlines` runs the
//! loop). Deadlines therefore fire on time, on the injectable clock, instead of on a polling
//! period. A write that may bring a deadline closer marks `Topic::TaskDeadlines`; its commit
//! wakes the timer. `pass_deadlines` is what happens when they pass, in one write.

use std::sync::Arc;

use tokio::sync::watch;

use chrono::Duration;
use rusqlite::Connection;

use super::incident::{self, TaskEvent};
use super::lifecycle::{end_run, schedule_of};
use super::model::Task;
use super::run_store::{self, Completion};
use super::status::{RunStatus, TaskStatus, counted, waiting_status};
use super::store::{self, TaskState, earliest_deadline};
use crate::clock::Clock;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::store::signals::Topic;
use crate::store::{Store, deadlines};

#[derive(Default)]
pub struct DeadlineTimer;

impl DeadlineTimer {
    pub async fn run(self: Arc<Self>, store: Store, clock: Clock, stopped: watch::Receiver<bool>) {
        let now = clock.now();
        if let Err(e) = store
            .write(move |c| run_store::grant_restart_grace(c, now))
            .await
        {
            log::warn!("could not extend the heartbeat deadlines of running jobs: {e}");
        }
        let job = deadlines::Job {
            what: "update task statuses",
            topic: Topic::TaskDeadlines,
            pass: pass_deadlines,
            batch: BATCH as usize,
            earliest: earliest_deadline,
        };
        deadlines::run(job, store, clock, stopped).await
    }
}

/// How many tasks or runs one pass of the deadline timer handles in a write.
pub const BATCH: u32 = 500;

/// Moves every task and run whose deadline has passed; returns how many were handled (a full
/// batch means more may wait).
pub fn pass_deadlines(conn: &Connection, now: Timestamp) -> Result<usize> {
    let runs = run_store::dead_runs(conn, now, BATCH)?;
    for run in &runs {
        let Some(task) = store::get(conn, run.organization_id, &run.task_id)? else {
            continue;
        };
        let timeout = run.heartbeat_timeout_seconds;
        let error = match run.last_heartbeat_at {
            Some(last) if last > run.started_at => format!(
                "no heartbeat for {timeout} s (last at {})",
                last.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
            // Never a heartbeat: a job that died at once, or one started by a ping URL.
            _ => format!("no heartbeat nor finish within {timeout} s of the start"),
        };
        let end = Completion {
            status: RunStatus::Dead,
            exit_code: None,
            error_message: Some(&error),
            output: None,
        };
        end_run(conn, &task, run, &end, now)?;
    }
    let tasks = store::past_deadline(conn, now, BATCH)?;
    for task in &tasks {
        advance(conn, task, now)?;
    }
    Ok(runs.len() + tasks.len())
}

/// Where a waiting scheduled task stands at `now`: due at its occurrence, late after the start
/// window, absent after the lateness window, and due again at the next occurrence.
fn advance(conn: &Connection, task: &Task, now: Timestamp) -> Result<()> {
    let (Some(schedule), Some(mut due_at)) = (schedule_of(task)?, task.next_due_at) else {
        return store::set_state(
            conn,
            task,
            TaskState {
                status: task.status,
                next_due_at: None,
                deadline_at: None,
            },
            now,
        );
    };
    let resting = match task.status {
        TaskStatus::Failing => TaskStatus::Failing,
        _ => TaskStatus::Healthy,
    };
    let windows = Duration::seconds(
        i64::from(task.start_window_seconds) + i64::from(task.lateness_window_seconds),
    );
    let mut previous = task.status;
    // At most a few rounds: an absent task jumps to the latest occurrence still in its windows.
    loop {
        let (status, deadline) = waiting_status(
            resting,
            due_at,
            task.start_window_seconds,
            task.lateness_window_seconds,
            now,
        );
        if status != previous && !counted(status, in_maintenance(conn, task, now)?) {
            // In maintenance: the missed occurrence is let go, the next one awaited (a period
            // task's a period from now).
            let next = schedule.next_expected(None, true, now);
            let state = TaskState {
                status: resting,
                next_due_at: next,
                deadline_at: next,
            };
            return store::set_state(conn, task, state, now);
        }
        if status != previous {
            match status {
                TaskStatus::Late => incident::record(conn, task, &TaskEvent::Late { due_at }, now)?,
                TaskStatus::Absent => {
                    incident::record(conn, task, &TaskEvent::Absent { due_at }, now)?
                }
                _ => {}
            }
            previous = status;
        }
        let deadline = match (status, deadline) {
            (TaskStatus::Absent, _) => {
                let from = (due_at + windows).max(now - windows);
                // A period task has no next occurrence: it stays absent until a ping.
                match schedule.occurrence_after(from) {
                    Some(next) if next <= now => {
                        due_at = next;
                        continue;
                    }
                    next => next,
                }
            }
            (_, deadline) => deadline,
        };
        let state = TaskState {
            status,
            next_due_at: Some(due_at),
            deadline_at: deadline,
        };
        return store::set_state(conn, task, state, now);
    }
}

/// Whether a maintenance window covers the task at `now` (asked only when a deadline passes).
fn in_maintenance(conn: &Connection, task: &Task, now: Timestamp) -> Result<bool> {
    let quiet = crate::maintenance::quieter::quiet(
        conn,
        task.organization_id,
        crate::incidents::model::SourceType::Task,
        &task.id,
        now,
    )?;
    Ok(quiet.is_some())
}
