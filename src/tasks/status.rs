//! Task and run statuses (healthy → due → late → absent; running → finished/failed/dead/aborted) as pure functions: where a scheduled task stands
//! at a given time, and which run transitions are allowed. The original product's bugs
//! are not reproduced: an absent task becomes due again at its next occurrence, and a finish
//! whose status contradicts its exit code is a 422, not a 500.

use chrono::Duration;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::text_enum::text_enum;

text_enum!(
    TaskStatus {
        Healthy => "healthy",
        /// Its last run failed or died.
        Failing => "failing",
        Running => "running",
        /// An occurrence has come; the start window is open.
        Due => "due",
        /// The start window passed without a start.
        Late => "late",
        /// The lateness window passed too.
        Absent => "absent",
    }
);

text_enum!(
    RunStatus {
        Running => "running",
        Finished => "finished",
        Failed => "failed",
        Aborted => "aborted",
        /// No heartbeat within the heartbeat timeout.
        Dead => "dead",
    }
);

text_enum!(
    /// What `POST /tasks/{id}/finish` reports.
    FinishStatus {
        Success => "success",
        Failure => "failure",
        Aborted => "aborted",
    }
);

/// Defaults and limits (the original product's), in seconds.
/// The start window is also the grace of a period or OnCalendar task, hence its year.
pub const START_WINDOW: (u32, u32, u32) = (120, 5, 31_536_000);
pub const LATENESS_WINDOW: (u32, u32, u32) = (240, 5, 3600);
pub const HEARTBEAT_TIMEOUT: (u32, u32, u32) = (30, 10, 3600);

/// The status of a scheduled task that is not running, at `now`, for the occurrence due at
/// `due_at`, and the next instant at which it changes (None once absent). `resting` is where it
/// stands between occurrences: healthy, or failing after a bad run.
pub fn waiting_status(
    resting: TaskStatus,
    due_at: Timestamp,
    start_window: u32,
    lateness_window: u32,
    now: Timestamp,
) -> (TaskStatus, Option<Timestamp>) {
    let late_at = due_at + Duration::seconds(start_window.into());
    let absent_at = late_at + Duration::seconds(lateness_window.into());
    if now < due_at {
        (resting, Some(due_at))
    } else if now < late_at {
        (TaskStatus::Due, Some(late_at))
    } else if now < absent_at {
        (TaskStatus::Late, Some(absent_at))
    } else {
        (TaskStatus::Absent, None)
    }
}

/// Whether a task reaching `status` as a deadline passes counts it: lateness and absence in a
/// maintenance window do not count (the task rests until its next occurrence instead).
pub fn counted(status: TaskStatus, in_maintenance: bool) -> bool {
    !(in_maintenance && matches!(status, TaskStatus::Late | TaskStatus::Absent))
}

/// The run status a finish report leads to; a report contradicting its exit code is refused.
pub fn finished_run(status: FinishStatus, exit_code: Option<i32>) -> Result<RunStatus> {
    match (status, exit_code) {
        (FinishStatus::Success, Some(code)) if code != 0 => Err(Error::invalid_field(
            "exitCode",
            format!("a successful run exits with 0, not {code}; report status \"failure\""),
        )),
        (FinishStatus::Failure, Some(0)) => Err(Error::invalid_field(
            "exitCode",
            "a failed run cannot exit with 0; report status \"success\" or another code",
        )),
        (FinishStatus::Success, _) => Ok(RunStatus::Finished),
        (FinishStatus::Failure, _) => Ok(RunStatus::Failed),
        (FinishStatus::Aborted, _) => Ok(RunStatus::Aborted),
    }
}

/// Whether a running run has missed its heartbeat deadline.
pub fn is_dead(last_heartbeat: Timestamp, heartbeat_timeout: u32, now: Timestamp) -> bool {
    now >= last_heartbeat + Duration::seconds(heartbeat_timeout.into())
}

