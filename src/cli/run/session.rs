//! The wrapper's run on the server, and the rule that monitoring never breaks the job: every
//! failure here becomes one warning on stderr, and the command goes on unmonitored.

use std::time::Duration;

use reqwest::StatusCode;

use super::api::{Api, CallError, FinishBody, StartBody};
use super::outcome::Report;
use super::warn;

/// Pauses before the second and third tries of a finish: a server restarting for an upgrade
/// should still hear how the job ended, but the wrapper must not linger.
const FINISH_RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_secs(2)];

/// A run this wrapper started and still owns.
pub struct Session {
    api: Api,
    started_at: String,
    /// The server's patience between heartbeats, if it said.
    heartbeat_timeout: Option<Duration>,
}

/// What one heartbeat learnt.
enum Beat {
    Alive,
    /// The server ended the run (declared it dead, or another start replaced it): why.
    Lost(String),
    Failed(CallError),
}

impl Session {
    /// Starts the run; on any refusal, warns and returns None (the command then runs
    /// unmonitored: no heartbeats, no finish that could end someone else's run).
    pub async fn begin(api: Api, task: &str, body: &StartBody) -> Option<Session> {
        match api.start(body).await {
            Ok(run) => Some(Session {
                api,
                started_at: run.started_at,
                heartbeat_timeout: run
                    .heartbeat_timeout_seconds
                    .map(|s| Duration::from_secs(s.into())),
            }),
            Err(e) => {
                warn(format!(
                    "{}; the command runs unmonitored",
                    start_refused(task, &e)
                ));
                None
            }
        }
    }

    /// Heartbeats every `interval` until the server no longer has this run running; returns
    /// why. Failed calls are retried at the next beat, with one warning per streak of failures.
    pub async fn keep_alive(&self, interval: Duration) -> String {
        let interval = beat_interval(interval, self.heartbeat_timeout);
        let mut failing = false;
        loop {
            tokio::time::sleep(interval).await;
            match self.beat().await {
                Beat::Alive => failing = false,
                Beat::Lost(why) => return why,
                Beat::Failed(e) => {
                    if !failing {
                        warn(format!("heartbeat failed ({e}); trying again"));
                    }
                    failing = true;
                }
            }
        }
    }

    async fn beat(&self) -> Beat {
        match self.api.heartbeat(&self.started_at).await {
            Ok(()) => Beat::Alive,
            // 400: this run no longer runs (declared dead, or replaced); 404: task deleted.
            Err(CallError::Refused(StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND, message)) => {
                Beat::Lost(format!("the server ended this run ({message})"))
            }
            Err(e) => Beat::Failed(e),
        }
    }

    /// Reports how the command ended. The finish names this run: if the server ended it
    /// meanwhile, it answers 400 and the run that may have replaced it is left alone.
    pub async fn finish(self, report: &Report, output: Option<String>) {
        let body = FinishBody {
            started_at: self.started_at.clone(),
            status: report.status,
            exit_code: report.exit_code,
            error_message: report.error_message.clone(),
            output,
        };
        let mut delays = FINISH_RETRY_DELAYS.iter();
        loop {
            match self.api.finish(&body).await {
                Ok(()) => return,
                Err(e) if e.is_transient() => match delays.next() {
                    Some(delay) => tokio::time::sleep(*delay).await,
                    None => return finish_failed(&e),
                },
                Err(CallError::Refused(StatusCode::BAD_REQUEST, message)) => {
                    return warn(format!(
                        "the server ended this run ({message}); how the command ended is not reported"
                    ));
                }
                Err(e) => return finish_failed(&e),
            }
        }
    }
}

/// `wanted`, or a third of the run's heartbeat timeout if that is shorter: a task whose timeout
/// is 10 s would otherwise be declared dead whenever a heartbeat comes a little late.
fn beat_interval(wanted: Duration, timeout: Option<Duration>) -> Duration {
    match timeout {
        Some(timeout) if !timeout.is_zero() => wanted.min(timeout / 3),
        _ => wanted,
    }
}

fn finish_failed(e: &CallError) {
    warn(format!("could not report how the command ended: {e}"));
}

/// A refused start, in the user's terms: what happened and which flag changes it.
fn start_refused(task: &str, e: &CallError) -> String {
    match e.status() {
        // The server's router, not the task: the URL has a wrong path (or is not dutyduck).
        Some(StatusCode::NOT_FOUND) if matches!(e, CallError::Refused(_, m) if m.starts_with("no route for")) =>
        {
            format!("{e}: no dutyduck API at this address (check --server or DUTYDUCK_SERVER)")
        }
        Some(StatusCode::NOT_FOUND) => {
            format!("task {task:?} does not exist on the server (pass --create to create it)")
        }
        Some(StatusCode::CONFLICT) => format!(
            "task {task:?} already has a run going on (pass --abort-previous to replace it)"
        ),
        Some(StatusCode::UNAUTHORIZED) => {
            format!("{e}; check DUTYDUCK_TOKEN_ID and DUTYDUCK_TOKEN_SECRET")
        }
        _ => format!("could not start a run of task {task:?}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeats_come_well_within_the_timeout() {
        let s = Duration::from_secs;
        assert_eq!(beat_interval(s(10), Some(s(30))), s(10));
        assert_eq!(beat_interval(s(10), Some(s(3600))), s(10));
        assert_eq!(beat_interval(s(10), Some(s(12))), s(4));
        assert_eq!(
            beat_interval(Duration::from_millis(200), Some(s(30))),
            Duration::from_millis(200)
        );
        assert_eq!(beat_interval(s(10), None), s(10));
        assert_eq!(beat_interval(s(10), Some(s(0))), s(10));
    }

    #[test]
    fn a_refused_start_says_which_flag_helps() {
        let refused = |status| CallError::Refused(status, "message".into());
        assert!(start_refused("t", &refused(StatusCode::NOT_FOUND)).contains("--create"));
        assert!(start_refused("t", &refused(StatusCode::CONFLICT)).contains("--abort-previous"));
        let no_route = CallError::Refused(
            StatusCode::NOT_FOUND,
            "no route for POST /prefix/tasks/t/start".into(),
        );
        let said = start_refused("t", &no_route);
        assert!(
            said.contains("check --server") && !said.contains("--create"),
            "{said}"
        );
        assert!(
            start_refused("t", &refused(StatusCode::UNAUTHORIZED)).contains("DUTYDUCK_TOKEN_ID")
        );
        let down =
            CallError::Failed("cannot reach the server: Connection refused (os error 111)".into());
        assert_eq!(
            start_refused("t", &down),
            "could not start a run of task \"t\": cannot reach the server: Connection refused (os error 111)"
        );
    }
}
