//! Tasks and runs as the API shows them (the original product's `Task` and `TaskRun`, plus ours: time zone,
//! ping key, output, duration, recent runs).

use schemars::JsonSchema;
use serde::Serialize;

use super::status::{RunStatus, TaskStatus};
use crate::clock::Timestamp;
use crate::ids::OrgId;

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    pub organization_id: OrgId,
    pub name: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub previous_status: Option<TaskStatus>,
    pub last_status_change_at: Option<Timestamp>,
    /// 5-field Unix cron; null for an ad-hoc task.
    pub cron_schedule: Option<String>,
    /// Expected every N seconds, counted from the last ping; null unless the task has a period.
    pub period_seconds: Option<u32>,
    /// systemd OnCalendar expressions, one per line; null unless the task has them.
    pub on_calendar: Option<String>,
    /// IANA time zone the schedule is read in.
    pub timezone: String,
    /// The occurrence being waited for (or missed, while due, late or absent); for a period
    /// task, the last ping plus the period (null before its first ping).
    pub next_due_at: Option<Timestamp>,
    pub start_window_seconds: u32,
    pub lateness_window_seconds: u32,
    pub heartbeat_timeout_seconds: u32,
    pub created_at: Timestamp,
    /// The secret of the task's ping URLs (`/ping/{pingKey}`); shown only to those who may report
    /// runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ping_key: Option<String>,
    /// The last runs, newest first (at most 10).
    pub recent_runs: Vec<RunBrief>,
    /// Which channels its incidents notify, and how often they repeat.
    #[serde(flatten)]
    pub routing: crate::notify::routing::Routing,
    /// The monitors this task depends on (`upstreams`), in the order given.
    pub upstreams: Vec<crate::ids::MonitorId>,
    /// Why a failure opens no notified incident now (a maintenance window, an upstream's
    /// incident); absent when none. The dashboard shows `maintenance` / `down (upstream)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet: Option<crate::incidents::quiet::Quiet>,
    /// When the status next changes by itself (internal: drives the deadline timer).
    #[serde(skip)]
    pub deadline_at: Option<Timestamp>,
}

/// A run in a task's strip of recent runs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunBrief {
    pub started_at: Timestamp,
    pub status: RunStatus,
    pub completed_at: Option<Timestamp>,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<i64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskRun {
    pub organization_id: OrgId,
    pub task_id: String,
    pub status: RunStatus,
    /// The run's identity: use it verbatim in `/tasks/{id}/runs/{startedAt}`.
    pub started_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub duration_ms: Option<i64>,
    pub exit_code: Option<i32>,
    pub error_message: Option<String>,
    /// The tail of the job's output (at most 10 KB).
    pub output: Option<String>,
    pub last_heartbeat_at: Option<Timestamp>,
    pub heartbeat_timeout_seconds: u32,
    /// The `?rid=` its pings carried (Healthchecks' run id, a UUID): runs with distinct rids may
    /// overlap, each ended by the ping with its rid. Null for runs started without one.
    pub rid: Option<String>,
}

/// A `/ping/{key}/log` message.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskLog {
    pub created_at: Timestamp,
    pub body: String,
}

/// Largest output excerpt kept with a run, in bytes.
pub const MAX_OUTPUT: usize = 10 * 1024;

/// The last `MAX_OUTPUT` bytes of `text`, cut at a character boundary: the end of a job's
/// output is where its errors are.
pub fn output_tail(text: &str) -> String {
    if text.len() <= MAX_OUTPUT {
        return text.to_owned();
    }
    let mut start = text.len() - MAX_OUTPUT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text[start..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keeps_the_tail_on_a_character_boundary() {
        assert_eq!(output_tail("short"), "short");
        let long = format!("{}{}", "é".repeat(MAX_OUTPUT), "END");
        let tail = output_tail(&long);
        assert!(tail.len() <= MAX_OUTPUT && tail.ends_with("END"));
        assert!(tail.starts_with('é'));
    }
}
