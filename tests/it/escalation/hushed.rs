//! Steps that must not page: under a silence over the source (as re-notifications are not
//! sent), and the same step missed again and again while the server was down (sent once).

use chrono::Duration;
use serde_json::json;

use super::{backup_fails, notes, policy, wait_attempts};
use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::notifications::{nine_o_clock, setup, webhook};

#[tokio::test(flavor = "multi_thread")]
async fn a_silenced_source_pages_nobody_at_the_next_step() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ([first, second], ids) = super::lines(&server, &ada).await;
    let (a, b) = (&ids[0], &ids[1]);
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

/// One 10-minute step repeated 10 times; the server is down for two hours after the opening:
/// at its start, the step goes out once (not twelve times), and all the missed ones count.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_outage_sends_a_missed_step_once() {
    let clock = nine_o_clock();
    let (mut server, ada) = setup(&clock, None).await;
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let a = webhook(&server, &ada, "First line", hook.url("/a")).await;
    policy(
        &server,
        &ada,
        json!({"name": "Default", "default": true, "repeat": 10,
               "steps": [{"channels": [a], "afterMinutes": 10}]}),
    )
    .await;
    let body = json!({"id": "nightly-backup", "name": "Nightly backup"});
    let incident = backup_fails(&server, &ada, body).await;
    hook.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    server.stop().await;
    clock.advance(Duration::hours(2));
    server.restart().await;
    hook.wait_for(2).await;
    crate::common::eventually("the policy exhausted", || async {
        let notes = notes(&server, &ada, &incident).await;
        notes.iter().any(|n| n == "exhausted 0").then_some(())
    })
    .await;
    wait_attempts(&server, &ada, &incident, 2).await;
    assert_eq!(
        hook.received().len(),
        2,
        "the opening, then the missed step once"
    );
}
