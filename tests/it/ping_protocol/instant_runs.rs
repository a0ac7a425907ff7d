//! A crontab line's ping with no start before it (`job && curl …/ping/KEY`): a run with no
//! duration. Without an incident open, the task goes straight from its status to the end's,
//! with no "running" in between; with one open, its timeline hears the start and then the end,
//! as from a job that had sent both.

use chrono::Duration;
use dutyduck::clock::Clock;
use serde_json::{Value, json};

use super::{ping_ok, runs};
use crate::common::{TestServer, Token, at};
use crate::tasks::timeline;

async fn task(server: &TestServer, token: &Token) -> Value {
    server.as_(token).get_ok("/tasks/cleanup").await["task"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn pings_without_a_start_move_the_status_once_and_tell_an_open_incident_both_steps() {
    let clock = Clock::manual(at("2026-12-01T03:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let created = server
        .as_(&token)
        .create("/tasks", json!({"id": "cleanup"}))
        .await;
    let key = created["pingKey"].as_str().unwrap().to_owned();
    let before = task(&server, &token).await;

    // A success from healthy: still healthy, and nothing recorded a status change.
    clock.advance(Duration::minutes(1));
    ping_ok(&server, &format!("/ping/{key}"), None).await;
    let t = task(&server, &token).await;
    assert_eq!(t["status"], "healthy", "{t}");
    assert_eq!(t["previousStatus"], before["previousStatus"], "{t}");
    assert_eq!(t["lastStatusChangeAt"], before["lastStatusChangeAt"], "{t}");
    assert!(
        server
            .as_(&token)
            .incidents("cleanup", &[])
            .await
            .is_empty()
    );

    // A failure: failing, from healthy, and an incident.
    clock.advance(Duration::minutes(1));
    ping_ok(&server, &format!("/ping/{key}/fail"), None).await;
    let t = task(&server, &token).await;
    assert_eq!(
        (&t["status"], &t["previousStatus"]),
        (&json!("failing"), &json!("healthy"))
    );
    assert_eq!(t["lastStatusChangeAt"], "2026-12-01T03:02:00Z");
    let open = server.as_(&token).incidents("cleanup", &[]).await;
    assert_eq!(open.len(), 1, "{open:?}");

    // The next success resolves it, its start and its success on the timeline.
    clock.advance(Duration::minutes(1));
    ping_ok(&server, &format!("/ping/{key}/0"), None).await;
    assert_eq!(task(&server, &token).await["status"], "healthy");
    let all = server.as_(&token).incidents("cleanup", &["resolved"]).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(
        timeline(&server, &token, &all[0]).await,
        [
            "creation",
            "taskrunfailed",
            "taskrunstarted",
            "taskrunsucceeded",
            "resolution"
        ]
    );
    assert_eq!(runs(&server, &token, "cleanup").await.len(), 3);
}
