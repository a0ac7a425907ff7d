//! Alerting and chat providers end to end: the real server sends to a receiver on loopback
//! that plays the provider (Telegram's Bot API, Pushover, Gotify, PagerDuty's Events API v2,
//! Opsgenie's Alert API, a Matrix homeserver): the tests check each request against the
//! provider's documented API (path, method, auth, fields, limits) as an incident is opened,
//! acknowledged and resolved, and that a provider's "retry after N seconds" is honoured on
//! the manual clock.

mod alerting;
mod chat;
mod push;
mod retries;
mod settings;
mod storms;

use chrono::Duration;
use dutyduck::clock::Clock;
use serde_json::Value;

use crate::common::receivers::{HttpReceiver, Received};
use crate::common::{TestServer, Token};
use crate::notifications::{
    acknowledge, channel, nine_o_clock, run, setup, task, wait_notifications,
};

/// A server on the manual clock (09:00) with Ada, and a channel of `kind` with `config`
/// (its id last).
async fn with_channel(kind: &str, config: Value) -> (TestServer, Token, Clock, String) {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let body = serde_json::json!({"name": format!("Ops {kind}"), "kind": kind, "config": config});
    let id = channel(&server, &ada, body).await;
    (server, ada, clock, id)
}

/// "Nightly backup" fails at 09:00, Ada acknowledges it at 09:01 and it is resolved at 09:05:
/// returns the incident and the three requests the provider received, one per change. Each
/// is recorded on the timeline before the clock moves (see `wait_notifications`).
async fn open_acknowledge_resolve(
    server: &TestServer,
    ada: &Token,
    clock: &Clock,
    provider: &HttpReceiver,
) -> (String, Vec<Received>) {
    named_task_fails_and_recovers(server, ada, clock, provider, "Nightly backup").await
}

/// The same with the task named `name` (markup in names must reach the provider as text).
async fn named_task_fails_and_recovers(
    server: &TestServer,
    ada: &Token,
    clock: &Clock,
    provider: &HttpReceiver,
    name: &str,
) -> (String, Vec<Received>) {
    fails_and_recovers(server, ada, clock, provider, name, 3).await
}

/// The same when the provider gets `total` requests in all (a resolution may be several).
async fn fails_and_recovers(
    server: &TestServer,
    ada: &Token,
    clock: &Clock,
    provider: &HttpReceiver,
    name: &str,
    total: usize,
) -> (String, Vec<Received>) {
    let body = serde_json::json!({"id": "nightly-backup", "name": name});
    task(server, ada, body).await;
    let incident = run(server, ada, "nightly-backup", "failure").await;
    provider.wait_for(1).await;
    wait_notifications(server, ada, &incident, 1).await;
    clock.advance(Duration::minutes(1));
    acknowledge(server, ada, &incident).await;
    provider.wait_for(2).await;
    wait_notifications(server, ada, &incident, 2).await;
    clock.advance(Duration::minutes(4));
    run(server, ada, "nightly-backup", "success").await;
    let requests = provider.wait_for(total).await;
    let timeline = wait_notifications(server, ada, &incident, 3).await;
    for n in &timeline {
        assert_eq!(n["outcome"], "sent", "{n}");
    }
    assert_eq!(requests.len(), total, "one delivery per change");
    (incident, requests)
}
