//! Uptime Kuma's push URLs: `/api/push/{pushToken}?status=up|down&msg=…&ping=…`, answered as
//! Kuma answers them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{runs, task_status};
use crate::common::TestServer;

/// A push monitor's token, as Kuma makes them (32 letters and digits).
const TOKEN: &str = "Xq7pL2mN9vR4tB8kW3yZ6cF1hJ5sD0gA";

async fn push(server: &TestServer, method: Method, query: &str) -> (StatusCode, Value) {
    let resp = server
        .request(method, &format!("/api/push/{TOKEN}{query}"))
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn pushes_report_up_and_down_with_their_message() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "kuma-push", "pingKey": TOKEN}))
        .await;

    let (status, body) = push(&server, Method::GET, "?status=up&msg=OK&ping=").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ok": true})));
    assert_eq!(
        runs(&server, &token, "kuma-push").await[0]["status"],
        "finished"
    );

    let (status, body) = push(
        &server,
        Method::POST,
        "?status=down&msg=disk%20full&ping=12.5",
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ok": true})));
    let last = &runs(&server, &token, "kuma-push").await[0];
    assert_eq!(
        (&last["status"], &last["output"]),
        (&json!("failed"), &json!("disk full"))
    );
    assert_eq!(task_status(&server, &token, "kuma-push").await, "failing");

    // No status: up, as in Kuma.
    let (status, _) = push(&server, Method::GET, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task_status(&server, &token, "kuma-push").await, "healthy");

    // Bad parameters are refused in Kuma's shape, and record nothing.
    let before = runs(&server, &token, "kuma-push").await.len();
    for query in ["?ping=-1", "?ping=fast", "?status=sideways"] {
        let (status, body) = push(&server, Method::GET, query).await;
        assert!(status.is_client_error(), "{query}: {status}");
        assert_eq!(body["ok"], false, "{query}");
        assert!(body["msg"].is_string(), "{query}: {body}");
    }
    assert_eq!(runs(&server, &token, "kuma-push").await.len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_token_is_kumas_404() {
    let server = TestServer::start().await;
    let (status, body) = push(&server, Method::GET, "?status=up").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"ok": false, "msg": "Monitor not found or not active."})
        )
    );
}
