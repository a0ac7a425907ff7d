//! Live: a visitor's event stream says `change` soon after an announcement is posted, and the
//! page then shows it.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;

use super::{page, visit};
use crate::common::TestServer;

#[tokio::test(flavor = "multi_thread")]
async fn an_announcement_reaches_an_open_event_stream() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let created = page(&server, &ada, json!({"slug": "acme", "title": "Acme"})).await;
    let response = server
        .request(reqwest::Method::GET, "/status/acme/events")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    // The stream opens with its retry hint before anything changes.
    while !seen.contains("retry:") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
    }

    let base = format!(
        "/status-pages/{}/announcements",
        created["id"].as_str().unwrap()
    );
    server
        .as_(&ada)
        .create(&base, json!({"title": "Planned move", "impact": "none", "status": "monitoring", "body": "Moving."}))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !seen.contains("event:change") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("a change within 5 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let (_, _, html) = visit(&server, "/status/acme", &[]).await;
    assert!(html.contains("Planned move"));
}

/// A rendering is not served past a change of its organization: a monitor paused shows paused
/// at once, though the clock has not moved (renderings otherwise live 30 s).
#[tokio::test(flavor = "multi_thread")]
async fn a_change_of_a_monitor_shows_at_once() {
    let server =
        TestServer::start_with_clock(dutyduck::clock::Clock::manual(chrono::Utc::now())).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let target = crate::common::target::Target::start().await;
    let api =
        crate::monitors::create(&server, &ada, json!({"name": "api", "url": target.url()})).await;
    page(
        &server,
        &ada,
        json!({"slug": "acme", "title": "Acme",
                               "groups": super::services(&[("monitor", &api, "API")])}),
    )
    .await;
    crate::monitors::tick(&server, &ada, &[&api], 5).await;
    let status = |json: serde_json::Value| json["groups"][0]["components"][0]["status"].clone();
    assert_eq!(status(super::public_json(&server, "acme").await), "up");
    let (code, _) = server
        .as_(&ada)
        .post_empty(&format!("/monitors/{api}/toggle"))
        .await;
    assert_eq!(code, reqwest::StatusCode::OK);
    assert_eq!(status(super::public_json(&server, "acme").await), "paused");
}
