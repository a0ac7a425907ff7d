//! Task incidents: what each step of a task does to its incident (a pure table, tested row by
//! row), and applying it inside the write that made the step. One open incident per task; the
//! next successful run resolves it.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::model::Task;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::incidents::model::{EventType, IncidentStatus, Priority, SourceType};
use crate::incidents::store::{self as incidents, NewIncident};

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
    /// The cause's `kind`, for trouble; None for ordinary steps.
    fn trouble_kind(&self) -> Option<&'static str> {
        match self {
            TaskEvent::Late { .. } => Some("late"),
            TaskEvent::Absent { .. } => Some("absent"),
            TaskEvent::Failed { .. } => Some("failed"),
            TaskEvent::Dead { .. } => Some("dead"),
            _ => None,
        }
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

    /// What happened, as stored in the cause and on the timeline.
    fn payload(&self) -> Value {
        let kind = self.trouble_kind();
        match self {
            TaskEvent::Late { due_at } | TaskEvent::Absent { due_at } => {
                json!({"causeType": "TaskIncidentCause", "kind": kind, "dueAt": due_at})
            }
            TaskEvent::Failed {
                started_at,
                exit_code,
                error,
            } => json!({
                "causeType": "TaskIncidentCause", "kind": kind, "runStartedAt": started_at,
                "exitCode": exit_code, "errorMessage": error,
            }),
            TaskEvent::Dead {
                started_at,
                last_heartbeat_at,
            } => json!({
                "causeType": "TaskIncidentCause", "kind": kind, "runStartedAt": started_at,
                "lastHeartbeatAt": last_heartbeat_at,
            }),
            TaskEvent::Started { started_at }
            | TaskEvent::Succeeded { started_at }
            | TaskEvent::Aborted { started_at } => json!({"runStartedAt": started_at}),
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
        (e, None) if e.trouble_kind().is_some() => Effect::Open,
        (_, None) => Effect::Nothing,
        (Late { .. }, Some("late" | "absent")) => Effect::Nothing,
        (Absent { .. }, Some("absent")) => Effect::Nothing,
        (Late { .. } | Absent { .. } | Failed { .. } | Dead { .. }, Some(_)) => Effect::Escalate,
        (Started { .. } | Aborted { .. }, Some(_)) => Effect::Note,
        (Succeeded { .. }, Some(_)) => Effect::Resolve,
    }
}

/// Applies `event`'s effect on the task's incident.
pub fn record(conn: &Connection, task: &Task, event: &TaskEvent, now: Timestamp) -> Result<()> {
    let open = incidents::open_for_source(conn, task.organization_id, SourceType::Task, &task.id)?;
    let open_kind = open.as_ref().map(|(_, _, cause)| {
        cause
            .as_ref()
            .and_then(|c| c.get("kind"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    });
    let payload = event.payload();
    match (effect(event, open_kind.as_deref()), open) {
        (Effect::Open, _) => {
            let metadata = [("task".to_owned(), task.id.clone())].into_iter().collect();
            let id = incidents::insert(
                conn,
                &NewIncident {
                    org_id: task.organization_id,
                    source_type: SourceType::Task,
                    source_id: Some(&task.id),
                    title: &task.name,
                    status: IncidentStatus::Ongoing,
                    priority: Priority::Major,
                    cause: Some(&payload),
                    metadata: &metadata,
                    created_by: None,
                },
                now,
            )?;
            incidents::add_event(conn, id, now, None, event.event_type(), Some(&payload))?;
        }
        (Effect::Escalate, Some((id, _, _))) => {
            incidents::update_cause(conn, id, &payload)?;
            incidents::add_event(conn, id, now, None, event.event_type(), Some(&payload))?;
        }
        (Effect::Note, Some((id, _, _))) => {
            incidents::add_event(conn, id, now, None, event.event_type(), Some(&payload))?;
        }
        (Effect::Resolve, Some((id, _, _))) => {
            incidents::add_event(conn, id, now, None, event.event_type(), Some(&payload))?;
            incidents::set_status(conn, id, IncidentStatus::Resolved, None, now)?;
        }
        _ => {}
    }
    Ok(())
}

/// Closes the task's open incident, if any, saying the task is going away.
pub fn close(conn: &Connection, task: &Task, now: Timestamp) -> Result<()> {
    let open = incidents::open_for_source(conn, task.organization_id, SourceType::Task, &task.id)?;
    if let Some((id, _, _)) = open {
        let payload = json!({"taskId": task.id, "name": task.name});
        incidents::add_event(
            conn,
            id,
            now,
            None,
            EventType::SourceDeleted,
            Some(&payload),
        )?;
        incidents::set_status(conn, id, IncidentStatus::Resolved, None, now)?;
    }
    Ok(())
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
