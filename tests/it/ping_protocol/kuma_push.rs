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

    // As Kuma reads them: a `ping` that is no number is ignored, a status other than `up` is a
    // failure (never a refusal), and any method reports.
    for (method, query, run) in [
        (Method::GET, "?ping=-1", "finished"),
        (Method::GET, "?ping=fast&status=", "finished"),
        (Method::PUT, "?status=sideways", "failed"),
        (Method::PATCH, "?status=DOWN", "failed"),
        (Method::DELETE, "?status=up", "finished"),
        (Method::GET, "?status=0", "failed"),
    ] {
        let (status, body) = push(&server, method.clone(), query).await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({"ok": true})),
            "{method} {query}"
        );
        let last = &runs(&server, &token, "kuma-push").await[0];
        assert_eq!(last["status"], run, "{method} {query}");
    }
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
    // Any other refusal has Kuma's shape too: a query that cannot be read is a 404 with `msg`.
    let (status, body) = push(&server, Method::POST, "?status=up&status=down").await;
    assert_eq!(
        (status, &body["ok"]),
        (StatusCode::NOT_FOUND, &json!(false))
    );
    assert!(body["msg"].is_string(), "{body}");
}
