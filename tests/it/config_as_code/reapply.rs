//! Applying the document again changes nothing: a maintenance window ended early stays ended,
//! and `updatedAt` stays. A task's ping key is exported as a reference, never in clear, and kept
//! when that reference is not set.

use chrono::{DateTime, Duration};
use reqwest::Method;

use super::{populate, send_doc, yaml_of};
use crate::common::TestServer;
use dutyduck::clock::Clock;

#[tokio::test(flavor = "multi_thread")]
async fn applying_the_same_document_again_leaves_an_ended_window_ended() {
    let start = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .to_utc();
    let server = TestServer::start_with_clock(Clock::manual(start)).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&token);
    populate(api).await;
    let window = api
        .create(
            "/maintenance-windows",
            serde_json::json!({"title": "Router swap", "startsAt": "2026-03-01T10:05:00Z",
                   "endsAt": "2026-03-01T12:00:00Z", "selection": {"taskIds": ["nightly-backup"]}}),
        )
        .await;
    let id = window["id"].as_str().unwrap().to_owned();
    let document = yaml_of(api).await;
    server.clock.advance(Duration::minutes(10));
    let (status, ended) = api
        .post_empty(&format!("/maintenance-windows/{id}/end"))
        .await;
    assert_eq!(status, 200, "{ended}");
    let task_before = stored(api.get_ok("/tasks/nightly-backup").await);

    server.clock.advance(Duration::minutes(1));
    let (status, applied) =
        send_doc(api, Method::PUT, "/config", "application/yaml", &document).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["text"], "No changes.\n", "{applied}");
    let window = api.get_ok(&format!("/maintenance-windows/{id}")).await;
    assert!(window["endedAt"].is_string(), "{window}");
    assert!(window["active"].is_null(), "{window}");
    let task_after = stored(api.get_ok("/tasks/nightly-backup").await);
    assert_eq!(task_after, task_before, "an unchanged task is not updated");
}

/// The task as stored: without `quiet`, which says what its upstream monitor is doing now (the
/// populated Router monitor's checks run on their own while the clock moves, and may open its
/// incident between the two reads).
fn stored(answer: serde_json::Value) -> serde_json::Value {
    let mut task = answer["task"].clone();
    task.as_object_mut().expect("a task").remove("quiet");
    task
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tasks_ping_key_is_exported_as_a_reference_and_kept() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&token);
    populate(api).await;
    let task = api.get_ok("/tasks/nightly-backup").await;
    let key = task["task"]["pingKey"]
        .as_str()
        .expect("the owner sees the ping key")
        .to_owned();

    let document = yaml_of(api).await;
    assert!(!document.contains(&key), "{document}");
    assert!(
        document.contains("pingKey: \"${TASK_NIGHTLY_BACKUP_PINGKEY}\""),
        "{document}"
    );
    let (status, applied) =
        send_doc(api, Method::PUT, "/config", "application/yaml", &document).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["text"], "No changes.\n", "{applied}");
    let task = api.get_ok("/tasks/nightly-backup").await;
    assert_eq!(task["task"]["pingKey"], key, "the stored key is kept");
}
