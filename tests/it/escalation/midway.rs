//! Changes while an incident escalates: the incident keeps the policy it started with.

use chrono::Duration;
use serde_json::json;

use super::{backup_fails, notes, policy, wait_attempts};
use crate::notifications::{nine_o_clock, setup};

/// The policy is edited after step 1 (its step 2 now another channel, an hour later): this
/// incident's step 2 still goes out after 5 minutes to the second line, as planned at its
/// opening; the edit is for the next incidents.
#[tokio::test(flavor = "multi_thread")]
async fn a_policy_edited_mid_incident_leaves_that_incident_as_planned() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let (hooks, ids) = super::lines::<3>(&server, &ada).await;
    let id = policy(
        &server,
        &ada,
        json!({"name": "Default", "default": true, "steps": [
            {"channels": [ids[0]], "afterMinutes": 5}, {"channels": [ids[1]], "afterMinutes": 5}]}),
    )
    .await;
    let body = json!({"id": "nightly-backup", "name": "Nightly backup"});
    let incident = backup_fails(&server, &ada, body).await;
    hooks[0].wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 1).await;
    let edited = json!({"steps": [
        {"channels": [ids[0]], "afterMinutes": 60}, {"channels": [ids[2]], "afterMinutes": 5}]});
    let path = format!("/escalation-policies/{id}");
    let (status, answer) = server.as_(&ada).patch(&path, edited).await;
    assert!(status.is_success(), "{answer}");
    clock.advance(Duration::minutes(5));
    hooks[1].wait_for(1).await;
    wait_attempts(&server, &ada, &incident, 2).await;
    assert!(
        hooks[2].received().is_empty(),
        "the edited step 2 is not this incident's"
    );
    assert_eq!(
        notes(&server, &ada, &incident).await,
        ["fired 1", "timedout 1", "fired 2"]
    );
}