/// A window or timeout from the request, or its default, within its limits; a value outside
/// them is a 422 naming the field (the original clamped silently).
pub fn window(
    field: &str,
    value: Option<u32>,
    (default, min, max): (u32, u32, u32),
) -> Result<u32> {
    match value {
        None => Ok(default),
        Some(v) if (min..=max).contains(&v) => Ok(v),
        Some(v) => Err(Error::invalid_field(
            field,
            format!("must be between {min} and {max} seconds (got {v})"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    /// The waiting timeline: due at the occurrence, late after the start window, absent after
    /// the lateness window.
    #[test]
    fn the_timeline_of_an_occurrence() {
        let due = chrono::Utc::now();
        let s = |secs: i64| due + Duration::seconds(secs);
        let rows = [
            (Healthy, -1, Healthy, Some(s(0))),
            (Failing, -1, Failing, Some(s(0))),
            (Healthy, 0, Due, Some(s(120))),
            (Failing, 119, Due, Some(s(120))),
            (Healthy, 120, Late, Some(s(360))),
            (Healthy, 359, Late, Some(s(360))),
            (Healthy, 360, Absent, None),
            (Failing, 100_000, Absent, None),
        ];
        for (resting, at, status, next) in rows {
            assert_eq!(
                waiting_status(resting, due, 120, 240, s(at)),
                (status, next),
                "{resting:?} at +{at}s"
            );
        }
    }

    #[test]
    fn deadlines_in_maintenance_are_not_counted() {
        let rows = [
            (Due, true, true),
            (Late, true, false),
            (Absent, true, false),
            (Late, false, true),
            (Absent, false, true),
            (Healthy, true, true),
        ];
        for (status, in_maintenance, expected) in rows {
            assert_eq!(
                counted(status, in_maintenance),
                expected,
                "{status:?} in maintenance: {in_maintenance}"
            );
        }
    }

    #[test]
    fn finish_reports_must_agree_with_their_exit_code() {
        let rows: [(
            FinishStatus,
            Option<i32>,
            std::result::Result<RunStatus, &str>,
        ); 8] = [
            (FinishStatus::Success, Some(0), Ok(RunStatus::Finished)),
            (FinishStatus::Success, None, Ok(RunStatus::Finished)),
            (FinishStatus::Success, Some(2), Err("exitCode")),
            (FinishStatus::Failure, Some(1), Ok(RunStatus::Failed)),
            (FinishStatus::Failure, None, Ok(RunStatus::Failed)),
            (FinishStatus::Failure, Some(0), Err("exitCode")),
            (FinishStatus::Aborted, None, Ok(RunStatus::Aborted)),
            (FinishStatus::Aborted, Some(143), Ok(RunStatus::Aborted)),
        ];
        for (status, code, expected) in rows {
            let got = finished_run(status, code).map_err(|e| {
                assert_eq!(e.kind, crate::error::Kind::Unprocessable);
                match e.field.as_deref() {
                    Some("exitCode") => "exitCode",
                    _ => "other",
                }
            });
            assert_eq!(got, expected, "{status:?} {code:?}");
        }
    }

    #[test]
    fn heartbeats_and_windows() {
        let beat = chrono::Utc::now();
        assert!(!is_dead(beat, 30, beat + Duration::seconds(29)));
        assert!(is_dead(beat, 30, beat + Duration::seconds(30)));
        assert_eq!(
            window("startWindowSeconds", None, START_WINDOW).unwrap(),
            120
        );
        assert_eq!(
            window("heartbeatTimeoutSeconds", Some(10), HEARTBEAT_TIMEOUT).unwrap(),
            10
        );
        let e = window("heartbeatTimeoutSeconds", Some(9), HEARTBEAT_TIMEOUT).unwrap_err();
        assert!(
            e.message
                .starts_with("heartbeatTimeoutSeconds: must be between 10 and 3600")
        );
    }
}
