//! Monitors end to end: real local targets going up and down, the real scheduler driven by a
//! manual clock, and the incidents that follow.

use std::time::{Duration, SystemTime};

use crate::common::target::{Mode, Target, https_server};
use crate::common::{TestServer, Token, eventually};
use chrono::Utc;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod monitor_crud_validation_and_organizations;
mod original_shapes;

pub(crate) async fn monitor(server: &TestServer, token: &Token, id: &str) -> Value {
    server.as_(token).get_ok(&format!("/monitors/{id}")).await
}

/// Moves the clock by `seconds` and waits until every monitor in `ids` has recorded a new check.
pub(crate) async fn tick(server: &TestServer, token: &Token, ids: &[&str], seconds: i64) {
    let mut before = Vec::new();
    for id in ids {
        before.push(monitor(server, token, id).await["monitor"]["lastCheckAt"].clone());
    }
    server.clock.advance(chrono::Duration::seconds(seconds));
    for (id, before) in ids.iter().zip(before) {
        eventually(&format!("a new check of {id}"), || async {
            let now = monitor(server, token, id).await["monitor"]["lastCheckAt"].clone();
            (now != before && !now.is_null()).then_some(())
        })
        .await;
    }
}

pub(crate) async fn create(server: &TestServer, token: &Token, body: Value) -> String {
    let created = server.as_(token).create("/monitors", body).await;
    created["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_goes_down_and_recovers_through_the_incident_lifecycle() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let mut target = Target::start().await;
    let id = create(
        &server,
        &token,
        json!({"name": "Shop", "url": target.url(), "intervalSeconds": 60,
               "downtimeConfirmationThreshold": 2, "recoveryConfirmationThreshold": 2}),
    )
    .await;
    assert_eq!(
        monitor(&server, &token, &id).await["monitor"]["status"],
        "unknown"
    );

    // First check, within 5 s of creation: up.
    tick(&server, &token, &[&id], 5).await;
    let m = monitor(&server, &token, &id).await;
    assert_eq!(m["monitor"]["status"], "up");
    assert!(m["lastResponseTimeMs"].is_u64());

    // Down: the first failure is suspicious (incident to be confirmed), the second confirms.
    target.down().await;
    tick(&server, &token, &[&id], 60).await;
    let m = monitor(&server, &token, &id).await;
    assert_eq!(
        (
            m["monitor"]["status"].as_str(),
            m["monitor"]["errorKind"].as_str()
        ),
        (Some("suspicious"), Some("connect"))
    );
    assert!(
        server.as_(&token).incidents(&id, &[]).await.is_empty(),
        "unconfirmed incidents stay out of default lists"
    );
    let pending = server.as_(&token).incidents(&id, &["tobeconfirmed"]).await;
    assert_eq!(pending.len(), 1);

    tick(&server, &token, &[&id], 60).await;
    let m = monitor(&server, &token, &id).await;
    assert_eq!(m["monitor"]["status"], "down");
    let incident = m["ongoingIncident"].clone();
    assert_eq!(incident["status"], "ongoing");
    assert_eq!(
        incident["id"], pending[0]["id"],
        "the same incident, confirmed"
    );
    assert_eq!(incident["cause"]["lastPing"]["errorKind"], "connect");
    let incident_id = incident["id"].as_str().unwrap().to_owned();
    let (_, count) = server.as_(&token).get("/incidents/ongoing-count").await;
    assert_eq!(count, json!({"ongoing": 1}));

    // Someone acknowledges and comments.
    let (status, acked) = server
        .as_(&token)
        .post_empty(&format!("/incidents/{incident_id}/acknowledge"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acked["acknowledgedBy"][0]["firstName"], "Ada");
    let (status, _) = server
        .as_(&token)
        .post(
            &format!("/incidents/{incident_id}/comment"),
            json!({"text": "Restarting the shop", "format": "markdown"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // A 500 is a different failure: recorded as a new cause.
    target.up().await;
    target.set(Mode::Status(500));
    tick(&server, &token, &[&id], 60).await;
    let m = monitor(&server, &token, &id).await;
    assert_eq!(
        (
            m["monitor"]["errorKind"].as_str(),
            m["monitor"]["lastHttpCode"].as_u64()
        ),
        (Some("httpcode"), Some(500))
    );
    assert_eq!(m["ongoingIncident"]["cause"]["lastPing"]["httpCode"], 500);

    // Recovery takes two successes.
    target.set(Mode::Up);
    tick(&server, &token, &[&id], 60).await;
    assert_eq!(
        monitor(&server, &token, &id).await["monitor"]["status"],
        "recovering"
    );
    tick(&server, &token, &[&id], 60).await;
    let m = monitor(&server, &token, &id).await;
    assert_eq!(m["monitor"]["status"], "up");
    assert!(m["ongoingIncident"].is_null());

    let (_, detail) = server
        .as_(&token)
        .get(&format!("/incidents/{incident_id}"))
        .await;
    assert_eq!(detail["incident"]["status"], "resolved");
    assert_eq!(detail["source"]["name"], "Shop");
    let (_, timeline) = server
        .as_(&token)
        .get(&format!("/incidents/{incident_id}/events"))
        .await;
    let types: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "creation",
            "monitorpinged",
            "confirmation",
            "monitorswitchedtodown",
            "acknowledged",
            "comment",
            "monitorpinged",
            "monitorswitchedtorecovering",
            "monitorpinged",
            "resolution"
        ]
    );
    let items = timeline["items"].as_array().unwrap();
    assert_eq!(items[3]["payload"]["errorKind"], "connect");
    assert_eq!(items[4]["user"]["firstName"], "Ada");
    assert_eq!(items[5]["payload"]["text"], "Restarting the shop");
    assert_eq!(items[6]["payload"]["httpCode"], 500);

    // History: every check is kept, uptime comes from rollups.
    let (_, checks) = server
        .as_(&token)
        .get(&format!("/monitors/{id}/checks"))
        .await;
    // up, connection refused ×2, 500, recovering, up.
    assert_eq!(checks["totalNumberOfResults"], 6);
    let (_, stats) = server
        .as_(&token)
        .get(&format!("/monitors/{id}/stats?range=24h"))
        .await;
    let checked: i64 = stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["checks"].as_i64().unwrap())
        .sum();
    assert_eq!(checked, 6);
    let uptime = stats["uptime"].as_f64().unwrap();
    assert!((uptime - 50.0).abs() < 0.01, "{uptime}");
    // 24 h at the checks' own resolution: one bucket per minute-long check interval, the
    // refused ones without a response time.
    assert_eq!(
        (
            stats["resolution"].as_str(),
            stats["bucketSeconds"].as_i64()
        ),
        (Some("raw"), Some(60))
    );
    let buckets = stats["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 6, "{stats}");
    assert!(buckets[1]["responseMsAvg"].is_null() && buckets[2]["responseMsAvg"].is_null());
    assert!(buckets[0]["responseMsAvg"].is_number() && buckets[3]["responseMsAvg"].is_number());
    let (_, hourly) = server
        .as_(&token)
        .get(&format!("/monitors/{id}/stats?range=24h&resolution=hour"))
        .await;
    assert_eq!(hourly["resolution"], "hour");
    assert!(hourly["buckets"].as_array().unwrap().len() <= 2, "{hourly}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_kind_of_failure_reaches_its_status_and_error_kind() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let error500 = Target::start().await;
    error500.set(Mode::Status(500));
    let slow = Target::start().await;
    slow.set(Mode::Slow(Duration::from_secs(2)));
    let wrong = Target::start().await;
    wrong.set(Mode::Body("maintenance page".into()));
    let mut refused = Target::start().await;
    refused.down().await;
    let fine = Target::start().await;

    let base = |url: String| json!({"url": url, "downtimeConfirmationThreshold": 1, "intervalSeconds": 30});
    let cases = [
        (create(&server, &token, base(error500.url())).await, "down", "httpcode"),
        (create(&server, &token, json!({"url": slow.url(), "requestTimeoutMs": 300, "downtimeConfirmationThreshold": 1})).await, "down", "timeout"),
        (
            create(&server, &token, json!({"url": wrong.url(), "downtimeConfirmationThreshold": 1,
                "assertion": {"kind": "bodyContains", "value": "healthy"}})).await,
            "down",
            "assertion",
        ),
        (create(&server, &token, base(refused.url())).await, "down", "connect"),
        (
            create(&server, &token, json!({"url": fine.url(), "assertion": {"kind": "regex", "value": "^ok: \\w+$"}})).await,
            "up",
            "none",
        ),
    ];
    let ids: Vec<&str> = cases.iter().map(|(id, _, _)| id.as_str()).collect();
    tick(&server, &token, &ids, 5).await;
    for (id, status, kind) in &cases {
        let m = monitor(&server, &token, id).await;
        assert_eq!(
            (
                m["monitor"]["status"].as_str(),
                m["monitor"]["errorKind"].as_str()
            ),
            (Some(*status), Some(*kind)),
            "{m}"
        );
        assert_eq!(m["ongoingIncident"].is_object(), *status == "down", "{id}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_close_to_expiry_opens_a_warning_incident() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let url = https_server(SystemTime::now() + Duration::from_secs(5 * 86_400));
    let id = create(
        &server,
        &token,
        json!({"url": url, "verifyTls": false, "tlsExpiryWarningDays": 14}),
    )
    .await;
    tick(&server, &token, &[&id], 5).await;
    let m = monitor(&server, &token, &id).await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    let expires =
        chrono::DateTime::parse_from_rfc3339(m["monitor"]["tlsExpiresAt"].as_str().unwrap())
            .unwrap();
    assert!(
        (expires.to_utc() - Utc::now()).num_days() == 4
            || (expires.to_utc() - Utc::now()).num_days() == 5
    );
    let warning = &m["tlsIncident"];
    assert_eq!(
        (warning["priority"].as_str(), warning["status"].as_str()),
        (Some("warning"), Some("ongoing")),
        "{m}"
    );
    assert_eq!(warning["incidentSourceType"], "tlscertificate");
    assert!(m["ongoingIncident"].is_null(), "the site itself is up");
}

#[tokio::test(flavor = "multi_thread")]
async fn incidents_by_hand() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let (status, incident) = server
        .as_(&token).post("/incidents", json!({"title": "Payments degraded", "priority": "critical", "description": "Card payments time out"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let id = incident["id"].as_str().unwrap();
    assert_eq!(
        (
            incident["status"].as_str(),
            incident["createdBy"]["firstName"].as_str()
        ),
        (Some("ongoing"), Some("Ada"))
    );
    let (_, patched) = server
        .as_(&token)
        .patch(&format!("/incidents/{id}"), json!({"priority": "minor"}))
        .await;
    assert_eq!(patched["priority"], "minor");
    let (status, _) = server
        .as_(&token)
        .patch(&format!("/incidents/{id}"), json!({"priority": "whenever"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, resolved) = server
        .as_(&token)
        .post_empty(&format!("/incidents/{id}/resolve"))
        .await;
    assert_eq!(
        (status, resolved["status"].as_str()),
        (StatusCode::OK, Some("resolved"))
    );
    assert!(resolved["resolvedAt"].is_string());
    let (status, _) = server
        .as_(&token)
        .post_empty(&format!("/incidents/{id}/resolve"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, list) = server
        .as_(&token)
        .get("/incidents?priority=minor&orderBy=priority")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, _) = server.as_(&token).get("/incidents?orderBy=chaos").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unconfirmed_incident_someone_commented_on_is_kept_and_resolved() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let target = Target::start().await;
    let body = json!({"url": target.url(), "downtimeConfirmationThreshold": 2, "recoveryConfirmationThreshold": 1});
    let id = create(&server, &token, body).await;
    tick(&server, &token, &[&id], 5).await;
    target.set(Mode::Status(503));
    tick(&server, &token, &[&id], 60).await;
    let pending = server.as_(&token).incidents(&id, &["tobeconfirmed"]).await;
    let incident = pending[0]["id"].as_str().unwrap().to_owned();
    let comment = json!({"text": "probably the deploy"});
    let path = format!("/incidents/{incident}/comment");
    let (status, _) = server.as_(&token).post(&path, comment).await;
    assert_eq!(status, StatusCode::CREATED);

    // Suspicious → recovering → up (reference §2.3), then the incident ends.
    target.set(Mode::Up);
    tick(&server, &token, &[&id], 60).await;
    tick(&server, &token, &[&id], 60).await;
    assert_eq!(
        monitor(&server, &token, &id).await["monitor"]["status"],
        "up"
    );
    let (status, detail) = server
        .as_(&token)
        .get(&format!("/incidents/{incident}"))
        .await;
    assert_eq!(
        (status, detail["incident"]["status"].as_str()),
        (StatusCode::OK, Some("resolved"))
    );

    // The timeline pages without overlap.
    let events = |page: u32| {
        let path = format!("/incidents/{incident}/events?pageNumber={page}&itemsPerPage=2");
        let server = &server;
        let token = &token;
        async move {
            server.as_(token).get(&path).await.1["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let (first, second) = (events(1).await, events(2).await);
    assert_eq!((first.len(), second.len()), (2, 2));
    assert!(first[1]["id"].as_i64() < second[0]["id"].as_i64());
}
