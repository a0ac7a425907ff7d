//! Steps, repeats, acknowledgement, resolution and restarts, on two webhook receivers standing
//! for the first and second line.

use chrono::Duration;
use serde_json::json;

use super::{acknowledge, backup_fails, notes, policy, wait_attempts};
use crate::common::receivers::HttpReceiver;
use crate::notifications::{nine_o_clock, run, setup};

const BACKUP: &str = "nightly-backup";

fn events_of(hook: &HttpReceiver) -> Vec<String> {
    hook.received()
        .iter()
        .map(|r| r.header("x-dutyduck-event").unwrap_or_default().to_owned())
        .collect()
}

/// Unacknowledged: step 1 at the opening, step 2 five minutes later, then the whole policy
/// once more (repeat 1), then nothing: the timeline tells each send and each wait run out.
#[tokio::test(flavor = "multi_thread")]
async fn unacknowledged_steps_follow_each_other_then_repeat_then_stop() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ([first, second], ids) = super::lines(&server, &ada).await;
    let (a, b) = (&ids[0], &ids[1]);
    policy(
        &server,
        &ada,
        json!({"name": "Default", "default": true, "repeat": 1, "steps": [
            {"channels": [a], "afterMinutes": 5},
            {"channels": [b], "afterMinutes": 10}]}),
    )
    .await;
    let incident = backup_fails(
        &server,
        &ada,
        json!({"id": BACKUP, "name": "Nightly backup"}),
    )
    .await;

    first.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    assert!(second.received().is_empty(), "step 2 waits for 5 minutes");
    clock.advance(Duration::minutes(4));
    clock.advance(Duration::minutes(1));
    second.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 2).await;
    clock.advance(Duration::minutes(10));
    first.wait_for(2).await;
    wait_attempts(&server, &ada, &incident, 3).await;
    clock.advance(Duration::minutes(5));
    second.wait_for(2).await;
    wait_attempts(&server, &ada, &incident, 4).await;
    clock.advance(Duration::minutes(10));
    crate::common::eventually("the policy exhausted", || async {
        let notes = notes(&server, &ada, &incident).await;
        notes
            .last()
            .is_some_and(|n| n == "exhausted 0")
            .then_some(())
    })
    .await;
    clock.advance(Duration::hours(2));
    wait_attempts(&server, &ada, &incident, 4).await;
    assert_eq!(events_of(&first), ["opened", "renotification"]);
    assert_eq!(events_of(&second), ["renotification", "renotification"]);
    assert_eq!(
        notes(&server, &ada, &incident).await,
        [
            "fired 1",
            "timedout 1",
            "fired 2",
            "timedout 2",
            "fired 1",
            "timedout 1",
            "fired 2",
            "timedout 2",
            "exhausted 0"
        ]
    );
    // The policy's steps are the reminders: the organization's re-notification adds none.
    assert_eq!(first.received().len() + second.received().len(), 4);
}

/// Acknowledged once step 2 has gone out: step 3 never does; both lines hear of the
/// acknowledgement, the third (never told) does not.
#[tokio::test(flavor = "multi_thread")]
async fn acknowledging_at_step_2_stops_step_3() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let (hooks, ids) = super::lines::<3>(&server, &ada).await;
    let steps: Vec<_> = ids
        .iter()
        .map(|id| json!({"channels": [id], "afterMinutes": 5}))
        .collect();
    let chosen = policy(
        &server,
        &ada,
        json!({"name": "Three lines", "steps": steps}),
    )
    .await;
    // Picked by the task itself (no default).
    let body = json!({"id": BACKUP, "name": "Nightly backup", "escalationPolicy": chosen});
    let incident = backup_fails(&server, &ada, body).await;
    let shown = server
        .as_(&ada)
        .get_ok(&format!("/escalation-policies/{chosen}"))
        .await;
    assert_eq!(
        shown["sources"],
        json!([{"family": "task", "sourceId": BACKUP}])
    );
    hooks[0].wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    clock.advance(Duration::minutes(5));
    hooks[1].wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 2).await;
    clock.advance(Duration::minutes(2));
    acknowledge(&server, &ada, &incident).await;
    hooks[0].wait_for(2).await;
    hooks[1].wait_for(2).await;
    wait_attempts(&server, &ada, &incident, 4).await;
    clock.advance(Duration::hours(1));
    wait_attempts(&server, &ada, &incident, 4).await;
    assert_eq!(events_of(&hooks[0]), ["opened", "acknowledged"]);
    assert_eq!(events_of(&hooks[1]), ["renotification", "acknowledged"]);
    assert!(hooks[2].received().is_empty(), "step 3 never went out");
    assert_eq!(
        notes(&server, &ada, &incident).await,
        ["fired 1", "timedout 1", "fired 2", "stopped 0"]
    );
}

/// Resolved after step 1: it ends; the first line hears of the end.
#[tokio::test(flavor = "multi_thread")]
async fn resolving_ends_the_escalation() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ([first, second], ids) = super::lines(&server, &ada).await;
    let (a, b) = (&ids[0], &ids[1]);
    policy(
        &server,
        &ada,
        json!({"name": "Default", "default": true, "steps": [
            {"channels": [a], "afterMinutes": 5}, {"channels": [b], "afterMinutes": 5}]}),
    )
    .await;
    let incident = backup_fails(
        &server,
        &ada,
        json!({"id": BACKUP, "name": "Nightly backup"}),
    )
    .await;
    first.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    clock.advance(Duration::minutes(3));
    run(&server, &ada, BACKUP, "success").await;
    first.wait_for(2).await;
    wait_attempts(&server, &ada, &incident, 2).await;
    clock.advance(Duration::hours(1));
    wait_attempts(&server, &ada, &incident, 2).await;
    assert_eq!(events_of(&first), ["opened", "resolved"]);
    assert!(second.received().is_empty());
    assert_eq!(
        notes(&server, &ada, &incident).await,
        ["fired 1", "stopped 0"]
    );
}

/// The server stops between step 1 and step 2 and a new one starts on the same data dir: step
/// 2 goes out at its time, once, and step 1 is not sent again.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_in_the_middle_resumes_at_the_right_step() {
    let clock = nine_o_clock();
    let (mut server, ada) = setup(&clock, None).await;
    let ([first, second], ids) = super::lines(&server, &ada).await;
    let (a, b) = (&ids[0], &ids[1]);
    policy(
        &server,
        &ada,
        json!({"name": "Default", "default": true, "steps": [
            {"channels": [a], "afterMinutes": 5}, {"channels": [b], "afterMinutes": 30}]}),
    )
    .await;
    let incident = backup_fails(
        &server,
        &ada,
        json!({"id": BACKUP, "name": "Nightly backup"}),
    )
    .await;
    first.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    server.stop().await;
    // Down across step 2's time: the new server sends it when it starts.
    clock.advance(Duration::minutes(7));
    server.restart().await;
    second.wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 2).await;
    // Step 2's wait counts from its due time (09:05), not from the restart: over at 09:35.
    clock.advance(Duration::minutes(27));
    wait_attempts(&server, &ada, &incident, 2).await;
    assert_eq!(events_of(&first), ["opened"]);
    assert_eq!(events_of(&second), ["renotification"]);
    assert_eq!(
        notes(&server, &ada, &incident).await,
        ["fired 1", "timedout 1", "fired 2"]
    );
    clock.advance(Duration::minutes(1));
    crate::common::eventually("the policy exhausted at 09:35", || async {
        let notes = notes(&server, &ada, &incident).await;
        (notes.len() == 5).then_some(notes)
    })
    .await;
    assert_eq!(second.received().len(), 1);
}
