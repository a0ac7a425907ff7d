//! `dutyduck run --task ID -- COMMAND…`: runs a job (a cron job, a backup script) and reports it
//! to a dutyduck server as a run of a task: the start, a heartbeat every 10 s, and how it ended
//! with the tail of its output. The job comes first: a monitoring failure is a warning on
//! stderr, never a reason not to run it or to change its exit code.

mod api;
mod child;
mod outcome;
mod session;

use std::ffi::{OsStr, OsString};
use std::io;
use std::time::Duration;

use clap::Args;
use tokio::sync::oneshot;

use api::{Api, NewTask, StartBody};
use child::{Job, StopSignals};
use outcome::{Outcome, Report, WRAPPER_FAILED};
use session::Session;

const AFTER_HELP: &str = "\
Environment:
  DUTYDUCK_SERVER        the server's URL, e.g. https://dutyduck.example.com (or --server)
  DUTYDUCK_TOKEN_ID      an API token's id (dutyduck token create, or the dashboard)
  DUTYDUCK_TOKEN_SECRET  its secret key; read from the environment only, so it never shows in ps
The token needs the writeTaskRuns permission. Heartbeats and the finish name the run they belong
to: once the server has ended it (no heartbeat in time, or replaced by another start), they stop.

The command's stdout and stderr pass through unchanged. The server hears the start, a heartbeat
every 10 s (more often if the task's heartbeat timeout is under 30 s), then the exit code, \"exited with code N\" or \"killed by signal N (SIGX)\", and the
last 10 KB of output. SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to the command; if it
dies of one of them (or exits with 128 + it), the run is reported aborted.

Monitoring never stops the job: when the server is unreachable or refuses the run (an unknown
task without --create, a run already going on without --abort-previous), one warning starting
with \"dutyduck:\" goes to stderr, and the command runs unmonitored. When the server ends the run
while the command goes on (no heartbeat in time, or replaced), heartbeats stop with a warning.

Exit status: the command's; 128 + N when a signal N killed it; 127 when the command is not
found, 126 when it cannot be run, 125 when dutyduck itself fails, 2 for a usage error.";

#[derive(Args)]
#[command(
    override_usage = "dutyduck run --task ID [OPTIONS] -- COMMAND [ARGS]...",
    after_long_help = AFTER_HELP
)]
pub struct RunArgs {
    /// The task's id: no spaces, as shown in the dashboard.
    #[arg(long = "task", value_name = "ID", value_parser = task_id)]
    task: String,
    /// Create the task if it does not exist yet (see --name, --description, --cron, --timezone).
    #[arg(long)]
    create: bool,
    /// The created task's name [default: the command line].
    #[arg(long, requires = "create")]
    name: Option<String>,
    /// The created task's description.
    #[arg(long, requires = "create")]
    description: Option<String>,
    /// The created task's schedule, 5-field Unix cron ("30 2 * * *") or a macro ("@daily").
    #[arg(long, value_name = "SCHEDULE", requires = "create")]
    cron: Option<String>,
    /// The created task's IANA time zone for --cron [server default: UTC].
    #[arg(long, requires = "create")]
    timezone: Option<String>,
    /// If a run of this task is still going on, end it as aborted and start this one (otherwise
    /// this command runs unmonitored).
    #[arg(long)]
    abort_previous: bool,
    /// Stop the command with SIGTERM when the server ends its run before it finishes (no
    /// heartbeat in time, or replaced by another start). By default the command runs on.
    #[arg(long)]
    kill_on_abort: bool,
    /// The server's URL.
    #[arg(long, env = "DUTYDUCK_SERVER", value_name = "URL")]
    server: Option<String>,
    /// Time between heartbeats (for tests: the server needs one within the task's heartbeat
    /// timeout, at least 10 s).
    #[arg(
        long,
        env = "DUTYDUCK_HEARTBEAT_INTERVAL",
        default_value = "10s",
        value_parser = interval,
        hide = true
    )]
    heartbeat_interval: Duration,
    /// `run` talks to a server over HTTP and never opens a data dir. This hidden local copy of
    /// the global `--data-dir` keeps that flag out of `run --help` (clap copies a global flag
    /// only into subcommands that lack one), and it is still accepted, as before.
    #[arg(id = "data_dir", long = "data-dir", hide = true)]
    _data_dir: Option<std::path::PathBuf>,
    /// The command to run and its arguments (put `--` before them).
    #[arg(required = true, trailing_var_arg = true, value_name = "COMMAND")]
    command: Vec<OsString>,
}

fn task_id(id: &str) -> Result<String, String> {
    crate::tasks::settings::check_id(id).map_err(|e| e.message)
}

fn interval(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be more than 0".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// A warning of the wrapper, told from the command's own output by its prefix.
fn warn(message: impl std::fmt::Display) {
    eprintln!("dutyduck: {message}");
}

/// Runs the command; the exit code is the command's (see `AFTER_HELP`).
pub fn main(args: RunArgs) -> u8 {
    // One thread is plenty for a child, two pipes, a timer and a few HTTP calls.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            warn(format!("cannot start: {e}"));
            return WRAPPER_FAILED;
        }
    };
    let code = runtime.block_on(wrap(args));
    // Don't wait for a background process still holding the command's pipes, nor for a write
    // to a stdout nobody reads.
    runtime.shutdown_background();
    code
}

