//! Escalation policies end to end, on the manual clock, with real receivers on loopback: the
//! steps follow each other while nobody acknowledges, repeat, stop at an acknowledgement or
//! the end, resume after a restart, and reach members on their personal channels outside
//! their quiet hours (urgent steps excepted). The decisions themselves are table-tested in
//! `src/notify/escalation/rules_tests.rs`; here is what receivers and the timeline see.

mod hushed;
mod members;
mod midway;
mod policies;
mod steps;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::common::{TestServer, Token, eventually};
use crate::notifications::{run, task, webhook};

/// Creates a policy; returns its id.
pub(crate) async fn policy(server: &TestServer, token: &Token, body: Value) -> String {
    let created = server.as_(token).create("/escalation-policies", body).await;
    created["id"].as_str().unwrap().to_owned()
}

/// The task "Nightly backup" fails: its incident opens. Returns the incident id.
pub(crate) async fn backup_fails(server: &TestServer, token: &Token, body: Value) -> String {
    task(server, token, body).await;
    run(server, token, "nightly-backup", "failure").await
}

pub(crate) async fn acknowledge(server: &TestServer, token: &Token, incident: &str) {
    let path = format!("/incidents/{incident}/acknowledge");
    let (status, body) = server.as_(token).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The incident's timeline events of `event_type`, oldest first.
pub(crate) async fn events(
    server: &TestServer,
    token: &Token,
    incident: &str,
    event_type: &str,
) -> Vec<Value> {
    let path = format!("/incidents/{incident}/events?itemsPerPage=200");
    server
        .as_(token)
        .items(&path)
        .await
        .into_iter()
        .filter(|e| e["eventType"] == event_type)
        .map(|e| e["payload"].clone())
        .collect()
}

/// Waits for `n` delivery attempts on the incident's timeline: the clock must not move while a
/// delivery is in flight (a claim's lease would run out and it would be sent again, as after
/// a crash).
pub(crate) async fn wait_attempts(server: &TestServer, token: &Token, incident: &str, n: usize) {
    eventually(&format!("{n} notification attempt(s)"), || async {
        (events(server, token, incident, "notification").await.len() >= n).then_some(())
    })
    .await;
}

/// The escalation notes on the timeline as `what step` words (`fired 1`, `timedout 1`, …).
pub(crate) async fn notes(server: &TestServer, token: &Token, incident: &str) -> Vec<String> {
    events(server, token, incident, "escalation")
        .await
        .iter()
        .map(|p| format!("{} {}", p["escalation"].as_str().unwrap(), p["step"]))
        .collect()
}

/// `N` receivers standing for lines of support, each behind a webhook channel ("Line 0", …);
/// returns them with the channel ids.
pub(crate) async fn lines<const N: usize>(
    server: &TestServer,
    token: &Token,
) -> ([HttpReceiver; N], Vec<String>) {
    let mut hooks = Vec::new();
    let mut ids = Vec::new();
    for i in 0..N {
        let hook = HttpReceiver::start(Behaviour::Accept).await;
        ids.push(webhook(server, token, &format!("Line {i}"), hook.url("/")).await);
        hooks.push(hook);
    }
    match hooks.try_into() {
        Ok(hooks) => (hooks, ids),
        Err(_) => unreachable!("N receivers were started"),
    }
}
