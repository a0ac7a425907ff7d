//! `/ping/{orgKey}/{taskId}`: the organization's ping key names its tasks by id, with the same
//! actions after it; `?create=1` makes a task on its first ping.

use reqwest::StatusCode;
use serde_json::json;

use super::{ping, ping_ok, runs, task_status};
use crate::common::{TestServer, code};

#[tokio::test(flavor = "multi_thread")]
async fn slug_urls_report_runs_and_create_tasks_only_when_asked() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let ada = server.as_(&token);
    ada.create("/tasks", json!({"id": "db-backup"})).await;

    // None until an Editor makes it; then the same key until replaced.
    assert_eq!(ada.get_ok("/task-ping-key").await["pingKey"], json!(null));
    let (status, made) = ada.post_empty("/task-ping-key").await;
    assert_eq!(status, StatusCode::OK);
    let key = made["pingKey"].as_str().unwrap().to_owned();
    // Audited, without the key itself.
    let log = crate::audit::entries(&server, &token, "").await;
    let entry = crate::audit::one(&log, "task_ping_key", "regenerate");
    assert!(!entry.to_string().contains(&key), "{entry}");
    assert_eq!(
        server.as_(&token).get_ok("/task-ping-key").await["pingKey"],
        key
    );

    let answer = ping_ok(&server, &format!("/ping/{key}/db-backup/start"), None).await;
    assert_eq!(answer.headers["ping-body-limit"], "10240");
    ping_ok(
        &server,
        &format!("/ping/{key}/db-backup/3"),
        Some("exit 3\n"),
    )
    .await;
    let last = &runs(&server, &token, "db-backup").await[0];
    assert_eq!(
        (&last["status"], &last["exitCode"], &last["output"]),
        (&json!("failed"), &json!(3), &json!("exit 3\n"))
    );
    ping_ok(&server, &format!("/ping/{key}/db-backup"), None).await;
    assert_eq!(task_status(&server, &token, "db-backup").await, "healthy");
    ping_ok(&server, &format!("/ping/{key}/db-backup/fail"), None).await;
    assert_eq!(task_status(&server, &token, "db-backup").await, "failing");
    ping_ok(
        &server,
        &format!("/ping/{key}/db-backup/log"),
        Some("rotated"),
    )
    .await;
    let logs = server.as_(&token).get_ok("/tasks/db-backup/logs").await;
    assert_eq!(logs["items"][0]["body"], "rotated");

    // A task whose id is also an action's name is still reached.
    ada.create("/tasks", json!({"id": "log"})).await;
    ping_ok(&server, &format!("/ping/{key}/log"), None).await;
    ping_ok(&server, &format!("/ping/{key}/log/fail"), None).await;
    let log_runs = runs(&server, &token, "log").await;
    assert_eq!(
        log_runs
            .iter()
            .map(|r| r["status"].clone())
            .collect::<Vec<_>>(),
        [json!("failed"), json!("finished")]
    );

    // An unknown task: 404, unless the URL asks to create it (Healthchecks' 201 Created).
    let missing = ping(&server, &format!("/ping/{key}/new-job"), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let made = ping(
        &server,
        &format!("/ping/{key}/new-job/start?create=1"),
        None,
    )
    .await;
    assert_eq!(
        (made.status, made.text.as_str()),
        (StatusCode::CREATED, "Created")
    );
    assert_eq!(made.headers["ping-body-limit"], "10240");
    assert_eq!(task_status(&server, &token, "new-job").await, "running");
    let created = server.as_(&token).get_ok("/tasks/new-job").await["task"].clone();
    assert_eq!(
        (&created["name"], &created["cronSchedule"]),
        (&json!("new-job"), &json!(null))
    );
    // Once made, the same URL is an ordinary ping.
    ping_ok(&server, &format!("/ping/{key}/new-job?create=1"), None).await;
    assert_eq!(task_status(&server, &token, "new-job").await, "healthy");

    // A reserved id or an invalid one is never created; a wrong key creates nothing.
    let reserved = ping(&server, &format!("/ping/{key}/bulk?create=1"), None).await;
    assert_eq!(
        reserved.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reserved.text
    );
    let dots = ping(&server, &format!("/ping/{key}/../fail?create=1"), None).await;
    assert!(dots.status.is_client_error(), "{}", dots.status);
    let wrong = ping(&server, "/ping/not-a-real-key-123/other?create=1", None).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let (_, list) = server.as_(&token).get("/tasks").await;
    assert_eq!(list["totalNumberOfResults"], 3, "{list}");

    // A new key retires the old slug URLs; tasks' own keys keep working.
    let (_, renewed) = server.as_(&token).post_empty("/task-ping-key").await;
    assert_ne!(renewed["pingKey"], json!(key));
    let old = ping(&server, &format!("/ping/{key}/db-backup"), None).await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);

    // A task's key can never be the organization's: `/ping/{a}/{b}` names one task.
    let org_key = renewed["pingKey"].as_str().unwrap();
    let (status, body) = server
        .as_(&token)
        .patch("/tasks/db-backup", json!({"pingKey": org_key}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "ping_key_taken")
    );
}

/// Seeing the key takes the right to report runs; making it, the right to edit tasks.
#[tokio::test(flavor = "multi_thread")]
async fn the_organization_key_is_for_editors_and_stays_in_its_organization() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("vic@example.com", "Acme", Some("Reporter"));
    let vic = server.create_token("vic@example.com", &[]);
    let (status, _) = server.as_(&vic).get("/task-ping-key").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server.as_(&vic).post_empty("/task-ping-key").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, made) = server.as_(&ada).post_empty("/task-ping-key").await;
    let key = made["pingKey"].as_str().unwrap().to_owned();
    let bob = server.user_with_token("bob@example.com", "Bobco");
    server
        .as_(&bob)
        .create("/tasks", json!({"id": "job"}))
        .await;
    // Acme's key does not reach Bobco's task, nor creates one in Bobco.
    let other = ping(&server, &format!("/ping/{key}/job"), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        server.as_(&bob).get_ok("/task-ping-key").await["pingKey"],
        json!(null)
    );
}
