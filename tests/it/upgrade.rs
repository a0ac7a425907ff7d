//! Upgrading keeps everything: the server started on a database made by the previous release
//! (`tests/fixtures/release-v8.sqlite`, see `release-v8.md` beside it) shows the same monitors,
//! tasks, channels, routing, incidents and timelines as that release did
//! (`release-v8.sqlite.json`), and the re-notifications it had planned still happen on time.

use crate::common::{TestServer, Token, eventually};
use chrono::{DateTime, Duration, Utc};
use dutyduck::clock::Clock;
use serde_json::Value;

/// Just after the fixture's last write: nothing it planned is due yet.
fn fixture_time() -> DateTime<Utc> {
    "2026-12-04T17:19:50.015Z".parse().unwrap()
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("../fixtures/release-v8.sqlite.json")).unwrap()
}

async fn start() -> (TestServer, tempfile::TempDir, Token) {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    std::fs::create_dir_all(&data_dir).unwrap();
    std::fs::copy(
        "tests/fixtures/release-v8.sqlite",
        data_dir.join("dutyduck.db"),
    )
    .unwrap();
    let server = TestServer::start_in(data_dir, Clock::manual(fixture_time())).await;
    let token = server.create_token("admin@example.com", &[]);
    (server, tmp, token)
}

#[tokio::test]
async fn what_the_previous_release_stored_reads_the_same() {
    let (server, _tmp, token) = start().await;
    let before = fixture();

    for expected in before["incidents"]["items"].as_array().unwrap() {
        let id = expected["id"].as_str().unwrap();
        let mut incident = expected.clone();
        let events = incident.as_object_mut().unwrap().remove("events").unwrap();
        let detail = server.as_(&token).get_ok(&format!("/incidents/{id}")).await;
        assert_eq!(detail["incident"], incident, "incident {id}");
        let timeline = server
            .as_(&token)
            .get_ok(&format!("/incidents/{id}/events"))
            .await;
        assert_eq!(timeline["items"], events, "timeline of {id}");
    }

    // Monitors read the same, plus the kind every monitor of that release was ("http"), what
    // it checks (its URL), the details of its last check (none for HTTP), and the HTTP settings
    // added since (no credentials, not upside down), and no upstreams (dependencies came later).
    let monitors = server
        .as_(&token)
        .get_ok("/monitors?itemsPerPage=100")
        .await;
    let mut expected = before["monitorsList"]["items"].clone();
    for m in expected.as_array_mut().unwrap() {
        m["kind"] = "http".into();
        m["target"] = m["url"].clone();
        m["lastCheckDetails"] = Value::Null;
        m["auth"] = Value::Null;
        m["upsideDown"] = false.into();
        m["upstreams"] = serde_json::json!([]);
        // Locations came later: checked from this server, the quorum a majority.
        m["locations"] = serde_json::json!(["local"]);
        m["quorum"] = Value::Null;
    }
    assert_eq!(monitors["items"], expected);
    // Its check history too, moved to the compact results layout since.
    let billing = "01a24211-bd1b-7754-a0b0-88684a71a8d8";
    let checks = server
        .as_(&token)
        .get_ok(&format!("/monitors/{billing}/checks"))
        .await;
    assert_eq!(checks["totalNumberOfResults"], 1);
    let check = &checks["items"][0];
    assert_eq!(
        serde_json::json!([
            check["checkedAt"],
            check["ok"],
            check["errorKind"],
            check["error"]
        ]),
        serde_json::json!([
            "2026-12-04T17:19:50.008Z",
            false,
            "connect",
            "connection refused"
        ])
    );
    let tasks = server.as_(&token).get_ok("/tasks?itemsPerPage=100").await;
    let mut expected = before["tasksList"]["items"].clone();
    for t in expected.as_array_mut().unwrap() {
        t["upstreams"] = serde_json::json!([]);
        // Schedules beyond cron came later: a release-v8 task has neither.
        t["periodSeconds"] = Value::Null;
        t["onCalendar"] = Value::Null;
    }
    assert_eq!(tasks["items"], expected);

    let hook = before["channels"]["hook"].as_str().unwrap();
    let channels = server.as_(&token).get_ok("/notification-channels").await;
    let names: Vec<(&str, bool)> = channels["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["enabled"].as_bool().unwrap()))
        .collect();
    assert_eq!(names, [("ops webhook", true), ("spare", false)]);
    let deliveries = server
        .as_(&token)
        .get_ok(&format!("/notification-channels/{hook}/deliveries"))
        .await;
    assert_eq!(deliveries["items"], before["deliveries"]["items"]);
    let settings = server.as_(&token).get_ok("/notification-settings").await;
    assert_eq!(settings["renotifyMinutes"], 60);
}

/// The incidents the hook channel was re-notified about so far.
async fn renotified(server: &TestServer, token: &Token, hook: &str) -> Vec<String> {
    let path = format!("/notification-channels/{hook}/deliveries?itemsPerPage=100");
    let deliveries = server.as_(token).get_ok(&path).await;
    let mut ids: Vec<String> = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event"] == "renotification")
        .map(|d| d["incidentId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[tokio::test]
async fn planned_renotifications_survive_the_upgrade() {
    let (server, _tmp, token) = start().await;
    let before = fixture();
    let hook = before["channels"]["hook"].as_str().unwrap();
    let incident = |title: &str| -> String {
        before["incidents"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == title)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (billing, payment, backup) = (
        incident("Billing API"),
        incident("Payment provider degraded"),
        incident("Nightly backup"),
    );

    // The monitor's incident repeats every 30 minutes (its own setting), planned at 17:49:50.008.
    server
        .clock
        .set("2026-12-04T17:49:50.000Z".parse().unwrap());
    // The worker has run at this time once the deliveries the fixture left pending are retried.
    let pending: Vec<&Value> = before["deliveries"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    eventually("the retries of the pending deliveries", || async {
        let path = format!("/notification-channels/{hook}/deliveries?itemsPerPage=100");
        let deliveries = server.as_(&token).get_ok(&path).await;
        let items = deliveries["items"].as_array().unwrap();
        pending
            .iter()
            .all(|p| {
                items
                    .iter()
                    .any(|d| d["id"] == p["id"] && d["attempts"].as_u64() >= Some(2))
            })
            .then_some(())
    })
    .await;
    assert!(renotified(&server, &token, hook).await.is_empty());

    server.clock.advance(Duration::milliseconds(10));
    let first = eventually("the monitor incident's re-notification", || async {
        let ids = renotified(&server, &token, hook).await;
        (!ids.is_empty()).then_some(ids)
    })
    .await;
    assert_eq!(first, std::slice::from_ref(&billing));

    // The manual one (the organization's 60 minutes) and the task's (its 120 minutes) follow.
    server
        .clock
        .set("2026-12-04T19:19:49.000Z".parse().unwrap());
    let expected = [billing, payment, backup];
    let all = eventually("every planned re-notification", || async {
        let ids = renotified(&server, &token, hook).await;
        expected.iter().all(|e| ids.contains(e)).then_some(ids)
    })
    .await;
    // Not the one resolved before the upgrade.
    assert!(!all.contains(&incident("Short blip")), "{all:?}");
}
