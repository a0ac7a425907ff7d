//! A silence over the source stops an escalation's steps from going out, as it stops
//! re-notifications: the step counts as fired, nobody is paged.

use chrono::Duration;
use serde_json::json;

use super::{backup_fails, notes, policy, wait_attempts};
use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::notifications::{nine_o_clock, setup, webhook};

#[tokio::test(flavor = "multi_thread")]
async fn a_silenced_source_pages_nobody_at_the_next_step() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let (first, second) = (
        HttpReceiver::start(Behaviour::Accept).await,
        HttpReceiver::start(Behaviour::Accept).await,
    );
    let a = webhook(&server, &ada, "First line", first.url("/a")).await;
    let b = webhook(&server, &ada, "Second line", second.url("/b")).await;
    policy(
        &server,
        &ada,
        json!({"name": "Default", "default": true, "steps": [
            {"channels": [a], "afterMinutes": 5},
            {"channels": [b], "afterMinutes": 5}]}),
    )
    .await;
    let body = json!({"id": "nightly-backup", "name": "Nightly backup"});
    let incident = backup_fails(&server, &ada, body).await;
    first.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    // Someone is on it and silences the job for the hour.
    server
        .as_(&ada)
        .create(
            "/silences",
            json!({"matchers": {"kinds": ["task"]}, "endsAt": "2026-11-30T10:00:00Z",
                   "reason": "Restoring the disk"}),
        )
        .await;
    clock.advance(Duration::minutes(5));
    crate::common::eventually("step 2 decided", || async {
        let notes = notes(&server, &ada, &incident).await;
        notes.iter().any(|n| n == "fired 2").then_some(())
    })
    .await;
    clock.advance(Duration::minutes(5));
    wait_attempts(&server, &ada, &incident, 1).await;
    assert!(second.received().is_empty(), "{:?}", second.received());
    assert_eq!(first.received().len(), 1);
}
