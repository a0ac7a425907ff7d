//! PagerDuty (Events API v2) and Opsgenie (Alert API): one alert per incident, triggered or
//! created when it opens, then acknowledged and resolved or closed by the same key.

use serde_json::json;

use super::{open_acknowledge_resolve, with_channel};
use crate::common::receivers::{Answer, HttpReceiver};

pub(super) const ROUTING_KEY: &str = "R0123456789abcdefABCDEF012345678";
pub(super) const GENIE_KEY: &str = "eb243592-faa2-4ba2-a551-1afdf565c889";

#[tokio::test(flavor = "multi_thread")]
async fn pagerduty_triggers_acknowledges_and_resolves_one_alert_by_dedup_key() {
    // PagerDuty answers every accepted event 202 with the dedup key it filed it under.
    let accepted = json!({"status": "success", "message": "Event processed", "dedup_key": "x"});
    let pd = HttpReceiver::scripted(vec![], Answer::json(202, accepted)).await;
    let config = json!({"routingKey": ROUTING_KEY, "apiUrl": pd.url("")});
    let (server, ada, clock, _) = with_channel("pagerduty", config).await;
    let (incident, requests) = open_acknowledge_resolve(&server, &ada, &clock, &pd).await;

    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/v2/enqueue")
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        let event = r.json();
        assert_eq!(event["routing_key"], ROUTING_KEY);
        assert_eq!(
            event["dedup_key"], incident,
            "the same key for the alert's life"
        );
    }
    let trigger = requests[0].json();
    assert_eq!(trigger["event_action"], "trigger");
    let payload = &trigger["payload"];
    assert_eq!(
        payload["summary"],
        "[dutyduck] Incident opened: Nightly backup"
    );
    assert!(payload["summary"].as_str().unwrap().chars().count() <= 1024);
    // A task's failure is a major incident: PagerDuty's "error".
    assert_eq!(payload["severity"], "error");
    assert_eq!(payload["source"], "Nightly backup");
    assert_eq!(payload["timestamp"], "2026-11-30T09:00:00.000Z");
    let link = crate::notifications::link(&incident);
    assert_eq!(trigger["links"][0]["href"], link);
    assert_eq!(trigger["client_url"], link);
    // Acknowledge and resolve carry only what the API requires of them.
    for (r, action) in requests[1..].iter().zip(["acknowledge", "resolve"]) {
        let expected = json!({"routing_key": ROUTING_KEY, "event_action": action,
                              "dedup_key": incident});
        assert_eq!(r.json(), expected);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn opsgenie_creates_acknowledges_and_closes_one_alert_by_alias() {
    let accepted = json!({"result": "Request will be processed", "took": 0.302,
                          "requestId": "43a29c5c-3dbf-4fa4-9c26-f4f71023e120"});
    let og = HttpReceiver::scripted(vec![], Answer::json(202, accepted)).await;
    let config = json!({"apiKey": GENIE_KEY, "apiUrl": og.url("/")});
    let (server, ada, clock, _) = with_channel("opsgenie", config).await;
    let (incident, requests) = open_acknowledge_resolve(&server, &ada, &clock, &og).await;

    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.header("authorization"),
            Some(&*format!("GenieKey {GENIE_KEY}"))
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let create = &requests[0];
    assert_eq!(
        (create.path.as_str(), create.query.as_str()),
        ("/v2/alerts", "")
    );
    let alert = create.json();
    assert_eq!(alert["alias"], incident);
    assert_eq!(
        alert["message"],
        "[dutyduck] Incident opened: Nightly backup"
    );
    assert!(alert["message"].as_str().unwrap().chars().count() <= 130);
    assert_eq!(alert["priority"], "P2");
    assert_eq!(alert["source"], "dutyduck");
    assert_eq!(alert["entity"], "Nightly backup");
    assert_eq!(
        alert["details"]["url"],
        crate::notifications::link(&incident)
    );
    for (r, action) in requests[1..].iter().zip(["acknowledge", "close"]) {
        assert_eq!(r.path, format!("/v2/alerts/{incident}/{action}"));
        assert_eq!(r.query, "identifierType=alias");
        assert_eq!(r.json()["source"], "dutyduck");
        assert_eq!(r.json()["user"], "Ada Lovelace");
    }
}
