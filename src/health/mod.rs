//! Watching the watcher. The server knows when it falls behind: checks overdue, task deadlines
//! not passed, notifications stuck in the outbox, or the database refusing writes. `assess`
//! turns what is observed into problems (a pure rule, tested by table); `/healthz` answers 503
//! with them, `/metrics` counts them, the dashboard shows them to administrators, and the
//! watchdog opens an instance incident in every organization while they last.

pub mod routes;
pub mod watchdog;

use chrono::Duration;
use schemars::JsonSchema;
use serde::Serialize;

use crate::app::App;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::monitors::scheduler::Behind;
use crate::store::health::State as WriteState;

/// A task deadline still not passed this long after it fell due means the timer is stuck.
const DEADLINE_SLACK: Duration = Duration::seconds(60);
/// A notification still not sent this long after it fell due means delivery is stuck (slow
/// receivers, 4 at a time per channel and 10 s each, legitimately queue for a few minutes).
const OUTBOX_SLACK: Duration = Duration::minutes(10);

/// What the watchdog and `/healthz` look at.
#[derive(Debug, Default, Clone)]
pub struct Observations {
    pub write: WriteState,
    pub checks: Behind,
    /// The earliest task or run deadline not passed yet.
    pub earliest_deadline: Option<Timestamp>,
    /// The earliest pending notification's next attempt.
    pub earliest_notification: Option<Timestamp>,
    /// The database could not be read.
    pub read_error: Option<String>,
    /// The last scheduled backup failed (cleared by the next one that succeeds).
    pub backup_error: Option<String>,
}

/// One thing that is wrong, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Problem {
    /// Stable identifier: `store_failing`, `storage_full`, `database_unreadable`,
    /// `schedule_not_loaded`, `checks_overdue`, `checks_not_recorded`, `deadlines_overdue`,
    /// `notifications_stuck`, `backups_failing`.
    pub code: &'static str,
    pub message: String,
}

/// The problems in `o` at `now`; empty when the server keeps up with everything.
pub fn assess(o: &Observations, now: Timestamp) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut add = |code, message: String| problems.push(Problem { code, message });
    if o.write.disk_full {
        add(
            "storage_full",
            "the disk holding the database is full: free space on it (changes are refused with \
             507 storage_full meanwhile)"
                .into(),
        );
    } else if let Some(error) = o.write.last_error.as_ref().filter(|_| o.write.failing()) {
        let n = o.write.failures_in_a_row;
        add(
            "store_failing",
            format!(
                "the database refuses writes ({n} failed {} in a row; last: {})",
                if n == 1 { "write" } else { "writes" },
                error.message.trim_end_matches("; retry shortly")
            ),
        );
    }
    if let Some(error) = &o.read_error {
        add(
            "database_unreadable",
            format!("the database cannot be read: {error}"),
        );
    }
    if o.checks.not_loaded {
        add(
            "schedule_not_loaded",
            "the check schedule could not be loaded yet; no monitor is checked until it is".into(),
        );
    }
    if o.checks.overdue > 0 {
        add(
            "checks_overdue",
            format!(
                "{} a check overdue by more than its interval",
                monitors(o.checks.overdue, "has", "have")
            ),
        );
    }
    if o.checks.failing > 0 {
        add(
            "checks_not_recorded",
            format!(
                "the latest check of {} could not be recorded; retrying",
                monitors(o.checks.failing, "", "")
            ),
        );
    }
    if o.earliest_deadline
        .is_some_and(|at| at < now - DEADLINE_SLACK)
    {
        add(
            "deadlines_overdue",
            "task deadlines passed more than a minute ago are not handled yet".into(),
        );
    }
    if o.earliest_notification
        .is_some_and(|at| at < now - OUTBOX_SLACK)
    {
        add(
            "notifications_stuck",
            "notifications due more than 10 minutes ago are not sent yet".into(),
        );
    }
    if let Some(error) = &o.backup_error {
        add(
            "backups_failing",
            format!("the last scheduled backup failed ({error}); retrying"),
        );
    }
    problems
}

