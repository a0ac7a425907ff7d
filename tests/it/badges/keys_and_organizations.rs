//! Badge keys: regenerating revokes the old key, deleting revokes it, deleting the monitor or
//! task takes it along; another organization's monitors and tasks are missing (404), and a
//! wrong key or metric is a 404 with the error body.

use super::{fetch, new_key, svg_says};
use crate::common::{TestServer, code};
use crate::monitors::create;
use reqwest::StatusCode;
use serde_json::json;

async fn gone(server: &TestServer, path: &str) {
    let (status, headers, body) = fetch(server, path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    assert_eq!(headers["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(code(&body), "not_found", "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_are_regenerated_revoked_and_go_with_their_source() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let id = create(&server, &token, json!({"url": "http://127.0.0.1:9/"})).await;
    let path = format!("/monitors/{id}/badge-key");
    let (status, _) = server.as_(&token).get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no key yet");

    let first = new_key(&server, &token, &format!("/monitors/{id}")).await;
    let second = new_key(&server, &token, &format!("/monitors/{id}")).await;
    assert_ne!(first["key"], second["key"]);
    gone(&server, first["urls"]["status"].as_str().unwrap()).await;
    let url = second["urls"]["status"].as_str().unwrap().to_owned();
    assert_eq!(svg_says(&server, &url).await, "status: pending");

    let (status, _) = server.as_(&token).delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    gone(&server, &url).await;
    let (status, _) = server.as_(&token).delete(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing left to revoke");
    let (status, _) = server.as_(&token).get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Deleting the monitor or the task deletes its key.
    let third = new_key(&server, &token, &format!("/monitors/{id}")).await;
    let (status, _) = server.as_(&token).delete(&format!("/monitors/{id}")).await;
    assert!(status.is_success(), "{status}");
    gone(&server, third["urls"]["uptime24h"].as_str().unwrap()).await;
    server
        .as_(&token)
        .create("/tasks", json!({"id": "backup"}))
        .await;
    let task = new_key(&server, &token, "/tasks/backup").await;
    let (status, _) = server.as_(&token).delete("/tasks/backup").await;
    assert!(status.is_success(), "{status}");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "backup"}))
        .await;
    gone(&server, task["urls"]["status"].as_str().unwrap()).await;
    let (status, _) = server.as_(&token).get("/tasks/backup/badge-key").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a new task of the same id has no key"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn other_organizations_and_wrong_urls_find_nothing() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let eve = server.user_with_token("eve@example.com", "Evil");
    let id = create(&server, &ada, json!({"url": "http://127.0.0.1:9/"})).await;
    server
        .as_(&ada)
        .create("/tasks", json!({"id": "backup"}))
        .await;
    let key = new_key(&server, &ada, &format!("/monitors/{id}")).await;
    for path in [
        format!("/monitors/{id}/badge-key"),
        "/tasks/backup/badge-key".into(),
    ] {
        for (status, body) in [
            server.as_(&eve).get(&path).await,
            server.as_(&eve).post(&path, json!({})).await,
            server.as_(&eve).delete(&path).await,
        ] {
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        }
        let (status, _) = server.anonymous().post(&path, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // Eve's attempts changed nothing.
    let same = server
        .as_(&ada)
        .get_ok(&format!("/monitors/{id}/badge-key"))
        .await;
    assert_eq!(same, key);

    let k = key["key"].as_str().unwrap();
    for path in [
        format!("/badge/{k}/uptime.svg"),
        format!("/badge/{k}/STATUS.json"),
        format!("/badge/{k}x/status.svg"),
        "/badge/nothing/status.svg".into(),
        "/badge/%3Cscript%3E/status.json".into(),
    ] {
        gone(&server, &path).await;
    }
    let (status, body) = server.as_(&ada).get("/monitors/not-an-id/badge-key").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_path_parameter")
    );
}
