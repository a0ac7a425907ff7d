//! A task cannot take an id that is a path of its own under `/tasks/` (`bulk`, the dashboard's
//! `new`): it would be unreachable there.

use reqwest::StatusCode;
use serde_json::json;

use super::refused;
use crate::common::TestServer;

#[tokio::test]
async fn a_new_task_cannot_be_named_bulk_or_new() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ann@example.com", "Acme");
    refused(
        &server,
        &token,
        "/tasks",
        vec![(json!({"id": "bulk"}), "id"), (json!({"id": "new"}), "id")],
    )
    .await;
    for id in ["bulk", "new"] {
        let path = format!("/tasks/{id}/start");
        let (status, answer) = server.as_(&token).post(&path, json!({"newTask": {}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("id") && message.contains("reserved"),
            "{message}"
        );
    }
    let page = server.as_(&token).get_ok("/tasks").await;
    assert_eq!(page["items"], json!([]), "no task was made");
    // Ids that merely start with a reserved word are fine.
    server
        .as_(&token)
        .create("/tasks", json!({"id": "bulk-export"}))
        .await;
}
