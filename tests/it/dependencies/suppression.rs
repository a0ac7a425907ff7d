//! A router goes down with 50 monitors behind it, on the manual clock, against real local HTTP
//! targets and a webhook receiver: one notified incident (the router's), its timeline naming
//! the 50 dependents once each, every dependent `quiet` behind it; when the router recovers, the
//! one dependent still failing opens (and notifies) its own incident at once.

use std::collections::BTreeMap;

use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::common::target::Target;
use crate::common::{TestServer, Token, eventually};
use chrono::Utc;
use dutyduck::clock::Clock;
use serde_json::{Value, json};

const DEPENDENTS: usize = 50;

/// Every monitor of the organization (two pages of 50), by name.
async fn monitors(server: &TestServer, token: &Token) -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    for page in 1..=2 {
        let path = format!("/monitors?itemsPerPage=50&pageNumber={page}");
        for m in server.as_(token).items(&path).await {
            all.insert(m["name"].as_str().unwrap().to_owned(), m);
        }
    }
    all
}

/// Moves the clock a minute and waits until every monitor was checked again.
async fn minute(server: &TestServer, token: &Token) {
    let before: BTreeMap<String, Value> = monitors(server, token)
        .await
        .into_iter()
        .map(|(name, m)| (name, m["lastCheckAt"].clone()))
        .collect();
    server.clock.advance(chrono::Duration::seconds(60));
    eventually("a check of every monitor", || async {
        let now = monitors(server, token).await;
        now.iter()
            .all(|(name, m)| !m["lastCheckAt"].is_null() && m["lastCheckAt"] != before[name])
            .then_some(())
    })
    .await;
}

async fn events(server: &TestServer, token: &Token, incident: &str, kind: &str) -> Vec<Value> {
    let path = format!("/incidents/{incident}/events?itemsPerPage=500");
    server
        .as_(token)
        .items(&path)
        .await
        .into_iter()
        .filter(|e| e["eventType"] == kind)
        .collect()
}