/// "1 monitor has", "3 monitors have".
fn monitors(n: usize, one: &str, many: &str) -> String {
    let (noun, verb) = if n == 1 {
        ("monitor", one)
    } else {
        ("monitors", many)
    };
    format!("{n} {noun} {verb}").trim_end().to_owned()
}

/// Observes the server now. Reads are indexed lookups; the scheduler scan is in memory.
pub async fn observe(app: &App, now: Timestamp) -> Observations {
    if app.store.write_health().disk_full {
        app.store.check_space_freed();
    }
    let mut o = Observations {
        write: app.store.write_health(),
        checks: app.scheduler.behind(now),
        backup_error: app.backups.status().last_error.map(|(_, e)| e),
        ..Observations::default()
    };
    let read = app
        .store
        .read(|c| -> Result<_> {
            Ok((
                crate::tasks::store::earliest_deadline(c)?,
                crate::notify::outbox::earliest(c)?,
            ))
        })
        .await;
    match read {
        Ok((deadline, notification)) => {
            o.earliest_deadline = deadline;
            o.earliest_notification = notification;
        }
        Err(e) => o.read_error = Some(e.message),
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn codes(o: &Observations, now: Timestamp) -> Vec<&'static str> {
        assess(o, now).iter().map(|p| p.code).collect()
    }

    #[test]
    fn each_observation_gives_its_problem() {
        let now = crate::store::time::from_db(1_800_000_000_000);
        let failing = |error: Error| WriteState {
            failures_in_a_row: 2,
            failures_total: 2,
            last_error: Some(error),
            disk_full: false,
        };
        let rows: Vec<(&str, Observations, Vec<&str>)> = vec![
            ("all well", Observations::default(), vec![]),
            (
                "writes failing",
                Observations {
                    write: failing(Error::unavailable("the database is busy")),
                    ..Default::default()
                },
                vec!["store_failing"],
            ),
            (
                "disk full, even after a small write went through",
                Observations {
                    write: WriteState {
                        disk_full: true,
                        ..WriteState::default()
                    },
                    ..Default::default()
                },
                vec!["storage_full"],
            ),
            (
                "recovered: an old error is not a problem",
                Observations {
                    write: WriteState {
                        failures_in_a_row: 0,
                        failures_total: 5,
                        last_error: None,
                        disk_full: false,
                    },
                    ..Default::default()
                },
                vec![],
            ),
            (
                "checks behind",
                Observations {
                    checks: Behind {
                        overdue: 3,
                        failing: 1,
                        not_loaded: false,
                    },
                    ..Default::default()
                },
                vec!["checks_overdue", "checks_not_recorded"],
            ),
            (
                "a deadline due 59 s ago is being handled",
                Observations {
                    earliest_deadline: Some(now - Duration::seconds(59)),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "a deadline due 61 s ago is stuck",
                Observations {
                    earliest_deadline: Some(now - Duration::seconds(61)),
                    ..Default::default()
                },
                vec!["deadlines_overdue"],
            ),
            (
                "a future deadline",
                Observations {
                    earliest_deadline: Some(now + Duration::hours(1)),
                    earliest_notification: Some(now - Duration::minutes(9)),
                    ..Default::default()
                },
                vec![],
            ),
            (
                "a notification due 11 min ago",
                Observations {
                    earliest_notification: Some(now - Duration::minutes(11)),
                    ..Default::default()
                },
                vec!["notifications_stuck"],
            ),
            (
                "unreadable and not loaded",
                Observations {
                    read_error: Some("disk I/O error".into()),
                    checks: Behind {
                        not_loaded: true,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                vec!["database_unreadable", "schedule_not_loaded"],
            ),
            (
                "the last backup failed",
                Observations {
                    backup_error: Some("No space left on device".into()),
                    ..Default::default()
                },
                vec!["backups_failing"],
            ),
        ];
        for (name, o, expected) in rows {
            assert_eq!(codes(&o, now), expected, "{name}");
        }
    }
}