/// What the monitor needs from the arguments.
struct Plan {
    task: String,
    start: StartBody,
    interval: Duration,
    kill_on_abort: bool,
}

async fn wrap(args: RunArgs) -> u8 {
    let api = connect(&args);
    let plan = Plan {
        start: start_body(&args),
        task: args.task,
        interval: args.heartbeat_interval,
        kill_on_abort: args.kill_on_abort,
    };
    let mut signals = StopSignals::install();
    let mut job = match Job::spawn(&args.command) {
        Ok(job) => job,
        Err(e) => {
            let program = args
                .command
                .first()
                .map_or(OsStr::new(""), |p| p.as_os_str());
            return spawn_failed(api, &plan, program, &e).await;
        }
    };
    // The job starts at once; the run is started meanwhile, so a slow server never delays it.
    let (done, done_rx) = oneshot::channel();
    let (lost_tx, lost) = oneshot::channel();
    let monitor = tokio::spawn(monitor(api, plan, done_rx, lost_tx));
    let ended = job.supervise(&mut signals, lost).await;
    let _ = done.send(());
    let output = job.output().await;
    let outcome = match ended {
        Ok(ended) => outcome::of_exit(ended.status, &ended.forwarded),
        Err(e) => lost_track(&e),
    };
    if let Ok(Some(session)) = monitor.await {
        session.finish(&outcome.report, output).await;
    }
    outcome.exit_code
}

/// Starts the run, then heartbeats until the command ends (`done`), and gives the session back
/// for the finish; None when there is no run to report (never started, or ended by the server).
async fn monitor(
    api: Option<Api>,
    plan: Plan,
    done: oneshot::Receiver<()>,
    lost: oneshot::Sender<()>,
) -> Option<Session> {
    // The start is not raced with `done`: even a command that ended at once is reported.
    let session = Session::begin(api?, &plan.task, &plan.start).await?;
    tokio::select! {
        _ = done => Some(session),
        why = session.keep_alive(plan.interval) => {
            if plan.kill_on_abort {
                warn(format!("{why}; stopping the command (--kill-on-abort)"));
                let _ = lost.send(());
            } else {
                warn(format!(
                    "{why}; heartbeats stopped, the command goes on and its end will not be reported"
                ));
            }
            None
        }
    }
}

/// The API client, or None (after a warning saying what to set) when the settings are missing
/// or wrong: the command then runs unmonitored.
fn connect(args: &RunArgs) -> Option<Api> {
    let settings = || -> Result<Api, String> {
        let server = args
            .server
            .as_deref()
            .ok_or("no server given: set DUTYDUCK_SERVER or pass --server")?;
        Api::new(
            server,
            &args.task,
            env("DUTYDUCK_TOKEN_ID")?,
            env("DUTYDUCK_TOKEN_SECRET")?,
        )
    };
    settings()
        .map_err(|why| warn(format!("{why}; the command runs unmonitored")))
        .ok()
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{name} is not set"))
}

fn start_body(args: &RunArgs) -> StartBody {
    StartBody {
        new_task: args.create.then(|| NewTask {
            name: args
                .name
                .clone()
                .unwrap_or_else(|| command_line(&args.command)),
            description: args.description.clone(),
            cron_schedule: args.cron.clone(),
            timezone: args.timezone.clone(),
        }),
        abort_previous_running_task: args.abort_previous,
    }
}

/// The server's limit for a task name, in characters.
const MAX_NAME: usize = 200;

/// The command line as a default task name, shortened to what the server accepts.
fn command_line(command: &[OsString]) -> String {
    let line = command
        .iter()
        .map(|arg| arg.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    if line.chars().count() <= MAX_NAME {
        return line;
    }
    let mut short: String = line.chars().take(MAX_NAME - 1).collect();
    short.push('…');
    short
}

/// A command that could not be started: said on stderr, and reported as a failed run when the
/// server can be reached.
async fn spawn_failed(api: Option<Api>, plan: &Plan, program: &OsStr, e: &io::Error) -> u8 {
    let outcome = outcome::of_spawn_error(program, e);
    if let Some(message) = &outcome.report.error_message {
        warn(message);
    }
    if let Some(api) = api
        && let Some(session) = Session::begin(api, &plan.task, &plan.start).await
    {
        session.finish(&outcome.report, None).await;
    }
    outcome.exit_code
}

/// Waiting for the command failed (the system refused): the job's fate is unknown.
fn lost_track(e: &io::Error) -> Outcome {
    let message = format!("lost track of the command: {e}");
    warn(&message);
    Outcome {
        report: Report {
            status: "failure",
            exit_code: None,
            error_message: Some(message),
        },
        exit_code: WRAPPER_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_name_is_the_command_line_within_the_servers_limit() {
        let cmd = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            command_line(&cmd(&["pg_dump", "-f", "/backups/db.sql"])),
            "pg_dump -f /backups/db.sql"
        );
        let long = command_line(&cmd(&["echo", &"é".repeat(300)]));
        assert_eq!(long.chars().count(), MAX_NAME);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn the_heartbeat_interval_is_a_positive_duration() {
        assert_eq!(interval("200ms"), Ok(Duration::from_millis(200)));
        assert_eq!(interval("10s"), Ok(Duration::from_secs(10)));
        assert!(interval("0s").is_err());
        assert!(interval("soon").is_err());
    }
}