fn events_heard(hook: &HttpReceiver) -> Vec<String> {
    hook.received()
        .iter()
        .map(|r| r.header("x-dutyduck-event").unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_router_down_pages_once_and_a_dependent_still_failing_pages_after_it() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let channel = json!({"name": "Ops", "kind": "webhook", "config": {"url": hook.url("/hook")}});
    api().create("/notification-channels", channel).await;
    let (mut router_target, mut services, mut shop_target) = (
        Target::start().await,
        Target::start().await,
        Target::start().await,
    );

    // The router is down at its first failure and up after two successes; the services behind
    // it follow their target at once.
    let router = api()
        .create(
            "/monitors",
            json!({"name": "Router", "url": router_target.url(), "intervalSeconds": 60,
                   "downtimeConfirmationThreshold": 1, "recoveryConfirmationThreshold": 2}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 1..=DEPENDENTS {
        let (name, url) = if n == DEPENDENTS {
            ("Shop".to_owned(), shop_target.url())
        } else {
            (
                format!("Service {n:02}"),
                format!("{}?n={n}", services.url()),
            )
        };
        api()
            .create(
                "/monitors",
                json!({"name": name, "url": url, "intervalSeconds": 60, "upstreams": [router],
                       "downtimeConfirmationThreshold": 1, "recoveryConfirmationThreshold": 1}),
            )
            .await;
    }
    // A job run by hand depends on the router too.
    let backup = json!({"id": "backup", "name": "Backup", "upstreams": [router]});
    api().create("/tasks", backup).await;
    minute(&server, &token).await;
    assert!(
        monitors(&server, &token)
            .await
            .values()
            .all(|m| m["status"] == "up")
    );

    router_target.down().await;
    minute(&server, &token).await;
    let incident = api().incidents(&router, &["ongoing"]).await;
    assert_eq!(incident.len(), 1);
    let incident = incident[0]["id"].as_str().unwrap().to_owned();

    services.down().await;
    shop_target.down().await;
    minute(&server, &token).await;
    minute(&server, &token).await;
    let all = monitors(&server, &token).await;
    for (name, m) in all.iter().filter(|(name, _)| *name != "Router") {
        assert_eq!(m["status"], "down", "{name}");
        assert_eq!(m["quiet"]["reason"], "upstream", "{name}: {m}");
        assert_eq!(m["quiet"]["incidentId"], json!(incident), "{name}");
        assert_eq!(m["quiet"]["name"], "Router", "{name}");
    }
    assert!(all["Router"].get("quiet").is_none());
    // The job fails behind the router: no incident of its own either.
    api().post_empty("/tasks/backup/start").await;
    let failed = json!({"status": "failure", "exitCode": 1, "errorMessage": "no route to host"});
    api().post("/tasks/backup/finish", failed).await;
    let task = api().get_ok("/tasks/backup").await;
    assert_eq!(task["task"]["status"], "failing");
    assert_eq!(
        task["task"]["quiet"]["incidentId"],
        json!(incident),
        "{task}"
    );
    assert_eq!(task["upstreamMonitors"][0]["name"], "Router");
    assert!(api().incidents("backup", &["ongoing"]).await.is_empty());
    // One event per dependent, however many checks failed.
    let suppressed = events(&server, &token, &incident, "dependentsuppressed").await;
    assert_eq!(suppressed.len(), DEPENDENTS + 1, "the monitors and the job");
    let mut named: Vec<&str> = suppressed
        .iter()
        .map(|e| e["payload"]["name"].as_str().unwrap())
        .collect();
    named.sort_unstable();
    assert_eq!(named.last(), Some(&"Shop"));
    let open = api()
        .items("/incidents?status=ongoing&status=tobeconfirmed")
        .await;
    assert_eq!(open.len(), 1, "only the router's incident: {open:?}");
    let shop = all["Shop"]["id"].as_str().unwrap().to_owned();
    let page = api().get_ok(&format!("/monitors/{router}")).await;
    assert_eq!(page["dependents"].as_array().unwrap().len(), DEPENDENTS + 1);
    assert_eq!(page["dependents"][0]["name"], "Backup");
    assert_eq!(page["dependents"][0]["quiet"]["reason"], "upstream");

    // The job succeeds at its next run, before the router is back.
    api().post_empty("/tasks/backup/start").await;
    api()
        .post("/tasks/backup/finish", json!({"status": "success"}))
        .await;

    // The router and the services come back; the shop does not.
    router_target.up().await;
    services.up().await;
    minute(&server, &token).await;
    assert_eq!(
        monitors(&server, &token).await["Router"]["status"],
        "recovering"
    );
    assert!(
        api().incidents(&shop, &["ongoing"]).await.is_empty(),
        "still quiet"
    );
    minute(&server, &token).await;
    let all = monitors(&server, &token).await;
    assert_eq!(all["Router"]["status"], "up");
    let shop_incidents = api().incidents(&shop, &["ongoing"]).await;
    assert_eq!(shop_incidents.len(), 1, "the shop opens its own incident");
    assert!(all["Shop"].get("quiet").is_none());
    for (name, m) in all.iter().filter(|(name, _)| name.starts_with("Service")) {
        assert_eq!(m["status"], "up", "{name}");
    }
    let open = api()
        .items("/incidents?status=ongoing&status=tobeconfirmed")
        .await;
    assert_eq!(open.len(), 1, "only the shop's: {open:?}");

    // Heard: the router opened and resolved, the shop opened; nothing of the 49 services.
    hook.wait_for(3).await;
    let shop_opened = hook
        .received()
        .iter()
        .find(|r| r.json()["incident"]["id"] == shop_incidents[0]["id"])
        .map(|r| r.header("x-dutyduck-event").unwrap().to_owned());
    assert_eq!(shop_opened.as_deref(), Some("opened"));
    let mut heard = events_heard(&hook);
    heard.sort();
    assert_eq!(heard, ["opened", "opened", "resolved"]);
}

/// Dependents that started failing before their router (unconfirmed incidents of their own
/// when it went down) are folded into the router's incident instead of confirmed beside it.
#[tokio::test(flavor = "multi_thread")]
async fn unconfirmed_dependents_fold_into_the_upstream_incident() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let channel = json!({"name": "Ops", "kind": "webhook", "config": {"url": hook.url("/hook")}});
    api().create("/notification-channels", channel).await;
    let (mut router_target, mut services) = (Target::start().await, Target::start().await);
    let router = json!({"name": "Router", "url": router_target.url(), "intervalSeconds": 60,
                        "downtimeConfirmationThreshold": 1});
    let router = api().create("/monitors", router).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 1..=3 {
        let body = json!({"name": format!("Service {n}"), "url": services.url(),
                          "intervalSeconds": 60, "upstreams": [router],
                          "downtimeConfirmationThreshold": 3});
        api().create("/monitors", body).await;
    }
    minute(&server, &token).await;

    services.down().await;
    minute(&server, &token).await;
    let unconfirmed = api().items("/incidents?status=tobeconfirmed").await;
    assert_eq!(unconfirmed.len(), 3, "the services failed first");
    router_target.down().await;
    minute(&server, &token).await;
    minute(&server, &token).await;
    let all = monitors(&server, &token).await;
    assert!(all.values().all(|m| m["status"] == "down"), "{all:?}");
    let open = api()
        .items("/incidents?status=ongoing&status=tobeconfirmed")
        .await;
    assert_eq!(open.len(), 1, "the router's only: {open:?}");
    assert_eq!(open[0]["incidentSourceId"], json!(router));
    let incident = open[0]["id"].as_str().unwrap();
    let suppressed = events(&server, &token, incident, "dependentsuppressed").await;
    assert_eq!(suppressed.len(), 3);
    hook.wait_for(1).await;
    assert_eq!(events_heard(&hook), ["opened"]);

    // The router deleted (its incident with it): the services, still down, page at once.
    api().delete(&format!("/monitors/{router}")).await;
    let open = api().items("/incidents?status=ongoing").await;
    assert_eq!(open.len(), 3, "{open:?}");
    hook.wait_for(4).await;
    assert_eq!(events_heard(&hook), ["opened"; 4]);
}
