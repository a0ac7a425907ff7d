//! Chosen ping keys: Healthchecks' check UUIDs (found whatever their case) and any
//! 8–128-character key, unique in the instance.

use reqwest::StatusCode;
use serde_json::json;

use super::{ping, ping_ok, runs};
use crate::common::{TestServer, code};

const UUID: &str = "5F4C1A2B-0D3E-4F60-8A7B-9C0D1E2F3A4B";

#[tokio::test(flavor = "multi_thread")]
async fn uuid_keys_are_stored_lowercase_and_found_in_either_case() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let created = server
        .as_(&token)
        .create("/tasks", json!({"id": "hc-check", "pingKey": UUID}))
        .await;
    let lower = UUID.to_lowercase();
    assert_eq!(created["pingKey"], lower);
    ping_ok(&server, &format!("/ping/{UUID}"), None).await;
    ping_ok(&server, &format!("/ping/{lower}/fail"), None).await;
    let statuses: Vec<_> = runs(&server, &token, "hc-check")
        .await
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("failed"), json!("finished")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_in_use_is_a_409_and_a_bad_one_a_422_naming_ping_key() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let bob = server.user_with_token("bob@example.com", "Bobco");
    server
        .as_(&ada)
        .create("/tasks", json!({"id": "a", "pingKey": UUID}))
        .await;
    server.as_(&bob).create("/tasks", json!({"id": "b"})).await;

    // Unique in the instance, whatever the case it is given in, on create and on PATCH.
    let (status, body) = server
        .as_(&bob)
        .post("/tasks", json!({"id": "c", "pingKey": UUID.to_lowercase()}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "ping_key_taken")
    );
    let (status, body) = server
        .as_(&bob)
        .patch("/tasks/b", json!({"pingKey": UUID}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "ping_key_taken")
    );
    assert!(!body.to_string().contains("Acme"), "{body}");

    // Its own key again is no conflict; a new one retires the old URL.
    let (status, _) = server
        .as_(&ada)
        .patch("/tasks/a", json!({"pingKey": UUID}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, task) = server
        .as_(&ada)
        .patch("/tasks/a", json!({"pingKey": "kuma_Push-Token-01"}))
        .await;
    assert_eq!(
        (status, &task["pingKey"]),
        (StatusCode::OK, &json!("kuma_Push-Token-01"))
    );
    assert_eq!(
        ping(&server, &format!("/ping/{UUID}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    ping_ok(&server, "/ping/kuma_Push-Token-01", None).await;

    for bad in ["short", "with space in it", "slash/in/it", "ünïcode-key"] {
        let (status, body) = server
            .as_(&ada)
            .patch("/tasks/a", json!({"pingKey": bad}))
            .await;
        assert_eq!(
            (
                status,
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("pingKey")
            ),
            (StatusCode::UNPROCESSABLE_ENTITY, true),
            "{bad}: {body}"
        );
    }
}
