//! `?tag=key:value` on the monitor and task lists and in bulk filters: AND across tags, `key`
//! alone for any value, 422 naming `tag` on a malformed one, other organizations never seen.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, Token, code};

async fn monitor(server: &TestServer, token: &Token, name: &str, metadata: Value) -> String {
    let body = json!({"name": name, "url": "http://127.0.0.1:9/", "isActive": false, "metadata": metadata});
    let created = server.as_(token).create("/monitors", body).await;
    created["id"].as_str().unwrap().to_owned()
}

/// The names a list answers, in its order.
async fn names(server: &TestServer, token: &Token, path: &str) -> Vec<String> {
    let (status, page) = server.as_(token).get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_filter_the_monitor_list_and_every_one_must_hold() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let rival = server.user_with_token("bob@example.com", "Rival");
    monitor(
        &server,
        &token,
        "api",
        json!({"team": "core", "env": "prod"}),
    )
    .await;
    monitor(
        &server,
        &token,
        "db",
        json!({"team": "core", "env": "staging"}),
    )
    .await;
    monitor(
        &server,
        &token,
        "web",
        json!({"team": "front", "url": "https://a:b"}),
    )
    .await;
    monitor(&server, &token, "bare", json!({})).await;
    monitor(&server, &rival, "theirs", json!({"team": "core"})).await;

    let cases: [(&str, &[&str]); 7] = [
        ("tag=team:core", &["api", "db"]),
        ("tag=team:core&tag=env:prod", &["api"]),
        ("tag=env", &["api", "db"]),
        ("tag=team&tag=env:staging", &["db"]),
        // The key ends at the first colon: the value may hold more.
        ("tag=url:https%3A%2F%2Fa%3Ab", &["web"]),
        ("tag=team:nobody", &[]),
        ("tag=team:core&query=d", &["db"]),
    ];
    for (query, expected) in cases {
        let got = names(&server, &token, &format!("/monitors?{query}")).await;
        assert_eq!(got, expected, "{query}");
    }
    assert_eq!(
        names(&server, &rival, "/monitors?tag=team:core").await,
        ["theirs"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_tag_is_422_naming_the_field() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let long = "k".repeat(101);
    for path in [
        "/monitors?tag=:core".to_owned(),
        "/monitors?tag=".to_owned(),
        "/tasks?tag=%20:x".to_owned(),
        format!("/monitors?tag={long}"),
        "/monitors?tag=a%01b".to_owned(),
    ] {
        let (status, body) = server.as_(&token).get(&path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(code(&body), "invalid_field", "{path}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("tag"), "{path}: {message}");
    }
    let (status, body) = server
        .as_(&token)
        .post(
            "/monitors/bulk",
            json!({"filter": {"tag": [":x"]}, "action": "pause"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_actions_select_by_tag_through_the_same_filter() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    monitor(&server, &token, "api", json!({"team": "core"})).await;
    monitor(&server, &token, "web", json!({"team": "front"})).await;

    let (status, report) = server
        .as_(&token)
        .post(
            "/monitors/bulk",
            json!({"filter": {"tag": "team:core"}, "action": "archive"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(names(&server, &token, "/monitors").await, ["web"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn tasks_carry_no_tags_so_a_tag_selects_none() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "backup"}))
        .await;
    assert_eq!(names(&server, &token, "/tasks").await, ["backup"]);
    assert!(names(&server, &token, "/tasks?tag=team").await.is_empty());
    let (status, report) = server
        .as_(&token)
        .post(
            "/tasks/bulk",
            json!({"filter": {"tag": ["team:core"]}, "action": "delete"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(names(&server, &token, "/tasks").await, ["backup"]);
}
