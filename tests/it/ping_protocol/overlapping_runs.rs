//! runitor's runs, each with its own `rid`: two overlap and each ends with its own output, exit
//! code and duration; a ping without a rid behaves as before rids existed.

use chrono::Duration;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ping, ping_ok, runs, task_status};
use crate::common::{TestServer, Token, at};

const RID_A: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const RID_B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

fn run_with<'a>(runs: &'a [Value], rid: &str) -> &'a Value {
    runs.iter()
        .find(|r| r["rid"] == rid)
        .expect("a run with this rid")
}

/// A server on a manual clock, Ada's token, and the ping key of her new task `id`.
async fn task_on_a_manual_clock(id: &str) -> (Clock, TestServer, Token, String) {
    let clock = Clock::manual(at("2026-12-01T03:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let created = server.as_(&token).create("/tasks", json!({"id": id})).await;
    let key = created["pingKey"].as_str().unwrap().to_owned();
    (clock, server, token, key)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_overlapping_runs_each_end_with_their_own_output_exit_code_and_duration() {
    let (clock, server, token, key) = task_on_a_manual_clock("backup").await;

    // runitor: POST /start?rid=…, no body; it sizes its output buffer from Ping-Body-Limit.
    let answer = ping_ok(&server, &format!("/ping/{key}/start?rid={RID_A}"), None).await;
    assert_eq!(answer.headers["ping-body-limit"], "10240");
    clock.advance(Duration::seconds(10));
    ping_ok(&server, &format!("/ping/{key}/start?rid={RID_B}"), None).await;
    assert_eq!(task_status(&server, &token, "backup").await, "running");
    let open = runs(&server, &token, "backup").await;
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|r| r["status"] == "running"), "{open:?}");

    // The first ends (exit code 0, its output) while the second still runs.
    clock.advance(Duration::seconds(5));
    let answer = ping_ok(
        &server,
        &format!("/ping/{key}/0?rid={RID_A}"),
        Some("dumped 3 databases\n"),
    )
    .await;
    assert_eq!(answer.headers["ping-body-limit"], "10240");
    assert_eq!(task_status(&server, &token, "backup").await, "running");
    clock.advance(Duration::seconds(20));
    ping_ok(
        &server,
        &format!("/ping/{key}/2?rid={RID_B}"),
        Some("rsync: connection refused\n"),
    )
    .await;

    let ended = runs(&server, &token, "backup").await;
    let a = run_with(&ended, RID_A);
    assert_eq!(
        (&a["status"], &a["exitCode"], &a["durationMs"], &a["output"]),
        (
            &json!("finished"),
            &json!(0),
            &json!(15_000),
            &json!("dumped 3 databases\n")
        )
    );
    let b = run_with(&ended, RID_B);
    assert_eq!(
        (&b["status"], &b["exitCode"], &b["durationMs"], &b["output"]),
        (
            &json!("failed"),
            &json!(2),
            &json!(25_000),
            &json!("rsync: connection refused\n")
        )
    );
    assert_eq!(task_status(&server, &token, "backup").await, "failing");
    // Each run is its own resource, named by its startedAt.
    let started = b["startedAt"].as_str().unwrap().replace('+', "%2B");
    let one = server
        .as_(&token)
        .get_ok(&format!("/tasks/backup/runs/{started}"))
        .await;
    assert_eq!(one["taskRun"]["rid"], RID_B);

    // Without a rid, as before: a second start replaces the first, the end closes the latest.
    ping_ok(&server, &format!("/ping/{key}/start"), None).await;
    clock.advance(Duration::seconds(1));
    ping_ok(&server, &format!("/ping/{key}/start"), None).await;
    clock.advance(Duration::seconds(3));
    ping_ok(&server, &format!("/ping/{key}"), Some("ok\n")).await;
    let all = runs(&server, &token, "backup").await;
    let plain: Vec<(&Value, &Value, &Value)> = all
        .iter()
        .filter(|r| r["rid"].is_null())
        .map(|r| (&r["status"], &r["durationMs"], &r["errorMessage"]))
        .collect();
    assert_eq!(
        plain,
        [
            (&json!("finished"), &json!(3_000), &Value::Null),
            (
                &json!("aborted"),
                &json!(1_000),
                &json!("replaced by a new run")
            ),
        ]
    );
    assert_eq!(task_status(&server, &token, "backup").await, "healthy");
}

#[tokio::test(flavor = "multi_thread")]
async fn rids_in_any_case_match_an_unknown_one_records_a_run_and_a_bad_one_is_refused() {
    let (clock, server, token, key) = task_on_a_manual_clock("sync").await;

    // Started in upper case, ended in lower case: one run of 7 s.
    let upper = RID_A.to_uppercase();
    ping_ok(&server, &format!("/ping/{key}/start?rid={upper}"), None).await;
    clock.advance(Duration::seconds(7));
    ping_ok(&server, &format!("/ping/{key}/fail?rid={RID_A}"), None).await;
    let first = &runs(&server, &token, "sync").await[0];
    assert_eq!(
        (&first["status"], &first["durationMs"], &first["rid"]),
        (&json!("failed"), &json!(7_000), &json!(RID_A))
    );

    // Two starts in the same instant: distinct runs, a millisecond apart.
    ping_ok(&server, &format!("/ping/{key}/start?rid={RID_A}"), None).await;
    ping_ok(&server, &format!("/ping/{key}/start?rid={RID_B}"), None).await;
    let both = runs(&server, &token, "sync").await;
    let starts = [&both[0]["startedAt"], &both[1]["startedAt"]];
    assert_ne!(starts[0], starts[1]);
    for rid in [RID_A, RID_B] {
        ping_ok(&server, &format!("/ping/{key}?rid={rid}"), None).await;
    }
    assert!(
        runs(&server, &token, "sync")
            .await
            .iter()
            .all(|r| r["status"] == "finished" || r["status"] == "failed")
    );

    // A success whose start never came (Healthchecks: a success with no duration).
    ping_ok(&server, &format!("/ping/{key}?rid={RID_B}"), None).await;
    let latest = &runs(&server, &token, "sync").await[0];
    assert_eq!(
        (&latest["status"], &latest["durationMs"], &latest["rid"]),
        (&json!("finished"), &json!(0), &json!(RID_B))
    );
    assert_eq!(runs(&server, &token, "sync").await.len(), 4);

    // Not a UUID with its dashes (what the document's pattern says): refused.
    let simple = RID_A.replace('-', "");
    for rid in ["run-42", simple.as_str()] {
        let bad = ping(&server, &format!("/ping/{key}/start?rid={rid}"), None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
        assert!(bad.text.contains("rid"), "{}", bad.text);
    }
    let (_, doc) = server.anonymous().get("/openapi.json").await;
    let params = &doc["paths"]["/ping/{key}/start"]["post"]["parameters"];
    let rid = params
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "rid");
    assert_eq!(
        rid.unwrap()["schema"]["pattern"],
        dutyduck::ids::UUID_PATTERN
    );
    assert_eq!(runs(&server, &token, "sync").await.len(), 4);

    // Output past Ping-Body-Limit keeps its tail; a body past the request limit is refused.
    let long = format!("{}END", "x".repeat(50_000));
    ping_ok(&server, &format!("/ping/{key}"), Some(&long)).await;
    let output = runs(&server, &token, "sync").await[0]["output"].clone();
    let output = output.as_str().unwrap();
    assert!(output.len() == 10_240 && output.ends_with("END"));
    let huge = "x".repeat(2 << 20);
    let refused = ping(&server, &format!("/ping/{key}"), Some(&huge)).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// The API speaks rids too: two starts with distinct rids run at once; finish names one by rid.
#[tokio::test(flavor = "multi_thread")]
async fn the_api_starts_and_finishes_runs_by_rid() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let ada = server.as_(&token);
    ada.create("/tasks", json!({"id": "etl"})).await;
    for rid in [RID_A, RID_B] {
        let (status, run) = ada.post("/tasks/etl/start", json!({"rid": rid})).await;
        assert_eq!((status, &run["rid"]), (StatusCode::CREATED, &json!(rid)));
    }
    let (status, _) = ada.post("/tasks/etl/start", json!({"rid": RID_A})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, run) = ada
        .post(
            "/tasks/etl/finish",
            json!({"rid": RID_B, "status": "success", "exitCode": 0}),
        )
        .await;
    assert_eq!((status, &run["rid"]), (StatusCode::OK, &json!(RID_B)));
    assert_eq!(task_status(&server, &token, "etl").await, "running");
    let (status, body) = ada
        .post(
            "/tasks/etl/finish",
            json!({"rid": "nope", "status": "success"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// Each run has its own deadline: the one that falls silent dies, the other goes on, and the task
/// stays running until it ends.
#[tokio::test(flavor = "multi_thread")]
async fn each_overlapping_run_dies_by_its_own_deadline() {
    let (clock, server, token, key) = task_on_a_manual_clock("report").await;
    ping_ok(&server, &format!("/ping/{key}/start?rid={RID_A}"), None).await;
    clock.advance(Duration::minutes(50));
    ping_ok(&server, &format!("/ping/{key}/start?rid={RID_B}"), None).await;
    // A ping URL's run has an hour: A's passes, B's does not.
    clock.advance(Duration::minutes(11));
    crate::common::eventually("run A to be declared dead", || async {
        let all = runs(&server, &token, "report").await;
        (run_with(&all, RID_A)["status"] == "dead").then_some(())
    })
    .await;
    let all = runs(&server, &token, "report").await;
    assert_eq!(run_with(&all, RID_B)["status"], "running");
    assert_eq!(task_status(&server, &token, "report").await, "running");
    let open = server.as_(&token).incidents("report", &["ongoing"]).await;
    assert_eq!(open[0]["cause"]["kind"], "dead");

    ping_ok(&server, &format!("/ping/{key}/0?rid={RID_B}"), None).await;
    assert_eq!(task_status(&server, &token, "report").await, "healthy");
    let all = runs(&server, &token, "report").await;
    assert_eq!(run_with(&all, RID_B)["durationMs"], 11 * 60_000);
}
