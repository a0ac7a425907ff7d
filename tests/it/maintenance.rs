//! Maintenance windows end to end on the manual clock: a recurring window across a DST change,
//! a monitor down through a window (no incident, nothing sent, then its incident right at the
//! end with the window on its timeline), an open incident not reminded during one, a task's
//! deadline passing in one, paused checks, results marked and left out of uptime, and
//! refusals naming their field.

use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::common::target::{Mode, Target};
use crate::common::{TestServer, Token, at, eventually};
use crate::monitors::{create, monitor, tick};
use chrono::{Duration, Utc};
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn window(server: &TestServer, token: &Token, body: Value) -> Value {
    server.as_(token).create("/maintenance-windows", body).await
}

/// The titles of the windows in force now.
async fn active(server: &TestServer, token: &Token) -> Vec<String> {
    server
        .as_(token)
        .items("/maintenance-windows?active=true")
        .await
        .iter()
        .map(|w| w["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn webhook(server: &TestServer, token: &Token) -> HttpReceiver {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    server
        .as_(token)
        .create(
            "/notification-channels",
            json!({"name": "Ops", "kind": "webhook", "config": {"url": hook.url("/hook")}}),
        )
        .await;
    hook
}

async fn events(server: &TestServer, token: &Token, incident: &str) -> Vec<Value> {
    let path = format!("/incidents/{incident}/events?itemsPerPage=200");
    server.as_(token).items(&path).await
}

/// "Sundays 02:00 for 2 h, Europe/Paris": in force from 00:00Z to 02:00Z while Paris is on
/// summer time (the autumn change's Sunday included: its first 02:00 counts), from 01:00Z to
/// 03:00Z once on winter time.
#[tokio::test(flavor = "multi_thread")]
async fn a_recurring_window_follows_paris_time_across_the_end_of_summer_time() {
    let clock = Clock::manual(at("2026-10-24T12:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let w = window(
        &server,
        &token,
        json!({"title": "Sunday upgrades", "cronSchedule": "0 2 * * 0", "timezone": "Europe/Paris",
               "durationMinutes": 120, "selection": {"organization": true}}),
    )
    .await;
    let path = format!(
        "/maintenance-windows/{}/occurrences?count=3",
        w["id"].as_str().unwrap()
    );
    let occurrences = server.as_(&token).get_ok(&path).await;
    let spans: Vec<(&str, &str)> = occurrences["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["startsAt"].as_str().unwrap(),
                o["endsAt"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"),
            ("2026-11-01T01:00:00Z", "2026-11-01T03:00:00Z"),
            ("2026-11-08T01:00:00Z", "2026-11-08T03:00:00Z"),
        ]
    );
    // In force exactly then, on the server's clock.
    let rows = [
        ("2026-10-24T23:59:59Z", false),
        ("2026-10-25T00:00:00Z", true),
        ("2026-10-25T01:59:59Z", true),
        ("2026-10-25T02:00:00Z", false),
        ("2026-11-01T00:30:00Z", false),
        ("2026-11-01T01:00:00Z", true),
        ("2026-11-01T02:59:59Z", true),
        ("2026-11-01T03:00:00Z", false),
    ];
    for (now, in_force) in rows {
        clock.set(at(now));
        let titles = active(&server, &token).await;
        assert_eq!(!titles.is_empty(), in_force, "at {now}: {titles:?}");
    }
}

/// A monitor failing through a window opens no incident and sends nothing; right at the end
/// its incident opens, with the window on its timeline, and the webhook hears of it.
#[tokio::test(flavor = "multi_thread")]
async fn a_monitor_down_through_a_window_opens_its_incident_right_after_it() {
    let clock = Clock::manual(at("2026-12-06T09:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let hook = webhook(&server, &token).await;
    let target = Target::start().await;
    let id = create(
        &server,
        &token,
        json!({"name": "Shop", "url": target.url(), "intervalSeconds": 60,
               "downtimeConfirmationThreshold": 1, "recoveryConfirmationThreshold": 1,
               "metadata": {"team": "web"}}),
    )
    .await;
    tick(&server, &token, &[&id], 5).await;

    let starts = clock.now();
    let ends = starts + Duration::minutes(10);
    let w = window(
        &server,
        &token,
        json!({"title": "Database upgrade", "startsAt": starts, "endsAt": ends,
               "selection": {"tag": "team=web"}}),
    )
    .await;
    assert_eq!(w["active"]["endsAt"], json!(ends));
    let m = monitor(&server, &token, &id).await;
    assert_eq!(m["monitor"]["quiet"]["reason"], "maintenance", "{m}");
    assert_eq!(m["monitor"]["quiet"]["title"], "Database upgrade");
    assert_eq!(m["maintenance"]["title"], "Database upgrade");

    target.set(Mode::Status(500));
    for _ in 0..3 {
        tick(&server, &token, &[&id], 60).await;
        let m = monitor(&server, &token, &id).await;
        assert_eq!(m["monitor"]["status"], "down", "{m}");
        assert!(m["ongoingIncident"].is_null(), "{m}");
    }
    assert!(
        server
            .as_(&token)
            .incidents(&id, &["ongoing", "tobeconfirmed"])
            .await
            .is_empty()
    );

    // The failures are recorded, marked, and left out of uptime.
    let checks = server
        .as_(&token)
        .get_ok(&format!("/monitors/{id}/checks"))
        .await;
    let marks: Vec<&Value> = checks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["inMaintenance"])
        .collect();
    assert_eq!(marks, [true, true, true, false], "{checks}");
    let m = monitor(&server, &token, &id).await;
    assert_eq!(m["uptime"]["last24h"], 100.0, "{m}");
    let stats = server
        .as_(&token)
        .get_ok(&format!("/monitors/{id}/stats?range=24h"))
        .await;
    let in_maintenance: i64 = stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["maintenanceChecks"].as_i64().unwrap())
        .sum();
    assert_eq!(in_maintenance, 3, "{stats}");

    // The end, on the clock: the incident opens then, saying where the monitor was.
    clock.set(ends);
    let incident = eventually("the incident to open", || async {
        let m = monitor(&server, &token, &id).await;
        (!m["ongoingIncident"].is_null()).then(|| m["ongoingIncident"].clone())
    })
    .await;
    assert_eq!(incident["createdAt"], json!(ends), "right at the end");
    assert_eq!(incident["cause"]["lastPing"]["httpCode"], 500);
    let timeline = events(&server, &token, incident["id"].as_str().unwrap()).await;
    let ended = timeline
        .iter()
        .find(|e| e["eventType"] == "maintenanceended")
        .unwrap_or_else(|| panic!("{timeline:?}"));
    assert_eq!(ended["payload"]["title"], "Database upgrade");
    assert_eq!(ended["payload"]["startsAt"], json!(starts));
    assert_eq!(ended["payload"]["endsAt"], json!(ends));
    // The first thing the receiver ever heard is this opening.
    let heard = hook.wait_for(1).await;
    assert_eq!(heard[0].header("x-dutyduck-event"), Some("opened"));
    assert_eq!(heard[0].json()["incident"]["id"], incident["id"]);
    let m = monitor(&server, &token, &id).await;
    assert!(m["monitor"]["quiet"].is_null(), "{m}");
}

/// An incident open before a window is not reminded while the window is in force; reminders
/// resume after it (ended early with "end now").
#[tokio::test(flavor = "multi_thread")]
async fn an_open_incident_is_not_reminded_during_a_window() {
    let clock = Clock::manual(at("2026-11-30T09:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let hook = webhook(&server, &token).await;
    server
        .as_(&token)
        .create("/tasks", json!({"id": "backup", "renotifyMinutes": 5}))
        .await;
    server
        .as_(&token)
        .post("/tasks/backup/start", Value::Null)
        .await;
    let (status, body) = server
        .as_(&token)
        .post(
            "/tasks/backup/finish",
            json!({"status": "failure", "exitCode": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    hook.wait_for(1).await;
    let incident = server.as_(&token).incidents("backup", &["ongoing"]).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let w = window(
        &server,
        &token,
        json!({"title": "Backup host move", "startsAt": "2026-11-30T09:01:00Z",
               "endsAt": "2026-11-30T10:00:00Z", "selection": {"taskIds": ["backup"]}}),
    )
    .await;
    // Two reminder times pass in the window.
    for minutes in [5, 10] {
        clock.set(at("2026-11-30T09:00:00Z") + Duration::minutes(minutes) + Duration::seconds(1));
        let t = server.as_(&token).get_ok("/tasks/backup").await;
        assert_eq!(t["task"]["quiet"]["reason"], "maintenance", "{t}");
    }
    clock.set(at("2026-11-30T09:12:00Z"));
    let path = format!("/maintenance-windows/{}/end", w["id"].as_str().unwrap());
    let (status, ended) = server.as_(&token).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert!(ended["active"].is_null(), "{ended}");
    let (status, again) = server.as_(&token).post_empty(&path).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    // The next reminder, after the window, is the first since the opening.
    clock.set(at("2026-11-30T09:16:00Z"));
    let heard = hook.wait_for(2).await;
    assert_eq!(heard[1].header("x-dutyduck-event"), Some("renotification"));
    let reminders: Vec<Value> = eventually("the reminder on the timeline", || async {
        let sent: Vec<Value> = events(&server, &token, &incident)
            .await
            .into_iter()
            .filter(|e| {
                e["eventType"] == "notification" && e["payload"]["event"] == "renotification"
            })
            .collect();
        (!sent.is_empty()).then_some(sent)
    })
    .await;
    for r in reminders {
        assert!(
            r["createdAt"].as_str().unwrap() >= "2026-11-30T09:12:00",
            "reminded during the window: {r}"
        );
    }
}

/// A scheduled task whose occurrence passes in a window is neither late nor absent, and opens
/// no incident: it waits for its next occurrence.
#[tokio::test(flavor = "multi_thread")]
async fn a_deadline_passing_in_a_window_is_not_counted() {
    let clock = Clock::manual(at("2026-11-30T01:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create(
            "/tasks",
            json!({"id": "nightly", "cronSchedule": "0 2 * * *", "startWindowSeconds": 60,
                   "latenessWindowSeconds": 60}),
        )
        .await;
    window(
        &server,
        &token,
        json!({"title": "Night work", "startsAt": "2026-11-30T01:30:00Z",
               "endsAt": "2026-11-30T03:00:00Z", "selection": {"organization": true}}),
    )
    .await;
    // Due at 02:00, late at 02:01: in the window, the occurrence is let go.
    clock.set(at("2026-11-30T02:00:00Z"));
    eventually("due", || async {
        let t = server.as_(&token).get_ok("/tasks/nightly").await;
        (t["task"]["status"] == "due").then_some(())
    })
    .await;
    clock.set(at("2026-11-30T02:01:00Z"));
    let t = eventually("the next occurrence", || async {
        let t = server.as_(&token).get_ok("/tasks/nightly").await;
        (t["task"]["nextDueAt"] == "2026-12-01T02:00:00Z").then_some(t)
    })
    .await;
    assert_eq!(t["task"]["status"], "healthy", "{t}");
    clock.set(at("2026-11-30T03:00:01Z"));
    let t = server.as_(&token).get_ok("/tasks/nightly").await;
    assert_eq!(t["task"]["status"], "healthy", "{t}");
    assert!(
        server
            .as_(&token)
            .incidents("nightly", &["ongoing"])
            .await
            .is_empty()
    );
}

/// With pauseChecks, a covered monitor is not checked while the window is in force.
#[tokio::test(flavor = "multi_thread")]
async fn paused_checks_are_not_made() {
    let clock = Clock::manual(Utc::now());
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let target = Target::start().await;
    let body = json!({"name": "Shop", "url": target.url(), "intervalSeconds": 60});
    let (paused, checked) = (
        create(&server, &token, body.clone()).await,
        create(
            &server,
            &token,
            json!({"name": "Blog", "url": target.url(), "intervalSeconds": 60}),
        )
        .await,
    );
    tick(&server, &token, &[&paused, &checked], 5).await;
    let before = monitor(&server, &token, &paused).await["monitor"]["lastCheckAt"].clone();
    window(
        &server,
        &token,
        json!({"title": "Freeze", "startsAt": clock.now(), "endsAt": clock.now() + Duration::hours(1),
               "selection": {"monitorIds": [paused]}, "pauseChecks": true}),
    )
    .await;
    // Blog's next check made, Shop's next slot passed without one.
    for _ in 0..2 {
        tick(&server, &token, &[&checked], 60).await;
    }
    let m = monitor(&server, &token, &paused).await;
    assert_eq!(m["monitor"]["lastCheckAt"], before, "{m}");
    assert_eq!(m["maintenance"]["pauseChecks"], true);
}

/// Refusals name their field; another organization's ids are unknown.
#[tokio::test(flavor = "multi_thread")]
async fn refusals_name_the_field() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let other = server.user_with_token("bob@example.com", "Globex");
    let theirs = server
        .as_(&other)
        .create("/tasks", json!({"id": "theirs"}))
        .await;
    assert_eq!(theirs["id"], "theirs");
    let all = json!({"organization": true});
    let rows = [
        (
            json!({"title": "x", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T09:00:00Z", "selection": all}),
            "endsAt",
        ),
        (
            json!({"title": "x", "cronSchedule": "0 2 * * 9", "durationMinutes": 60, "selection": all}),
            "cronSchedule",
        ),
        (
            json!({"title": "x", "cronSchedule": "0 2 * * 0", "timezone": "Europe/Atlantis", "durationMinutes": 60, "selection": all}),
            "timezone",
        ),
        (
            json!({"title": "x", "cronSchedule": "0 2 * * 0", "selection": all}),
            "durationMinutes",
        ),
        (
            json!({"title": "x", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T11:00:00Z", "selection": {}}),
            "selection",
        ),
        (
            json!({"title": "x", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T11:00:00Z", "selection": {"monitorIds": ["0193a3c4-0000-7000-8000-000000000001"]}}),
            "selection.monitorIds",
        ),
        (
            json!({"title": "x", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T11:00:00Z", "selection": {"taskIds": ["theirs"]}}),
            "selection.taskIds",
        ),
    ];
    for (body, field) in rows {
        let (status, error) = server
            .as_(&token)
            .post("/maintenance-windows", body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }
    // Readers of another organization do not see this one's windows.
    let w = window(
        &server,
        &token,
        json!({"title": "Ours", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T11:00:00Z", "selection": all}),
    )
    .await;
    let path = format!("/maintenance-windows/{}", w["id"].as_str().unwrap());
    let (status, _) = server.as_(&other).get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The preview lists what a selection covers.
    server
        .as_(&token)
        .create("/tasks", json!({"id": "backup", "name": "Backup"}))
        .await;
    let (status, preview) = server
        .as_(&token)
        .post(
            "/maintenance-windows/preview",
            json!({"selection": {"taskIds": ["backup"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["tasks"], 1);
    assert_eq!(preview["monitors"], 0);
    assert_eq!(preview["items"][0]["name"], "Backup");

    // A window over a task deleted since can still be edited as it is.
    let body = json!({"title": "Backup disk swap", "startsAt": "2026-12-06T10:00:00Z",
                      "endsAt": "2026-12-06T11:00:00Z", "selection": {"taskIds": ["backup"]}});
    let w = window(&server, &token, body.clone()).await;
    let (status, _) = server.as_(&token).delete("/tasks/backup").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let path = format!("/maintenance-windows/{}", w["id"].as_str().unwrap());
    let mut renamed = body;
    renamed["title"] = json!("Backup disk swap (moved)");
    let (status, edited) = server.as_(&token).put(&path, renamed).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
}

/// A task's run failing in a window opens no incident; when the window is ended early, the
/// task, still failing, opens its incident then, with the window on its timeline.
#[tokio::test(flavor = "multi_thread")]
async fn a_task_failing_in_a_window_opens_its_incident_when_it_is_ended() {
    let clock = Clock::manual(at("2026-11-30T09:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create("/tasks", json!({"id": "export"}))
        .await;
    let w = window(
        &server,
        &token,
        json!({"title": "Warehouse migration", "startsAt": "2026-11-30T08:00:00Z",
               "endsAt": "2026-11-30T12:00:00Z", "selection": {"taskIds": ["export"]}}),
    )
    .await;
    server
        .as_(&token)
        .post("/tasks/export/start", Value::Null)
        .await;
    let (status, body) = server
        .as_(&token)
        .post(
            "/tasks/export/finish",
            json!({"status": "failure", "exitCode": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let t = server.as_(&token).get_ok("/tasks/export").await;
    assert_eq!(t["task"]["status"], "failing", "{t}");
    assert!(
        server
            .as_(&token)
            .incidents("export", &["ongoing"])
            .await
            .is_empty()
    );

    clock.set(at("2026-11-30T09:30:00Z"));
    let path = format!("/maintenance-windows/{}/end", w["id"].as_str().unwrap());
    let (status, ended) = server.as_(&token).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    let incidents = server.as_(&token).incidents("export", &["ongoing"]).await;
    assert_eq!(incidents.len(), 1, "opened in the same write as the end");
    assert_eq!(incidents[0]["cause"]["exitCode"], 2);
    let timeline = events(&server, &token, incidents[0]["id"].as_str().unwrap()).await;
    let ended = timeline
        .iter()
        .find(|e| e["eventType"] == "maintenanceended")
        .unwrap_or_else(|| panic!("{timeline:?}"));
    assert_eq!(ended["payload"]["title"], "Warehouse migration");
    assert_eq!(ended["payload"]["endsAt"], "2026-11-30T09:30:00Z");
}
