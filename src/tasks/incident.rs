//! Task incidents: what each step of a task does to its incident (a pure table, tested row by
//! row), and applying it through `incidents::report` inside the write that made the step. One
//! open incident per task; the next successful run resolves it.

use rusqlite::Connection;

use super::model::Task;
use super::status::{RunStatus, TaskStatus};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::incidents::cause::{Cause, RunFacts, TaskDeleted, TaskTrouble};
use crate::incidents::model::{EventType, IncidentStatus, Payload, Priority, SourceType};
use crate::incidents::report::{self, Effect as Step, Report};

/// Something that happened to a task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEvent {
    /// The occurrence due at `due_at` did not start within the start window.
    Late {
        due_at: Timestamp,
    },
    /// Nor within the lateness window.
    Absent {
        due_at: Timestamp,
    },
    Failed {
        started_at: Timestamp,
        exit_code: Option<i32>,
        error: Option<String>,
    },
    Dead {
        started_at: Timestamp,
        last_heartbeat_at: Option<Timestamp>,
    },
    Started {
        started_at: Timestamp,
    },
    Succeeded {
        started_at: Timestamp,
    },
    Aborted {
        started_at: Timestamp,
    },
}

impl TaskEvent {
    /// The trouble it is, as an incident's cause; None for ordinary steps.
    fn trouble(&self) -> Option<TaskTrouble> {
        Some(match self.clone() {
            TaskEvent::Late { due_at } => TaskTrouble::Late { due_at },
            TaskEvent::Absent { due_at } => TaskTrouble::Absent { due_at },
            TaskEvent::Failed {
                started_at,
                exit_code,
                error,
            } => TaskTrouble::Failed {
                run_started_at: started_at,
                exit_code,
                error_message: error,
            },
            TaskEvent::Dead {
                started_at,
                last_heartbeat_at,
            } => TaskTrouble::Dead {
                run_started_at: started_at,
                last_heartbeat_at,
            },
            _ => return None,
        })
    }

    fn event_type(&self) -> EventType {
        match self {
            TaskEvent::Late { .. } => EventType::TaskLate,
            TaskEvent::Absent { .. } => EventType::TaskAbsent,
            TaskEvent::Failed { .. } => EventType::TaskRunFailed,
            TaskEvent::Dead { .. } => EventType::TaskRunDead,
            TaskEvent::Started { .. } => EventType::TaskRunStarted,
            TaskEvent::Succeeded { .. } => EventType::TaskRunSucceeded,
            TaskEvent::Aborted { .. } => EventType::TaskRunAborted,
        }
    }

