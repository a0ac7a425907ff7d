//! A storm on PagerDuty and Opsgenie: incidents opened one by one before the storm was seen get
//! an alert each, the storm's digest one alert under its first incident; when they are resolved
//! (two alone, then a digest of resolutions), every alert raised is resolved or closed.

use std::collections::BTreeSet;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::alerting::{GENIE_KEY, ROUTING_KEY};
use super::with_channel;
use crate::common::eventually;
use crate::common::receivers::{Answer, HttpReceiver, Received};
use crate::notifications::{channel, deliveries, run, task};

/// Runs task `job-{n}` with `status`, then waits until both providers have `seen` requests: a
/// row already sent never joins a digest, so what goes alone is known.
async fn run_alone(t: &Fixture, n: usize, status: &str, seen: usize) -> String {
    let incident = run(&t.server, &t.ada, &format!("job-{n}"), status).await;
    t.pd.wait_for(seen).await;
    t.og.wait_for(seen).await;
    incident
}

struct Fixture {
    server: crate::common::TestServer,
    ada: crate::common::Token,
    pd: HttpReceiver,
    og: HttpReceiver,
}

/// The keys a provider's requests name, split into raised and resolved (or closed).
fn pagerduty_keys(requests: &[Received]) -> (Vec<String>, BTreeSet<String>) {
    let (mut raised, mut resolved) = (Vec::new(), BTreeSet::new());
    for r in requests {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/v2/enqueue")
        );
        let event = r.json();
        assert_eq!(event["routing_key"], ROUTING_KEY);
        let key = event["dedup_key"].as_str().unwrap().to_owned();
        match event["event_action"].as_str() {
            Some("trigger") => raised.push(key),
            Some("resolve") => drop(resolved.insert(key)),
            other => panic!("{other:?}"),
        }
    }
    (raised, resolved)
}

fn opsgenie_aliases(requests: &[Received]) -> (Vec<String>, BTreeSet<String>) {
    let (mut raised, mut closed) = (Vec::new(), BTreeSet::new());
    for r in requests {
        assert_eq!(
            r.header("authorization"),
            Some(&*format!("GenieKey {GENIE_KEY}"))
        );
        match r.path.strip_prefix("/v2/alerts/") {
            None => raised.push(r.json()["alias"].as_str().unwrap().to_owned()),
            Some(rest) => {
                assert_eq!(r.query, "identifierType=alias");
                let alias = rest.strip_suffix("/close").expect("a close");
                closed.insert(alias.to_owned());
            }
        }
    }
    (raised, closed)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_alert_of_a_storm_is_resolved_with_its_incidents() {
    let accepted = json!({"status": "success", "message": "Event processed", "dedup_key": "x"});
    let pd = HttpReceiver::scripted(vec![], Answer::json(202, accepted)).await;
    let processed = json!({"result": "Request will be processed", "took": 0.302,
                           "requestId": "43a29c5c-3dbf-4fa4-9c26-f4f71023e120"});
    let og = HttpReceiver::scripted(vec![], Answer::json(202, processed)).await;
    let config = json!({"routingKey": ROUTING_KEY, "apiUrl": pd.url("")});
    let (server, ada, clock, pagerduty) = with_channel("pagerduty", config).await;
    let config = json!({"apiKey": GENIE_KEY, "apiUrl": og.url("")});
    let body = json!({"name": "Ops opsgenie", "kind": "opsgenie", "config": config});
    let opsgenie = channel(&server, &ada, body).await;
    // More than two incidents opening (or resolving) within a minute make a storm.
    let settings = json!({"language": "en", "renotifyMinutes": null, "stormThreshold": 2,
                          "stormWindowSeconds": 60});
    let (status, body) = server
        .as_(&ada)
        .put("/notification-settings", settings)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for n in 1..=4 {
        task(
            &server,
            &ada,
            json!({"id": format!("job-{n}"), "name": format!("Job {n}")}),
        )
        .await;
    }
    let t = Fixture {
        server,
        ada,
        pd,
        og,
    };

    // Jobs 1 and 2 fail alone; 3 and 4 make the storm: one digest, led by job 3's incident.
    let mut incidents = vec![
        run_alone(&t, 1, "failure", 1).await,
        run_alone(&t, 2, "failure", 2).await,
    ];
    for n in 3..=4 {
        incidents.push(run(&t.server, &t.ada, &format!("job-{n}"), "failure").await);
    }
    clock.advance(Duration::seconds(5));
    let (raised, _) = pagerduty_keys(&t.pd.wait_for(3).await);
    assert_eq!(
        raised,
        incidents[..3],
        "jobs 1 and 2 alone, the digest under job 3"
    );
    let (created, _) = opsgenie_aliases(&t.og.wait_for(3).await);
    assert_eq!(created, incidents[..3]);

    // Jobs 3 and 4 recover alone (3 resolves the digest's alert); then 1 and 2 in a digest of
    // resolutions, which resolves the alerts they opened alone.
    clock.advance(Duration::seconds(5));
    run_alone(&t, 3, "success", 4).await;
    run_alone(&t, 4, "success", 5).await;
    for n in 1..=2 {
        run(&t.server, &t.ada, &format!("job-{n}"), "success").await;
    }
    clock.advance(Duration::seconds(5));
    let all: BTreeSet<String> = incidents.iter().cloned().collect();
    let (_, resolved) = pagerduty_keys(&t.pd.wait_for(7).await);
    assert_eq!(
        resolved, all,
        "every incident's key resolved, so every alert raised"
    );
    let (_, closed) = opsgenie_aliases(&t.og.wait_for(7).await);
    assert_eq!(closed, all);
    // The two digests' rows are sent like the rest; nothing more was sent.
    for channel in [&pagerduty, &opsgenie] {
        eventually("every delivery sent", || async {
            let rows = deliveries(&t.server, &t.ada, channel).await;
            (rows.len() == 8 && rows.iter().all(|d| d["status"] == "sent")).then_some(())
        })
        .await;
    }
    assert_eq!((t.pd.received().len(), t.og.received().len()), (7, 7));
}
