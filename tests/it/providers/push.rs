//! Pushover (form-encoded `messages.json`, priorities, emergency repeats cancelled) and Gotify
//! (`/message` with `X-Gotify-Key`): a phone rings for the opening, quietly hears the rest.

use serde_json::json;

use super::{fails_and_recovers, open_acknowledge_resolve, with_channel};
use crate::common::receivers::{Answer, HttpReceiver, Received};

const APP_TOKEN: &str = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
const USER_KEY: &str = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";

fn form(r: &Received) -> Vec<(String, String)> {
    serde_html_form::from_bytes(&r.body).unwrap()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread")]
async fn pushover_rings_for_a_major_incident_until_acknowledged_then_tells_calmly() {
    // An emergency message's answer carries the receipt to poll (dutyduck does not poll it).
    let ok = json!({"status": 1, "request": "647d2300-702c-4b38-8b2f-d56326ae460b",
                    "receipt": "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"});
    let po = HttpReceiver::scripted(vec![], Answer::json(200, ok)).await;
    let config = json!({"appToken": APP_TOKEN, "userKey": USER_KEY, "apiUrl": po.url(""),
                        "retrySeconds": 120, "expireSeconds": 7200});
    let (server, ada, clock, _) = with_channel("pushover", config).await;
    let name = "Nightly backup";
    let (incident, requests) = fails_and_recovers(&server, &ada, &clock, &po, name, 4).await;

    let forms: Vec<Vec<(String, String)>> = requests.iter().map(form).collect();
    for r in &requests {
        assert_eq!(r.method, "POST");
        let content_type = r.header("content-type");
        assert_eq!(content_type, Some("application/x-www-form-urlencoded"));
    }
    // Acknowledged in dutyduck, and resolved (whether or not anyone acknowledged it): the
    // emergency's repeats are cancelled by its tag, the resolution then told calmly.
    let cancel = format!("/1/receipts/cancel_by_tag/{incident}.json");
    for i in [1, 2] {
        assert_eq!(requests[i].path, cancel);
        assert_eq!(forms[i], [("token".to_owned(), APP_TOKEN.to_owned())]);
    }
    for (r, f) in [(&requests[0], &forms[0]), (&requests[3], &forms[3])] {
        assert_eq!(r.path, "/1/messages.json");
        let keys = (field(f, "token"), field(f, "user"));
        assert_eq!(keys, (Some(APP_TOKEN), Some(USER_KEY)));
        assert!(field(f, "title").unwrap().chars().count() <= 250);
        assert!(field(f, "message").unwrap().chars().count() <= 1024);
        let link = crate::notifications::link(&incident);
        assert_eq!(field(f, "url"), Some(link.as_str()));
    }
    let opened = &forms[0];
    let title = field(opened, "title");
    assert_eq!(title, Some("[dutyduck] Incident opened: Nightly backup"));
    assert_eq!(field(opened, "timestamp"), Some("1796029200"));
    // A task's failure is major: emergency, repeated as configured, tagged with the incident.
    let repeats = (field(opened, "retry"), field(opened, "expire"));
    assert_eq!(repeats, (Some("120"), Some("7200")));
    assert_eq!(field(opened, "priority"), Some("2"));
    assert_eq!(field(opened, "tags"), Some(incident.as_str()));
    let resolved = &forms[3];
    assert_eq!(field(resolved, "priority"), Some("0"));
    let repeats = (field(resolved, "retry"), field(resolved, "expire"));
    assert_eq!(repeats, (None, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn gotify_gets_messages_with_its_app_token_and_a_priority() {
    let ok = json!({"id": 25, "appid": 5, "message": "…", "title": "…", "priority": 8,
                    "date": "2026-11-30T09:00:00Z"});
    let gotify = HttpReceiver::scripted(vec![], Answer::json(200, ok)).await;
    let config = json!({"url": gotify.url("/gotify/"), "appToken": "AzYzjRc3Vh5.hLe"});
    let (server, ada, clock, _) = with_channel("gotify", config).await;
    let (incident, requests) = open_acknowledge_resolve(&server, &ada, &clock, &gotify).await;

    let mut priorities = Vec::new();
    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/gotify/message")
        );
        assert_eq!(r.header("x-gotify-key"), Some("AzYzjRc3Vh5.hLe"));
        let m = r.json();
        priorities.push(m["priority"].as_u64().unwrap());
        let click = &m["extras"]["client::notification"]["click"]["url"];
        assert_eq!(click, &json!(crate::notifications::link(&incident)));
    }
    assert_eq!(
        requests[0].json()["title"],
        "[dutyduck] Incident opened: Nightly backup"
    );
    assert_eq!(priorities, [8, 2, 2], "rings for the opening only");
}