    /// What happened, as stored on the timeline: the cause it makes, for trouble.
    fn payload(&self) -> Payload {
        match self {
            TaskEvent::Started { started_at }
            | TaskEvent::Succeeded { started_at }
            | TaskEvent::Aborted { started_at } => Payload::Run(RunFacts {
                run_started_at: *started_at,
            }),
            TaskEvent::Late { .. }
            | TaskEvent::Absent { .. }
            | TaskEvent::Failed { .. }
            | TaskEvent::Dead { .. } => Payload::Cause(Cause::TaskIncidentCause(
                self.trouble().expect("trouble events are trouble"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// Open an incident with this event as its cause.
    Open,
    /// Record the event and make it the cause: the trouble changed.
    Escalate,
    /// Record the event on the timeline.
    Note,
    /// Record the event and resolve.
    Resolve,
    Nothing,
}

/// The effect of `event` given the kind of trouble of the open incident (None: no incident open).
/// Repeated lateness of a task already late or absent adds nothing: a job every minute that
/// stopped would otherwise fill the timeline.
pub fn effect(event: &TaskEvent, open: Option<&str>) -> Effect {
    use TaskEvent::*;
    match (event, open) {
        (e, None) if e.trouble().is_some() => Effect::Open,
        (_, None) => Effect::Nothing,
        (Late { .. }, Some("late" | "absent")) => Effect::Nothing,
        (Absent { .. }, Some("absent")) => Effect::Nothing,
        (Late { .. } | Absent { .. } | Failed { .. } | Dead { .. }, Some(_)) => Effect::Escalate,
        (Started { .. } | Aborted { .. }, Some(_)) => Effect::Note,
        (Succeeded { .. }, Some(_)) => Effect::Resolve,
    }
}

impl Effect {
    /// What it does to the incident, recording an event of type `event`.
    fn steps(self, event: EventType) -> Vec<Step> {
        match self {
            Effect::Open => vec![Step::Open(IncidentStatus::Ongoing), Step::Event(event)],
            Effect::Escalate => vec![Step::UpdateCause, Step::Event(event)],
            Effect::Note => vec![Step::Event(event)],
            Effect::Resolve => vec![Step::Event(event), Step::Resolve],
            Effect::Nothing => vec![],
        }
    }
}

/// Whether the task has an incident open, as read in this write.
pub fn is_open(conn: &Connection, task: &Task) -> Result<bool> {
    Ok(
        Report::about(task.organization_id, SourceType::Task, &task.id)
            .open(conn)?
            .is_some(),
    )
}

/// Applies `event`'s effect on the task's incident.
pub fn record(conn: &Connection, task: &Task, event: &TaskEvent, now: Timestamp) -> Result<()> {
    let metadata = [("task".to_owned(), task.id.clone())].into_iter().collect();
    let cause = event.trouble().map(Cause::TaskIncidentCause);
    let payload = event.payload();
    let report = Report {
        title: &task.name,
        priority: Priority::Major,
        metadata: &metadata,
        cause: cause.as_ref(),
        payload: Some(&payload),
        ..Report::about(task.organization_id, SourceType::Task, &task.id)
    };
    let open = report.open(conn)?;
    let open_kind = open.as_ref().map(|o| {
        o.cause
            .as_ref()
            .and_then(Cause::task_kind)
            .unwrap_or_default()
    });
    let steps = effect(event, open_kind).steps(event.event_type());
    report::apply(conn, &report, open.as_ref(), &steps, now).map(drop)
}

/// Opens the incident of each task of `org` that is failing, late or absent and has none (it
/// went wrong while quiet): the failed or dead last run, or the missed occurrence, is the
/// cause. One still quiet stays without (`report::apply`); trouble that already had its
/// incident (resolved by someone since) does not open another.
pub fn reevaluate(conn: &Connection, org: OrgId, now: Timestamp) -> Result<()> {
    let filter = super::store::Filter {
        statuses: vec![TaskStatus::Failing, TaskStatus::Late, TaskStatus::Absent],
        limit: u32::MAX,
        ..Default::default()
    };
    for task in super::store::list(conn, org, &filter)?.items {
        if Report::about(org, SourceType::Task, &task.id)
            .open(conn)?
            .is_some()
        {
            continue;
        }
        let event = match (task.status, task.next_due_at) {
            (TaskStatus::Late, Some(due_at)) => TaskEvent::Late { due_at },
            (TaskStatus::Absent, Some(due_at)) => TaskEvent::Absent { due_at },
            _ => {
                let runs = super::run_store::list_runs(conn, org, &task.id, &[], 0, 1)?;
                match runs.items.into_iter().next() {
                    Some(run) if run.status == RunStatus::Dead => TaskEvent::Dead {
                        started_at: run.started_at,
                        last_heartbeat_at: run.last_heartbeat_at,
                    },
                    Some(run) if run.status == RunStatus::Failed => TaskEvent::Failed {
                        started_at: run.started_at,
                        exit_code: run.exit_code,
                        error: run.error_message,
                    },
                    _ => continue,
                }
            }
        };
        let since = match &event {
            TaskEvent::Late { due_at } | TaskEvent::Absent { due_at } => *due_at,
            TaskEvent::Failed { started_at, .. } | TaskEvent::Dead { started_at, .. } => {
                *started_at
            }
            _ => continue,
        };
        let had_one =
            crate::incidents::store::last_opened_at(conn, org, SourceType::Task, &task.id)?
                .is_some_and(|opened| opened >= since);
        if !had_one {
            record(conn, &task, &event, now)?;
        }
    }
    Ok(())
}

/// Closes the task's open incident, if any, saying the task is going away.
pub fn close(conn: &Connection, task: &Task, now: Timestamp) -> Result<()> {
    let payload = Payload::TaskDeleted(TaskDeleted {
        task_id: task.id.clone(),
        name: task.name.clone(),
    });
    let report = Report {
        payload: Some(&payload),
        ..Report::about(task.organization_id, SourceType::Task, &task.id)
    };
    report::close(conn, &report, Some(EventType::SourceDeleted), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect::*;

    #[test]
    fn effects_table() {
        let t = chrono::DateTime::UNIX_EPOCH;
        let late = TaskEvent::Late { due_at: t };
        let absent = TaskEvent::Absent { due_at: t };
        let failed = TaskEvent::Failed {
            started_at: t,
            exit_code: Some(3),
            error: None,
        };
        let dead = TaskEvent::Dead {
            started_at: t,
            last_heartbeat_at: Some(t),
        };
        let started = TaskEvent::Started { started_at: t };
        let ok = TaskEvent::Succeeded { started_at: t };
        let aborted = TaskEvent::Aborted { started_at: t };
        let rows: [(&TaskEvent, Option<&str>, Effect); 19] = [
            (&late, None, Open),
            (&absent, None, Open),
            (&failed, None, Open),
            (&dead, None, Open),
            (&started, None, Nothing),
            (&ok, None, Nothing),
            (&aborted, None, Nothing),
            (&late, Some("late"), Nothing),
            (&late, Some("absent"), Nothing),
            (&late, Some("failed"), Escalate),
            (&absent, Some("late"), Escalate),
            (&absent, Some("absent"), Nothing),
            (&absent, Some("dead"), Escalate),
            (&failed, Some("failed"), Escalate),
            (&dead, Some("late"), Escalate),
            (&started, Some("absent"), Note),
            (&aborted, Some("failed"), Note),
            (&ok, Some("failed"), Resolve),
            (&ok, Some("absent"), Resolve),
        ];
        for (event, open, expected) in rows {
            assert_eq!(effect(event, open), expected, "{event:?} with {open:?}");
        }
    }
}
