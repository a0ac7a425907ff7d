//! Tasks end to end: the real server with a manual clock walks scheduled tasks through their
//! deadlines; runs, incidents, ping URLs and the status codes the original CLI relies on.

use crate::common::{TestServer, Token, at, code, eventually};
use chrono::Duration;
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod the_status_codes_the_original_cli_relies_on;

/// The statuses a task's incidents can be in once confirmed: a failed run opens them ongoing.
const ANY_STATUS: &[&str] = &["ongoing", "resolved"];

pub(crate) async fn task(server: &TestServer, token: &Token, id: &str) -> Value {
    server.as_(token).get_ok(&format!("/tasks/{id}")).await["task"].clone()
}

/// Waits for the deadline timer (real time) to bring the task to `status`.
pub(crate) async fn wait_status(
    server: &TestServer,
    token: &Token,
    id: &str,
    status: &str,
) -> Value {
    eventually(&format!("{id} to be {status}"), || async {
        let t = task(server, token, id).await;
        (t["status"] == status).then_some(t)
    })
    .await
}

async fn runs(server: &TestServer, token: &Token, id: &str) -> Vec<Value> {
    let body = server.as_(token).get_ok(&format!("/tasks/{id}/runs")).await;
    body["runs"].as_array().unwrap().clone()
}

