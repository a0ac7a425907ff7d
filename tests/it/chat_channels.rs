//! Teams, Google Chat, Mattermost, Rocket.Chat, SMS and webhook templates end to end: the real
//! server sends to a provider stand-in on loopback (`provider.rs`) that records each request
//! with its query string and answers as the provider documents it (Twilio's 201 with a message
//! SID, its 400 with an error code). Time is the manual clock.

mod provider;
mod providers;
mod sms;
mod templates;

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestServer, Token};
use crate::notifications::{PUBLIC_URL, run, task};

/// Creates the task "Nightly backup" and reports a failed run: the incident opens (and is
/// notified). Returns the incident id.
async fn backup_fails(server: &TestServer, token: &Token) -> String {
    let body = json!({"id": "nightly-backup", "name": "Nightly backup"});
    task(server, token, body).await;
    run(server, token, "nightly-backup", "failure").await
}

async fn acknowledge(server: &TestServer, token: &Token, incident: &str) {
    let path = format!("/incidents/{incident}/acknowledge");
    let (status, body) = server.as_(token).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn link(incident: &str) -> String {
    format!("{PUBLIC_URL}/dashboard/incidents/{incident}")
}

/// `POST /notification-channels/{id}/test`: its answer (`outcome`, `error`, `delivery`).
async fn send_test(server: &TestServer, token: &Token, id: &str) -> serde_json::Value {
    let path = format!("/notification-channels/{id}/test");
    let (status, body) = server.as_(token).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The channel `id` as an Editor of Acme reads it (secrets masked).
async fn as_editor(server: &TestServer, id: &str) -> serde_json::Value {
    server.create_user("eve@example.com", "Acme", Some("Editor"));
    let eve = server.create_token("eve@example.com", &[]);
    let path = format!("/notification-channels/{id}");
    server.as_(&eve).get_ok(&path).await
}

/// Creating the channel `body` is refused (422): the message.
async fn refused(server: &TestServer, token: &Token, body: serde_json::Value) -> String {
    let (status, error) = server.as_(token).post("/notification-channels", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    error["error"]["message"].as_str().unwrap().to_owned()
}
