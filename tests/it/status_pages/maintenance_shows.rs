//! Maintenance on a page: a window in force over a component shows it in maintenance with the
//! window; a window to come shows as scheduled.

use chrono::Duration;
use dutyduck::clock::Clock;
use serde_json::json;

use super::{page, public_json, services, visit};
use crate::common::{TestServer, at};
use crate::monitors::create;

#[tokio::test(flavor = "multi_thread")]
async fn windows_in_force_and_to_come_show_on_the_page() {
    let now = at("2026-12-06T10:00:00Z");
    let server = TestServer::start_with_clock(Clock::manual(now)).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let db = create(
        &server,
        &ada,
        json!({"name": "db", "url": "http://127.0.0.1:9/x"}),
    )
    .await;
    server
        .as_(&ada)
        .create("/tasks", json!({"id": "backup"}))
        .await;
    let window = |title: &str, from: i64, to: i64, selection: serde_json::Value| {
        json!({"title": title, "startsAt": now + Duration::minutes(from), "endsAt": now + Duration::minutes(to),
               "selection": selection})
    };
    server
        .as_(&ada)
        .create(
            "/maintenance-windows",
            window("Database upgrade", -5, 60, json!({"monitorIds": [db]})),
        )
        .await;
    server
        .as_(&ada)
        .create(
            "/maintenance-windows",
            window("Backup move", 120, 180, json!({"taskIds": ["backup"]})),
        )
        .await;
    page(
        &server,
        &ada,
        json!({"slug": "acme", "title": "Acme",
               "groups": services(&[("monitor", &db, "Database"), ("task", "backup", "Backups")])}),
    )
    .await;

    let json = public_json(&server, "acme").await;
    assert_eq!(json["groups"][0]["components"][0]["status"], "maintenance");
    assert_eq!(json["groups"][0]["components"][1]["status"], "up");
    let windows: Vec<(&str, bool)> = json["maintenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["title"].as_str().unwrap(),
                m["inForce"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        [("Database upgrade", true), ("Backup move", false)]
    );
    assert_eq!(json["status"], "maintenance");

    let (_, _, html) = visit(&server, "/status/acme", &[("accept-language", "en")]).await;
    for shown in [
        "Database upgrade",
        "In progress",
        "Backup move",
        "Scheduled",
        "Maintenance in progress",
    ] {
        assert!(html.contains(shown), "no {shown} in {html}");
    }
}
