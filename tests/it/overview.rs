//! `GET /overview` and `GET /events` end to end: counts by status after real checks of a real
//! target, ongoing incidents not acknowledged first, the last 24 hours, maintenance to come,
//! organizations kept apart; the event stream read by a real HTTP client.

mod events;

use crate::common::target::Target;
use crate::common::{TestServer, Token};
use crate::monitors::{create, tick};
use chrono::{Duration, Utc};
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn overview(server: &TestServer, token: &Token) -> Value {
    server.as_(token).get_ok("/overview").await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_counts_statuses_and_puts_unacknowledged_incidents_first() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let up = Target::start().await;
    let mut down = Target::start().await;
    down.down().await;
    let body = |name: &str, url: String| {
        json!({"name": name, "url": url, "intervalSeconds": 60,
               "downtimeConfirmationThreshold": 1})
    };
    let shop = create(&server, &token, body("Shop", up.url())).await;
    let api = create(&server, &token, body("Api", down.url())).await;
    let paused = create(&server, &token, body("Paused", up.url())).await;
    let (status, _) = server
        .as_(&token)
        .post_empty(&format!("/monitors/{paused}/toggle"))
        .await;
    assert_eq!(status, StatusCode::OK);
    tick(&server, &token, &[&shop, &api], 60).await;

    // An incident declared by hand and acknowledged: it comes after the monitor's.
    let declared = server
        .as_(&token)
        .create("/incidents", json!({"title": "Slow logins"}))
        .await;
    let declared_id = declared["id"].as_str().unwrap();
    let (status, _) = server
        .as_(&token)
        .post_empty(&format!("/incidents/{declared_id}/acknowledge"))
        .await;
    assert_eq!(status, StatusCode::OK);
    // A one-hour window `days` from now.
    let now = server.clock.now();
    let window = |title: &str, days: i64, selection: Value| {
        let starts = now + Duration::days(days);
        json!({"title": title, "startsAt": starts, "endsAt": starts + Duration::hours(1),
               "selection": selection})
    };
    let windows = [
        window("Database upgrade", 2, json!({"monitorIds": [shop]})),
        window("Far away", 10, json!({"organization": true})),
    ];
    for w in windows {
        server.as_(&token).create("/maintenance-windows", w).await;
    }

    let o = overview(&server, &token).await;
    let m = &o["monitors"];
    assert_eq!(
        (
            &m["total"],
            &m["up"],
            &m["down"],
            &m["paused"],
            &m["degraded"]
        ),
        (&json!(3), &json!(1), &json!(1), &json!(1), &json!(0)),
        "{o:#}"
    );
    assert_eq!(m["maintenance"], 0, "no window in force yet");
    let incidents = &o["incidents"];
    assert_eq!(
        (&incidents["total"], &incidents["unacknowledged"]),
        (&json!(2), &json!(1))
    );
    let items = incidents["items"].as_array().unwrap();
    assert_eq!(items[0]["incidentSourceId"], api, "not acknowledged first");
    assert_eq!(items[1]["id"], declared_id);
    assert!(items[1]["acknowledgedBy"][0]["firstName"].is_string());
    assert!(items[0]["ageSeconds"].as_i64().unwrap() >= 0);

    let changes = &o["changes"];
    assert_eq!(changes["incidentsOpened"], 2);
    assert_eq!(changes["incidentsResolved"], 0);
    let kinds: Vec<&str> = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"incidentOpened") && kinds.contains(&"monitorStatus"),
        "{kinds:?}"
    );
    let upcoming: Vec<&str> = o["maintenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["title"].as_str().unwrap())
        .collect();
    assert_eq!(upcoming, ["Database upgrade"], "within 7 days only");
    assert_eq!(o["health"]["status"], "ok");

    // The window comes into force: its monitor counts as in maintenance.
    server
        .clock
        .advance(Duration::days(2) + Duration::minutes(1));
    let o = overview(&server, &token).await;
    assert_eq!(o["monitors"]["maintenance"], 1);
    assert_eq!(o["maintenance"][0]["inForce"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organization_sees_none_of_it_and_strangers_get_401() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let bob = server.user_with_token("bob@example.com", "Globex");
    server
        .as_(&ada)
        .create("/incidents", json!({"title": "Acme is on fire"}))
        .await;
    create(
        &server,
        &ada,
        json!({"name": "Shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60}),
    )
    .await;
    let o = overview(&server, &bob).await;
    assert_eq!(o["monitors"]["total"], 0);
    assert_eq!(o["incidents"]["total"], 0);
    assert_eq!(o["changes"]["items"], json!([]));
    let (status, body) = server.anonymous().get("/overview").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"]["code"].is_string());
}
