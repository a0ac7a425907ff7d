//! `dutyduck run` end to end: the real binary wraps real `sh -c` commands against the real
//! server, and each test checks what a user would notice: the command's output and exit code,
//! the warnings on stderr, and the run as `GET /tasks/{id}/runs` shows it.

use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use crate::common::{Api, TestServer, Token, at, eventually};
use chrono::{DateTime, Utc};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;
use rustix::process::{Pid, Signal, kill_process};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, Command};

/// Short, so that heartbeats can be watched without waiting for the real 10 s.
const HEARTBEAT_INTERVAL: &str = "200ms";

/// A test's server and its user's token (an Owner's: every permission).
struct Setup {
    server: TestServer,
    token: Token,
}

impl Setup {
    async fn new() -> Setup {
        let server = TestServer::start().await;
        let token = server.user_with_token("ada@example.com", "Ops");
        Setup { server, token }
    }

    async fn create_task(&self, id: &str) {
        self.api().create("/tasks", json!({ "id": id })).await;
    }

    fn api(&self) -> Api<'_> {
        self.server.as_(&self.token)
    }

    /// The task's runs, newest first.
    async fn runs(&self, task: &str) -> Vec<Value> {
        let body = self
            .api()
            .get_ok(&format!("/tasks/{}/runs", enc(task)))
            .await;
        body["runs"].as_array().unwrap().clone()
    }

    /// Waits for the task's newest run to be running; returns it.
    async fn running(&self, task: &str) -> Value {
        eventually(&format!("a run of {task} to be running"), || async {
            let runs = self.runs(task).await;
            runs.first().filter(|r| r["status"] == "running").cloned()
        })
        .await
    }

    /// `dutyduck run` around `sh -c script`, with this setup's server and token.
    fn wrap(&self, task: &str, flags: &[&str], script: &str) -> Wrapped {
        wrap(&self.server.base, &self.token, task, flags, script)
    }

    /// Waits until the command has printed "ready" and its run is running on the server.
    async fn ready(&self, task: &str, wrapped: &Wrapped) {
        wrapped.wait_stdout("ready").await;
        self.running(task).await;
    }

    /// Starts a run through the API, replacing (aborting) the one going on; returns the new one.
    async fn replace_run(&self, task: &str) -> Value {
        let body = json!({ "abortPreviousRunningTask": true });
        let (status, run) = self
            .api()
            .post(&format!("/tasks/{}/start", enc(task)), body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{run}");
        run
    }
}

fn enc(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

fn time(value: &Value) -> DateTime<Utc> {
    at(value.as_str().unwrap())
}

/// A running wrapper: its stdin to release a waiting command, and what it has printed so far.
struct Wrapped {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

/// How a wrapper ended.
struct Ended {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Ended {
    /// The wrapper's own warnings.
    fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("dutyduck:"))
            .collect()
    }

    /// The wrapper's one warning, which mentions each of `words`.
    fn warning(&self, words: &[&str]) -> &str {
        let warnings = self.warnings();
        assert!(
            warnings.len() == 1 && words.iter().all(|w| warnings[0].contains(w)),
            "expected one warning mentioning {words:?}; stderr: {}",
            self.stderr
        );
        warnings[0]
    }

    fn no_warning(&self) {
        assert_eq!(self.warnings(), Vec::<&str>::new(), "{}", self.stderr);
    }
}

/// `dutyduck run [flags] -- command…` with all three streams piped.
fn command(server: &str, token: &Token, task: &str, flags: &[&str], command: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dutyduck"));
    cmd.args(["run", "--task", task, "--server", server])
        .args(flags)
        .arg("--")
        .args(command)
        .env("DUTYDUCK_TOKEN_ID", &token.id)
        .env("DUTYDUCK_TOKEN_SECRET", &token.secret)
        .env("DUTYDUCK_HEARTBEAT_INTERVAL", HEARTBEAT_INTERVAL)
        .env_remove("DUTYDUCK_SERVER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

fn wrap(server: &str, token: &Token, task: &str, flags: &[&str], script: &str) -> Wrapped {
    let mut child = command(server, token, task, flags, &["sh", "-c", script])
        .spawn()
        .expect("the binary runs");
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let readers = vec![
        tokio::spawn(collect(child.stdout.take().unwrap(), stdout.clone())),
        tokio::spawn(collect(child.stderr.take().unwrap(), stderr.clone())),
    ];
    Wrapped {
        stdin: child.stdin.take(),
        child,
        stdout,
        stderr,
        readers,
    }
}

async fn collect(mut from: impl AsyncRead + Unpin, into: Arc<Mutex<Vec<u8>>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            return;
        }
        into.lock().unwrap().extend_from_slice(&buf[..n]);
    }
}

impl Wrapped {
    async fn wait_stdout(&self, text: &str) {
        wait_for(&self.stdout, text, "stdout").await;
    }

    async fn wait_stderr(&self, text: &str) {
        wait_for(&self.stderr, text, "stderr").await;
    }

    /// Sends a line to a command waiting on `read`, and closes its stdin.
    async fn release(&mut self) {
        let mut stdin = self.stdin.take().unwrap();
        stdin.write_all(b"go\n").await.unwrap();
    }

    fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(self.child.id().unwrap() as i32).unwrap();
        kill_process(pid, signal).unwrap();
    }

    async fn end(mut self) -> Ended {
        drop(self.stdin.take());
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), self.child.wait())
            .await
            .expect("the wrapper ends")
            .unwrap();
        for reader in self.readers {
            reader.await.unwrap();
        }
        let text = |b: &Arc<Mutex<Vec<u8>>>| String::from_utf8(b.lock().unwrap().clone()).unwrap();
        Ended {
            status,
            stdout: text(&self.stdout),
            stderr: text(&self.stderr),
        }
    }
}

