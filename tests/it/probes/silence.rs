//! A probe not heard from for 3 minutes opens an incident, resolved once it reports again; a
//! probe never heard from is waiting, with no incident.

use super::whole_second_now;
use super::{add, poll, shown};
use crate::common::{TestServer, eventually};
use chrono::{Duration, SecondsFormat};
use dutyduck::clock::Clock;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_probe_opens_an_incident_resolved_when_it_reports_again() {
    let t0 = whole_second_now();
    let server = TestServer::start_with_clock(Clock::manual(t0)).await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&admin);
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let waiting = add(&server, &admin, "never-started", json!({})).await;
    poll(&server, &probe.token, None).await;
    let source = format!("probe:{}", probe.id);

    // 2 min 59 s: still up.
    server.clock.advance(Duration::seconds(179));
    assert_eq!(shown(&server, &admin, &probe.id).await["status"], "up");
    server.clock.advance(Duration::seconds(1));
    assert_eq!(shown(&server, &admin, &probe.id).await["status"], "silent");
    // The watch looks every 15 s.
    server.clock.advance(Duration::seconds(15));
    let incident: Value = eventually("the silence incident", || async {
        api.incidents(&source, &["ongoing"]).await.pop()
    })
    .await;
    assert_eq!(incident["title"], "Probe eu-west silent for 3 min");
    assert_eq!(incident["priority"], "major");
    let description = incident["cause"]["description"].as_str().unwrap();
    assert!(
        description.contains("eu-west")
            && description.contains("region=eu-west")
            && description.contains(&t0.to_rfc3339_opts(SecondsFormat::Secs, true))
            && description.contains("remaining locations"),
        "{description}"
    );
    assert_eq!(
        shown(&server, &admin, &waiting.id).await["status"],
        "waiting"
    );
    let waiting_source = format!("probe:{}", waiting.id);
    assert_eq!(
        api.incidents(&waiting_source, &[]).await,
        Vec::<Value>::new()
    );

    // Still silent at the next looks: one incident.
    server.clock.advance(Duration::seconds(30));
    // Heard from again: resolved at the next look.
    poll(&server, &probe.token, None).await;
    assert_eq!(shown(&server, &admin, &probe.id).await["status"], "up");
    server.clock.advance(Duration::seconds(15));
    eventually("the silence incident resolved", || async {
        api.incidents(&source, &["resolved"]).await.pop()
    })
    .await;
    assert_eq!(
        api.incidents(&source, &["ongoing"]).await,
        Vec::<Value>::new()
    );
    let all = api
        .incidents(&source, &["ongoing", "resolved", "tobeconfirmed"])
        .await;
    assert_eq!(all.len(), 1, "one incident for the episode: {all:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_silent_probe_resolves_its_incident() {
    let t0 = whole_second_now();
    let server = TestServer::start_with_clock(Clock::manual(t0)).await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&admin);
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    poll(&server, &probe.token, None).await;
    let source = format!("probe:{}", probe.id);
    server.clock.advance(Duration::minutes(4));
    eventually("the silence incident", || async {
        api.incidents(&source, &["ongoing"]).await.pop()
    })
    .await;
    api.delete(&format!("/probes/{}", probe.id)).await;
    assert_eq!(
        api.incidents(&source, &["ongoing"]).await,
        Vec::<Value>::new()
    );
    assert_eq!(api.incidents(&source, &["resolved"]).await.len(), 1);
}