/// The event types on `incident`'s timeline, oldest first.
pub(crate) async fn timeline(server: &TestServer, token: &Token, incident: &Value) -> Vec<String> {
    let path = format!(
        "/incidents/{}/events?itemsPerPage=50",
        incident["id"].as_str().unwrap()
    );
    server
        .as_(token)
        .items(&path)
        .await
        .iter()
        .map(|e| e["eventType"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missed_occurrence_goes_due_late_absent_then_a_successful_run_resolves_it() {
    let clock = Clock::manual(at("2026-11-30T01:58:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let created = server
        .as_(&token)
        .create(
            "/tasks",
            json!({"id": "nightly-backup", "name": "Nightly backup", "cronSchedule": "0 2 * * *",
            "heartbeatTimeoutSeconds": 120}),
        )
        .await;
    assert_eq!(created["status"], "healthy");
    assert_eq!(created["nextDueAt"], "2026-11-30T02:00:00Z");

    // A second before the occurrence nothing has changed; at the occurrence it is due.
    clock.set(at("2026-11-30T01:59:59Z"));
    let (status, _) = server.anonymous().get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        task(&server, &token, "nightly-backup").await["status"],
        "healthy"
    );
    clock.set(at("2026-11-30T02:00:00Z"));
    let t = wait_status(&server, &token, "nightly-backup", "due").await;
    assert_eq!(t["previousStatus"], "healthy");
    assert_eq!(t["lastStatusChangeAt"], "2026-11-30T02:00:00Z");
    assert!(
        server
            .as_(&token)
            .incidents("nightly-backup", ANY_STATUS)
            .await
            .is_empty()
    );

    // After the start window (120 s): late, and an incident says which occurrence was missed.
    clock.set(at("2026-11-30T02:02:00Z"));
    wait_status(&server, &token, "nightly-backup", "late").await;
    let open = server
        .as_(&token)
        .incidents("nightly-backup", ANY_STATUS)
        .await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["status"], "ongoing");
    assert_eq!(open[0]["title"], "Nightly backup");
    assert_eq!(open[0]["cause"]["kind"], "late");
    assert_eq!(open[0]["cause"]["dueAt"], "2026-11-30T02:00:00Z");

    // After the lateness window (240 s more): absent, same incident.
    clock.set(at("2026-11-30T02:06:00Z"));
    wait_status(&server, &token, "nightly-backup", "absent").await;
    let open = server
        .as_(&token)
        .incidents("nightly-backup", ANY_STATUS)
        .await;
    assert_eq!(open.len(), 1, "the same incident is reused");
    assert_eq!(open[0]["cause"]["kind"], "absent");

    // The job finally runs and succeeds: healthy, next occurrence tomorrow, incident resolved.
    clock.set(at("2026-11-30T02:30:00Z"));
    let (status, run) = server
        .as_(&token)
        .post("/tasks/nightly-backup/start", Value::Null)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    assert_eq!(
        task(&server, &token, "nightly-backup").await["status"],
        "running"
    );
    clock.set(at("2026-11-30T02:31:00Z"));
    let (status, finished) = server
        .as_(&token)
        .post(
            "/tasks/nightly-backup/finish",
            json!({"status": "success", "exitCode": 0, "output": "4 GB copied"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{finished}");
    assert_eq!(finished["status"], "finished");
    assert_eq!(finished["durationMs"], 60_000);
    assert_eq!(finished["output"], "4 GB copied");
    let t = task(&server, &token, "nightly-backup").await;
    assert_eq!(t["status"], "healthy");
    assert_eq!(t["nextDueAt"], "2026-12-01T02:00:00Z");
    let all = server
        .as_(&token)
        .incidents("nightly-backup", ANY_STATUS)
        .await;
    assert_eq!(all[0]["status"], "resolved");
    assert_eq!(all[0]["resolvedAt"], "2026-11-30T02:31:00Z");
    assert_eq!(
        timeline(&server, &token, &all[0]).await,
        [
            "creation",
            "tasklate",
            "taskabsent",
            "taskrunstarted",
            "taskrunsucceeded",
            "resolution"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_absent_task_is_due_again_at_its_next_occurrence_and_deadlines_survive_a_restart() {
    let clock = Clock::manual(at("2026-11-30T09:59:30Z"));
    let mut server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server.as_(&token).create("/tasks", json!({"id": "hourly", "cronSchedule": "0 * * * *", "startWindowSeconds": 60, "latenessWindowSeconds": 60}))
    .await;
    // Down across the occurrence and both windows: at restart the task is absent at once.
    server.stop().await;
    clock.set(at("2026-11-30T10:05:00Z"));
    server.restart().await;
    let t = wait_status(&server, &token, "hourly", "absent").await;
    assert_eq!(t["nextDueAt"], "2026-11-30T10:00:00Z");
    // The next occurrence makes it due again (the original left it absent for ever).
    clock.set(at("2026-11-30T11:00:00Z"));
    let t = wait_status(&server, &token, "hourly", "due").await;
    assert_eq!(t["nextDueAt"], "2026-11-30T11:00:00Z");
    clock.set(at("2026-11-30T11:01:00Z"));
    wait_status(&server, &token, "hourly", "late").await;
    let open = server.as_(&token).incidents("hourly", ANY_STATUS).await;
    assert_eq!(open.len(), 1, "still the one incident");
    assert_eq!(
        timeline(&server, &token, &open[0]).await,
        ["creation", "taskabsent"],
        "being late again while absent adds nothing"
    );
}

/// A job running across a restart longer than its heartbeat timeout is not declared dead: it
/// could not reach the stopped server. It gets a full timeout from the restart.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_does_not_kill_the_runs_going_on() {
    let clock = Clock::manual(at("2026-11-30T12:00:00Z"));
    let mut server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "upgrade"}))
        .await;
    server.as_(&token).post_empty("/tasks/upgrade/start").await;
    server.stop().await;
    clock.advance(Duration::seconds(45));
    server.restart().await;
    let (status, _) = server
        .as_(&token)
        .post_empty("/tasks/upgrade/heartbeat")
        .await;
    assert_eq!(status, StatusCode::OK, "still running after the restart");
    assert!(
        server
            .as_(&token)
            .incidents("upgrade", ANY_STATUS)
            .await
            .is_empty()
    );
    // Silent for a full timeout after that: dead after all.
    clock.advance(Duration::seconds(31));
    wait_status(&server, &token, "upgrade", "failing").await;
}

/// A server that keeps restarting gives a silent run one grace, not one per restart: the job
/// that is gone is still declared dead.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_loop_still_declares_dead_runs() {
    let clock = Clock::manual(at("2026-11-30T12:00:00Z"));
    let mut server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "gone"}))
        .await;
    server.as_(&token).post_empty("/tasks/gone/start").await;
    // Restarts every 20 s: the first one moves the deadline to 20 + 30 s, later ones do not.
    for _ in 0..3 {
        server.stop().await;
        clock.advance(Duration::seconds(20));
        server.restart().await;
    }
    // 60 s after the start, 40 s after the grace began: dead, although the last restart was
    // only now.
    wait_status(&server, &token, "gone", "failing").await;
    let open = server.as_(&token).incidents("gone", ANY_STATUS).await;
    assert_eq!(open.len(), 1, "the dead run opened an incident");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_run_and_a_dead_run_each_open_an_incident() {
    let clock = Clock::manual(at("2026-11-30T12:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "report"}))
        .await;

    server.as_(&token).post_empty("/tasks/report/start").await;
    clock.advance(Duration::seconds(5));
    let (status, run) = server
        .as_(&token)
        .post(
            "/tasks/report/finish",
            json!({"status": "failure", "exitCode": 3, "errorMessage": "disk full"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["status"], "failed");
    assert_eq!(task(&server, &token, "report").await["status"], "failing");
    let open = server.as_(&token).incidents("report", ANY_STATUS).await;
    assert_eq!(open[0]["cause"]["kind"], "failed");
    assert_eq!(open[0]["cause"]["exitCode"], 3);
    assert_eq!(open[0]["cause"]["errorMessage"], "disk full");
    server.as_(&token).post_empty("/tasks/report/start").await;
    server
        .as_(&token)
        .post("/tasks/report/finish", json!({"status": "success"}))
        .await;
    assert_eq!(
        server.as_(&token).incidents("report", ANY_STATUS).await[0]["status"],
        "resolved"
    );

    // A run that heartbeats stays alive past the timeout (30 s); one that stops is declared dead.
    let (_, run) = server.as_(&token).post_empty("/tasks/report/start").await;
    clock.advance(Duration::seconds(20));
    let (status, _) = server
        .as_(&token)
        .post_empty("/tasks/report/heartbeat")
        .await;
    assert_eq!(status, StatusCode::OK);
    clock.advance(Duration::seconds(20));
    let (status, _) = server
        .as_(&token)
        .post_empty("/tasks/report/heartbeat")
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "40 s after start but 20 s after a heartbeat"
    );
    clock.advance(Duration::seconds(30));
    wait_status(&server, &token, "report", "failing").await;
    let started = run["startedAt"].as_str().unwrap().replace('+', "%2B");
    let (status, detail) = server
        .as_(&token)
        .get(&format!("/tasks/report/runs/{started}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["taskRun"]["status"], "dead");
    assert!(
        detail["taskRun"]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("no heartbeat")
    );
    let open = server.as_(&token).incidents("report", ANY_STATUS).await;
    assert_eq!(open.len(), 2, "a new incident after the resolved one");
    assert_eq!(open[0]["status"], "ongoing");
    assert_eq!(open[0]["cause"]["kind"], "dead");
    assert_eq!(open[0]["cause"]["lastHeartbeatAt"], "2026-11-30T12:00:45Z");
    // The wrapper learns its run is over from exactly 400.
    let (status, body) = server
        .as_(&token)
        .post_empty("/tasks/report/heartbeat")
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "task_not_running")
    );
    // Deleting the task resolves its open incident rather than leaving it open for ever.
    let (status, _) = server.as_(&token).delete("/tasks/report").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let all = server.as_(&token).incidents("report", ANY_STATUS).await;
    assert!(all.iter().all(|i| i["status"] == "resolved"), "{all:?}");
    let steps = timeline(&server, &token, &all[0]).await;
    assert_eq!(steps[steps.len() - 2..], ["sourcedeleted", "resolution"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn ping_urls_work_like_a_crontab_curl_line() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let key = server
        .as_(&token)
        .create("/tasks", json!({"id": "cron-job"}))
        .await["pingKey"]
        .as_str()
        .unwrap()
        .to_owned();
    // Exactly what `curl -fsS URL` and `curl -fsS --data-binary @log URL` send: no headers.
    let ping = |method: Method, path: String, body: Option<&'static str>| {
        let mut req = server.request(method, &path);
        if let Some(body) = body {
            req = req.body(body);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let kind = resp
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, kind, resp.text().await.unwrap())
        }
    };
    let (status, kind, text) = ping(Method::GET, format!("/ping/{key}"), None).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));
    assert!(kind.unwrap().starts_with("text/plain"));
    assert_eq!(
        runs(&server, &token, "cron-job").await[0]["status"],
        "finished"
    );

    ping(Method::POST, format!("/ping/{key}/start"), None).await;
    assert_eq!(task(&server, &token, "cron-job").await["status"], "running");
    let (status, _, _) = ping(
        Method::POST,
        format!("/ping/{key}/fail"),
        Some("ERROR: disk full\n"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let last = &runs(&server, &token, "cron-job").await[0];
    assert_eq!(
        (&last["status"], &last["output"]),
        (&json!("failed"), &json!("ERROR: disk full\n"))
    );
    assert_eq!(task(&server, &token, "cron-job").await["status"], "failing");
    assert_eq!(
        server.as_(&token).incidents("cron-job", ANY_STATUS).await[0]["status"],
        "ongoing"
    );

    ping(Method::GET, format!("/ping/{key}/3"), None).await;
    assert_eq!(runs(&server, &token, "cron-job").await[0]["exitCode"], 3);
    let (status, _, _) = ping(Method::HEAD, format!("/ping/{key}/0"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task(&server, &token, "cron-job").await["status"], "healthy");
    assert_eq!(
        server.as_(&token).incidents("cron-job", ANY_STATUS).await[0]["status"],
        "resolved"
    );

    // /log records a message and changes nothing.
    let before = runs(&server, &token, "cron-job").await.len();
    ping(
        Method::POST,
        format!("/ping/{key}/log"),
        Some("rotated 3 files"),
    )
    .await;
    assert_eq!(runs(&server, &token, "cron-job").await.len(), before);
    let (_, logs) = server.as_(&token).get("/tasks/cron-job/logs").await;
    assert_eq!(logs["items"][0]["body"], "rotated 3 files");

    // Bad pings are 4xx; a regenerated key retires the old URLs.
    for bad in ["256", "+1", "01", "-1"] {
        let status = ping(Method::GET, format!("/ping/{key}/{bad}"), None)
            .await
            .0;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        ping(Method::GET, "/ping/nokey".into(), None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, t) = server
        .as_(&token)
        .post_empty("/tasks/cron-job/ping-key")
        .await;
    assert_ne!(t["pingKey"].as_str().unwrap(), key);
    assert_eq!(
        ping(Method::GET, format!("/ping/{key}"), None).await.0,
        StatusCode::NOT_FOUND
    );
}

/// Runs a shell line off the async workers (the server shares them).
async fn shell(line: String) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .args(["-c", &line])
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// The crontab lines the task page suggests, run by the real curl.
#[tokio::test(flavor = "multi_thread")]
async fn the_suggested_crontab_curl_lines_work_as_written() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let key = server
        .as_(&token)
        .create("/tasks", json!({"id": "curl-job"}))
        .await["pingKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/ping/{key}", server.base);
    let line = format!(
        "curl -fsS -m 10 --retry 5 {url}/start && echo 'copied 12 files' | \
         curl -fsS -m 10 --retry 5 --data-binary @- {url}"
    );
    let out = shell(line).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "OKOK");
    let last = &runs(&server, &token, "curl-job").await[0];
    assert_eq!(
        (&last["status"], &last["output"]),
        (&json!("finished"), &json!("copied 12 files\n"))
    );
    // `job; curl …/$?` reports the job's exit code.
    let line = format!("sh -c 'exit 4'; curl -fsS -m 10 {url}/$?");
    let out = shell(line).await;
    assert!(out.status.success());
    let last = &runs(&server, &token, "curl-job").await[0];
    assert_eq!(
        (&last["status"], &last["exitCode"]),
        (&json!("failed"), &json!(4))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn spiky_cron_traffic_keeps_every_start_and_finish_in_order() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    // 200 jobs all firing at the top of the minute, each: start (creating its task), heartbeat,
    // finish.
    let jobs = (0..200).map(|i| {
        let (server, token) = (&server, &token);
        async move {
            let id = format!("job-{i}");
            let (s1, _) = server
                .as_(token)
                .post(&format!("/tasks/{id}/start"), json!({"newTask": {}}))
                .await;
            let (s2, _) = server
                .as_(token)
                .post_empty(&format!("/tasks/{id}/heartbeat"))
                .await;
            let body = json!({"status": "failure", "exitCode": i % 7 + 1});
            let (s3, _) = server
                .as_(token)
                .post(&format!("/tasks/{id}/finish"), body)
                .await;
            (s1, s2, s3)
        }
    });
    for statuses in futures_util::future::join_all(jobs).await {
        assert_eq!(
            statuses,
            (StatusCode::CREATED, StatusCode::OK, StatusCode::OK)
        );
    }
    for i in (0..200).step_by(17) {
        let r = runs(&server, &token, &format!("job-{i}")).await;
        assert_eq!(r.len(), 1);
        assert_eq!(
            (&r[0]["status"], &r[0]["exitCode"]),
            (&json!("failed"), &json!(i % 7 + 1))
        );
    }
    let (_, list) = server
        .as_(&token)
        .get("/tasks?include=failing&itemsPerPage=1")
        .await;
    assert_eq!(list["totalNumberOfFilteredResults"], 200);
    let metrics = server
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(
        metrics.contains("dutyduck_tasks{status=\"failing\"} 200\n"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn organizations_and_roles_keep_tasks_apart() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let bob = server.user_with_token("bob@example.com", "Globex");
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let rita = server.create_token("rita@example.com", &[]);
    // The same id in two organizations, each failing with its own incident.
    for token in [&ada, &bob] {
        server
            .as_(token)
            .create("/tasks", json!({"id": "backup"}))
            .await;
        server.as_(token).post_empty("/tasks/backup/start").await;
        let (status, _) = server
            .as_(token)
            .post("/tasks/backup/finish", json!({"status": "failure"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            server
                .as_(token)
                .incidents("backup", ANY_STATUS)
                .await
                .len(),
            1
        );
    }
    // A reporter reads tasks but cannot report runs nor see the ping key.
    let t = task(&server, &rita, "backup").await;
    assert!(t.get("pingKey").is_none(), "{t}");
    assert_eq!(
        server.as_(&rita).post_empty("/tasks/backup/start").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = server.as_(&rita).delete("/tasks/backup").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_schedule_preview_follows_daylight_saving_time() {
    // 2026-03-29: Paris jumps from 02:00 to 03:00; 2026-10-25: 03:00 back to 02:00.
    let server = TestServer::start_with_clock(Clock::manual(at("2026-03-27T12:00:00Z"))).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let preview = |cron: &str, zone: &str| {
        let path = format!(
            "/cron-preview?cronSchedule={}&timezone={zone}",
            cron.replace(' ', "%20")
        );
        let (server, token) = (&server, &token);
        async move { server.as_(token).get(&path).await }
    };
    let (status, body) = preview("30 2 * * *", "Europe/Paris").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // 02:30 does not exist on the 29th: it runs right after the gap, at 03:00 local (01:00Z).
    assert_eq!(
        body["occurrences"],
        json!([
            "2026-03-28T01:30:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-30T00:30:00Z",
            "2026-03-31T00:30:00Z",
            "2026-04-01T00:30:00Z"
        ])
    );
    let (status, body) = preview("0 9 * * 0", "UTC").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["occurrences"][0], "2026-03-29T09:00:00Z",
        "0 is Sunday"
    );
    let (status, body) = preview("0 9 * * 7", "UTC").await;
    assert_eq!(
        (status, &body["occurrences"][0]),
        (StatusCode::OK, &json!("2026-03-29T09:00:00Z")),
        "7 too"
    );
    let (status, body) = preview("0 0 31 * *", "UTC").await;
    assert_eq!(
        (status, &body["occurrences"][0]),
        (StatusCode::OK, &json!("2026-03-31T00:00:00Z"))
    );
    assert_eq!(
        body["occurrences"][1], "2026-05-31T00:00:00Z",
        "months without a 31st are skipped"
    );
    let (status, body) = preview("0 0 30 2 *", "UTC").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_cron_schedule")
    );
    let (status, body) = preview("@daily", "Mars/Olympus").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