async fn wait_for(buffer: &Arc<Mutex<Vec<u8>>>, text: &str, name: &str) {
    eventually(&format!("{text:?} on the wrapper's {name}"), || async {
        String::from_utf8_lossy(&buffer.lock().unwrap())
            .contains(text)
            .then_some(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_successful_command_is_reported_and_its_output_passes_through_unchanged() {
    let s = Setup::new().await;
    let task = "nightly/backup?db"; // a slash and a question mark: the id is encoded in URLs
    s.create_task(task).await;

    let script = "echo 'dumping 3 tables'; echo 'table users skipped' >&2; printf 'done'";
    let ended = s.wrap(task, &[], script).end().await;

    assert_eq!(ended.status.code(), Some(0));
    assert_eq!(ended.stdout, "dumping 3 tables\ndone");
    assert_eq!(ended.stderr, "table users skipped\n", "no warning");
    let runs = s.runs(task).await;
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["status"], "finished", "{run}");
    assert_eq!(run["exitCode"], 0);
    assert_eq!(run["errorMessage"], Value::Null);
    assert!(run["completedAt"].is_string() && run["durationMs"].is_number());
    let output = run["output"].as_str().unwrap();
    for part in ["dumping 3 tables\n", "table users skipped\n", "done"] {
        assert!(output.contains(part), "{output:?} lacks {part:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_command_keeps_its_exit_code_and_reports_the_tail_of_its_output() {
    let s = Setup::new().await;
    s.create_task("report").await;

    // 12 KB of progress, then the error: only the last 10 KB go to the server. All on stdout:
    // bytes of two pipes reach the wrapper in no fixed order.
    let script = "i=0; while [ $i -lt 400 ]; do echo \"row $i ......................\"; \
                  i=$((i+1)); done; echo 'disk full'; exit 3";
    let ended = s.wrap("report", &[], script).end().await;

    assert_eq!(ended.status.code(), Some(3));
    assert!(
        ended.stdout.starts_with("row 0 ")
            && ended
                .stdout
                .ends_with("row 399 ......................\ndisk full\n")
    );
    ended.no_warning();
    let run = &s.runs("report").await[0];
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["exitCode"], 3);
    assert_eq!(run["errorMessage"], "exited with code 3");
    let output = run["output"].as_str().unwrap();
    assert!(
        output.ends_with("row 399 ......................\ndisk full\n"),
        "{output:?}"
    );
    assert!(
        output.len() <= 10 * 1024 && !output.contains("row 0 "),
        "only the tail is kept"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_killed_by_a_signal_fails_without_an_exit_code() {
    let s = Setup::new().await;
    s.create_task("crashy").await;

    let ended = s.wrap("crashy", &[], "echo before; kill -9 $$").end().await;

    assert_eq!(ended.status.code(), Some(137), "128 + 9, as shells do");
    assert_eq!(ended.stdout, "before\n");
    let run = &s.runs("crashy").await[0];
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["exitCode"], Value::Null);
    assert_eq!(run["errorMessage"], "killed by signal 9 (SIGKILL)");
    assert_eq!(run["output"], "before\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_keep_a_long_run_alive() {
    let s = Setup::new().await;
    s.create_task("long").await;

    let mut wrapped = s.wrap("long", &[], "echo ready; read line; echo \"got $line\"");
    let run = s.running("long").await;
    let started_at = time(&run["startedAt"]);
    eventually("a heartbeat after the start", || async {
        let run = s.runs("long").await.remove(0);
        (run["status"] == "running" && time(&run["lastHeartbeatAt"]) > started_at).then_some(())
    })
    .await;
    wrapped.release().await;
    let ended = wrapped.end().await;

    assert_eq!(ended.status.code(), Some(0));
    assert_eq!(ended.stdout, "ready\ngot go\n");
    let run = &s.runs("long").await[0];
    assert_eq!(run["status"], "finished", "{run}");
    assert!(time(&run["lastHeartbeatAt"]) > started_at);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_to_the_wrapper_reaches_the_command_and_the_run_ends_aborted() {
    let s = Setup::new().await;
    s.create_task("graceful").await;
    s.create_task("abrupt").await;

    // A script that traps SIGTERM, cleans up and exits 128 + 15, as scripts do.
    let graceful =
        "trap 'echo cleaning up; exit 143' TERM; echo ready; while :; do sleep 0.05; done";
    // A command that simply dies of it.
    let abrupt = "echo ready; exec sleep 30";
    for (task, script, exit_code, output) in [
        ("graceful", graceful, json!(143), "ready\ncleaning up\n"),
        ("abrupt", abrupt, Value::Null, "ready\n"),
    ] {
        let wrapped = s.wrap(task, &[], script);
        s.ready(task, &wrapped).await;
        wrapped.signal(Signal::TERM);
        let ended = wrapped.end().await;

        assert_eq!(ended.status.code(), Some(143), "{task}: 128 + 15");
        assert_eq!(ended.stdout, output, "{task}");
        let run = &s.runs(task).await[0];
        assert_eq!(run["status"], "aborted", "{task}: {run}");
        assert_eq!(run["exitCode"], exit_code, "{task}");
        assert_eq!(
            run["errorMessage"], "stopped by signal 15 (SIGTERM) sent to dutyduck run",
            "{task}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_runs_whatever_the_server_does() {
    let s = Setup::new().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };

    let down = wrap(&closed, &s.token, "nightly", &[], "echo still ran; exit 4")
        .end()
        .await;
    assert_eq!(
        down.status.code(),
        Some(4),
        "the command's exit code is kept"
    );
    assert_eq!(down.stdout, "still ran\n");
    down.warning(&["cannot reach the server", "runs unmonitored"]);

    let bad_token = Token {
        id: s.token.id.clone(),
        secret: "00".repeat(32),
    };
    let refused = wrap(
        &s.server.base,
        &bad_token,
        "nightly",
        &["--create"],
        "echo ran",
    )
    .end()
    .await;
    assert_eq!(refused.status.code(), Some(0));
    assert_eq!(refused.stdout, "ran\n");
    refused.warning(&["DUTYDUCK_TOKEN_SECRET"]);

    // Unknown task without --create: the server answers 404, the command still runs.
    let unknown = s.wrap("nightly", &[], "echo ran; exit 2").end().await;
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(unknown.stdout, "ran\n");
    unknown.warning(&["--create"]);
    let (status, _) = s.api().get("/tasks/nightly").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was created");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_makes_the_task_with_the_given_settings() {
    let s = Setup::new().await;
    let flags = [
        "--create",
        "--name",
        "Nightly backup",
        "--description",
        "pg_dump of the shop",
        "--cron",
        "30 2 * * *",
        "--timezone",
        "Europe/Paris",
    ];
    let ended = s.wrap("backup", &flags, "echo saved").end().await;
    assert_eq!(ended.status.code(), Some(0));
    ended.no_warning();
    let (status, body) = s.api().get("/tasks/backup").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let task = &body["task"];
    assert_eq!(task["name"], "Nightly backup");
    assert_eq!(task["description"], "pg_dump of the shop");
    assert_eq!(task["cronSchedule"], "30 2 * * *");
    assert_eq!(task["timezone"], "Europe/Paris");
    assert_eq!(s.runs("backup").await[0]["status"], "finished");

    // Without --name, the task is named after the command line; a second run reuses the task.
    s.wrap("ad-hoc", &["--create"], "exit 0").end().await;
    s.wrap("ad-hoc", &["--create"], "exit 0").end().await;
    let (_, body) = s.api().get("/tasks/ad-hoc").await;
    assert_eq!(body["task"]["name"], "sh -c exit 0");
    assert_eq!(s.runs("ad-hoc").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_already_going_on_is_left_alone_unless_abort_previous() {
    let s = Setup::new().await;
    s.create_task("sync").await;
    let (status, body) = s.api().post("/tasks/sync/start", Value::Null).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let ended = s.wrap("sync", &[], "echo synced; exit 0").end().await;
    assert_eq!(ended.status.code(), Some(0));
    assert_eq!(ended.stdout, "synced\n");
    ended.warning(&["--abort-previous"]);
    let runs = s.runs("sync").await;
    assert_eq!(runs.len(), 1, "no run of the wrapper");
    assert_eq!(
        runs[0]["status"], "running",
        "the other run is not finished by the wrapper"
    );

    let ended = s
        .wrap("sync", &["--abort-previous"], "echo synced")
        .end()
        .await;
    assert_eq!(ended.status.code(), Some(0));
    ended.no_warning();
    let runs = s.runs("sync").await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], "finished", "the wrapper's run");
    assert_eq!(runs[1]["status"], "aborted", "the previous run");
}

/// The server ends the wrapper's run while its command goes on: here another start replaces
/// it. The wrapper's heartbeats name its run, so the server answers 400 (instead of keeping the
/// replacement alive); the wrapper stops heartbeating and reports nothing at the end.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_replaced_on_the_server_stops_heartbeats_and_is_not_finished() {
    let s = Setup::new().await;
    s.create_task("etl").await;
    let mut wrapped = s.wrap("etl", &[], "echo ready; read line; echo finished anyway");
    s.ready("etl", &wrapped).await;

    let replacement = s.replace_run("etl").await;
    wrapped.wait_stderr("heartbeats stopped").await;
    wrapped.release().await;
    let ended = wrapped.end().await;

    assert_eq!(ended.status.code(), Some(0), "the command ran to its end");
    assert_eq!(ended.stdout, "ready\nfinished anyway\n");
    ended.warning(&["aborted (replaced by a new run)"]);
    let runs = s.runs("etl").await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["startedAt"], replacement["startedAt"]);
    assert_eq!(
        runs[0]["status"], "running",
        "the replacement is not finished by the wrapper"
    );
    assert_eq!(runs[1]["status"], "aborted");
}

/// The same with a token that may only write runs (reading is never needed), and with the
/// replacement ended too: no run is going on any more.
#[tokio::test(flavor = "multi_thread")]
async fn a_heartbeat_answered_400_stops_heartbeats() {
    let s = Setup::new().await;
    s.create_task("etl").await;
    let write_only = s
        .server
        .create_token("ada@example.com", &["--scope", "writeTaskRuns"]);
    let script = "echo ready; read line; echo finished anyway";
    let mut wrapped = wrap(&s.server.base, &write_only, "etl", &[], script);
    s.ready("etl", &wrapped).await;

    // Replace the run, then end the replacement: no run is running, heartbeats get 400.
    s.replace_run("etl").await;
    let done =
        json!({ "status": "success", "exitCode": 0, "errorMessage": null, "output": "by hand" });
    let (status, body) = s.api().post("/tasks/etl/finish", done).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    wrapped.wait_stderr("heartbeats stopped").await;
    wrapped.release().await;
    let ended = wrapped.end().await;

    assert_eq!(ended.status.code(), Some(0));
    // One warning: no failed finish either.
    ended.warning(&["is not running: it ended as aborted"]);
    let runs = s.runs("etl").await;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["output"], "by hand", "the wrapper reported nothing");
    assert_eq!(runs[1]["status"], "aborted");
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_on_abort_stops_the_command_when_the_run_is_replaced() {
    let s = Setup::new().await;
    s.create_task("etl").await;
    let wrapped = s.wrap("etl", &["--kill-on-abort"], "echo ready; exec sleep 30");
    s.ready("etl", &wrapped).await;

    s.replace_run("etl").await;
    let ended = wrapped.end().await;

    assert_eq!(ended.status.code(), Some(143), "stopped with SIGTERM");
    ended.warning(&["stopping the command"]);
    let runs = s.runs("etl").await;
    assert_eq!(runs[0]["status"], "running", "the replacement goes on");
    assert_eq!(runs[1]["status"], "aborted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_that_cannot_start_is_reported_as_failed() {
    let s = Setup::new().await;
    let program = ["/no/such/program", "--flag"];
    let out = command(&s.server.base, &s.token, "typo", &["--create"], &program)
        .output()
        .await
        .unwrap();

    assert_eq!(out.status.code(), Some(127), "not found, as shells say");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("dutyduck: command not found: /no/such/program"),
        "{stderr}"
    );
    let run = &s.runs("typo").await[0];
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["exitCode"], 127);
    assert!(
        run["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("command not found")
    );
}

/// `dutyduck run … | head -1`: when the reader of the wrapper's stdout goes away, the command
/// gets the broken pipe it would get unwrapped, instead of writing forever.
#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_goes_away_stops_the_command_as_it_would_unwrapped() {
    let s = Setup::new().await;
    s.create_task("firehose").await;
    let mut child = command(&s.server.base, &s.token, "firehose", &[], &["yes"])
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 2];
    stdout.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"y\n");
    drop(stdout);
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
        .await
        .expect("the wrapper ends")
        .unwrap();

    assert_eq!(status.code(), Some(141), "128 + SIGPIPE, as unwrapped");
    let run = &s.runs("firehose").await[0];
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["errorMessage"], "killed by signal 13 (SIGPIPE)");
    assert!(run["output"].as_str().unwrap().starts_with("y\ny\n"));
}
