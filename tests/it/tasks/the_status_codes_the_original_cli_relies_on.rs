//! The status codes the original CLI relies on, one step per test: the CLI's `start` (with its
//! explicit nulls), `heartbeat` and `finish`, and the task endpoints around them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::runs;
use crate::common::{Api, TestServer, Token, code};

/// The body of the original CLI's `start`: every field of newTask spelled out as null.
fn cli_start() -> Value {
    json!({"newTask": {"name": "job", "description": null, "cronSchedule": null,
        "startWindowSeconds": null, "latenessWindowSeconds": null, "heartbeatTimeoutSeconds": null},
        "abortPreviousRunningTask": false})
}

/// A server and Ada's token (Owner of Acme).
async fn start() -> (TestServer, Token) {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    (server, token)
}

/// The task `job`, created by the CLI's start: its one run is running.
async fn job_started_by_the_cli(ada: Api<'_>) {
    let (status, first) = ada.post("/tasks/job/start", cli_start()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
}

/// The HEAD status of `path`.
async fn head(ada: Api<'_>, path: &str) -> StatusCode {
    ada.send(Method::HEAD, path, None).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn start_is_404_for_an_unknown_task_201_with_new_task_and_409_while_running() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    let start = |body: Value| ada.post("/tasks/job/start", body);

    assert_eq!(start(Value::Null).await.0, StatusCode::NOT_FOUND);
    let (status, first) = start(cli_start()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, body) = start(cli_start()).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "task_running")
    );
    let (status, _) = start(json!({"newTask": null, "abortPreviousRunningTask": true})).await;
    assert_eq!(status, StatusCode::CREATED);
    let listed = runs(&server, &token, "job").await;
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (&listed[0]["status"], &listed[1]["status"]),
        (&json!("running"), &json!("aborted"))
    );
}

/// Ours: a heartbeat or finish naming its run counts for that run only. The replaced run's
/// wrapper gets 400 saying why, and cannot keep alive or end the replacement.
#[tokio::test(flavor = "multi_thread")]
async fn a_replaced_run_gets_400_and_cannot_keep_alive_or_end_its_replacement() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    job_started_by_the_cli(ada).await;
    let replace = json!({"newTask": null, "abortPreviousRunningTask": true});
    let (status, _) = ada.post("/tasks/job/start", replace).await;
    assert_eq!(status, StatusCode::CREATED);
    let listed = runs(&server, &token, "job").await;
    let (old, new) = (&listed[1]["startedAt"], &listed[0]["startedAt"]);

    let (status, body) = ada
        .post("/tasks/job/heartbeat", json!({"startedAt": old}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "task_not_running")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ended as aborted (replaced by a new run)"),
        "{body}"
    );
    let finish_old = json!({"startedAt": old, "status": "success"});
    assert_eq!(
        ada.post("/tasks/job/finish", finish_old).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, _) = ada
        .post("/tasks/job/heartbeat", json!({"startedAt": new}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(runs(&server, &token, "job").await[0]["status"], "running");
}

/// heartbeat: 200 running; finish: 422 on contradictions (never 500), 200, then 400.
#[tokio::test(flavor = "multi_thread")]
async fn heartbeat_is_200_while_running_and_finish_is_422_on_contradictions_200_then_400() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    job_started_by_the_cli(ada).await;

    assert_eq!(
        ada.post_empty("/tasks/job/heartbeat").await.0,
        StatusCode::OK
    );
    for bad in [
        json!({"status": "success", "exitCode": 1}),
        json!({"status": "failure", "exitCode": 0}),
    ] {
        let (status, body) = ada.post("/tasks/job/finish", bad).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
        );
    }
    let (status, body) = ada
        .post("/tasks/job/finish", json!({"status": "unknown"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let aborted = json!({"status": "aborted", "exitCode": null, "errorMessage": null});
    assert_eq!(
        ada.post("/tasks/job/finish", aborted.clone()).await.0,
        StatusCode::OK
    );
    let (status, body) = ada.post("/tasks/job/finish", aborted).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "task_not_running")
    );
    assert_eq!(
        ada.post_empty("/tasks/job/heartbeat").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeat_and_finish_are_404_for_an_unknown_task() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    assert_eq!(
        ada.post_empty("/tasks/nope/heartbeat").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ada.post("/tasks/nope/finish", json!({"status": "success"}))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

/// A task created on start takes all of newTask, notification settings included.
#[tokio::test(flavor = "multi_thread")]
async fn a_task_created_on_start_takes_all_of_new_task() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    let body = json!({"newTask": {"renotifyMinutes": 1}});
    let (status, _) = ada.post("/tasks/routed/start", body).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "1 minute is under the minimum"
    );
    let body = json!({"newTask": {"renotifyMinutes": 7}});
    let (status, _) = ada.post("/tasks/routed/start", body).await;
    assert_eq!(status, StatusCode::CREATED);
    let routed = ada.get_ok("/tasks/routed").await;
    assert_eq!(routed["task"]["renotifyMinutes"], 7);
}

/// POST /tasks: 409 duplicate, 400 bad cron, 422 bad id or window (201 is every `create`).
#[tokio::test(flavor = "multi_thread")]
async fn creating_a_task_is_409_for_a_taken_id_400_for_bad_cron_and_422_for_a_bad_id_or_window() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    job_started_by_the_cli(ada).await;

    let (status, body) = ada.post("/tasks", json!({"id": "job"})).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "task_exists"));
    let (status, body) = ada
        .post("/tasks", json!({"id": "x", "cronSchedule": "0 25 * * *"}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_cron_schedule")
    );
    for bad in [
        json!({"id": "two words"}),
        json!({"id": ".."}),
        json!({"id": ""}),
        json!({"id": "x", "startWindowSeconds": 1}),
    ] {
        let (status, body) = ada.post("/tasks", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {body}");
    }
}

/// HEAD: 404 for a free id, 200 for a taken one; ids with odd characters work percent-encoded.
#[tokio::test(flavor = "multi_thread")]
async fn head_is_404_for_a_free_id_and_200_for_a_taken_one_even_percent_encoded() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    job_started_by_the_cli(ada).await;

    assert_eq!(head(ada, "/tasks/free").await, StatusCode::NOT_FOUND);
    assert_eq!(head(ada, "/tasks/job").await, StatusCode::OK);
    ada.create("/tasks", json!({"id": "db/backup+éte"})).await;
    assert_eq!(
        head(ada, "/tasks/db%2Fbackup%2B%C3%A9te").await,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_by_started_at_is_400_when_malformed_and_404_when_unknown() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    job_started_by_the_cli(ada).await;

    let (status, _) = ada.get("/tasks/job/runs/yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = ada.get("/tasks/job/runs/2020-01-01T00:00:00Z").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_schedules_in_the_task_s_timezone_and_delete_removes_it() {
    let (server, token) = start().await;
    let ada = server.as_(&token);
    job_started_by_the_cli(ada).await;
    let aborted = json!({"status": "aborted", "exitCode": null, "errorMessage": null});
    assert_eq!(
        ada.post("/tasks/job/finish", aborted).await.0,
        StatusCode::OK
    );

    let (status, patched) = ada
        .patch(
            "/tasks/job",
            json!({"cronSchedule": "@daily", "timezone": "Europe/Paris"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert!(
        patched["nextDueAt"]
            .as_str()
            .unwrap()
            .ends_with("T23:00:00Z"),
        "{patched}"
    );
    let (status, _) = ada.delete("/tasks/job").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(head(ada, "/tasks/job").await, StatusCode::NOT_FOUND);
}
