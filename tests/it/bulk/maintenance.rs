//! `POST /monitors/bulk` and `POST /tasks/bulk` action `maintenance`: one one-off window from
//! now over the selection, by the rules of `POST /maintenance-windows`, in force at once.

use chrono::{Duration, Utc};
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{counts, people, refused};
use crate::common::{TestServer, Token};
use crate::monitors::{create, monitor};

fn paused(name: &str) -> Value {
    json!({"name": name, "url": "http://127.0.0.1:9/", "isActive": false})
}

fn nine() -> chrono::DateTime<Utc> {
    "2026-11-30T09:00:00Z".parse().unwrap()
}

fn iso(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn window(server: &TestServer, token: &Token, report: &Value) -> Value {
    let id = report["windowId"].as_str().expect("a window id");
    server
        .as_(token)
        .get_ok(&format!("/maintenance-windows/{id}"))
        .await
}

#[tokio::test]
async fn selected_monitors_go_into_one_window_from_now_and_are_quiet() {
    let now = nine();
    let server = TestServer::start_with_clock(Clock::manual(now)).await;
    let (token, reporter, rival) = people(&server);
    let mut ids = Vec::new();
    for name in ["web", "api", "old", "other"] {
        ids.push(create(&server, &token, paused(name)).await);
    }
    let theirs = create(&server, &rival, paused("theirs")).await;
    let api = || server.as_(&token);
    api()
        .post(
            "/monitors/bulk",
            json!({"ids": [ids[2]], "action": "archive"}),
        )
        .await;
    let ends = iso(now + Duration::hours(1));
    let body = json!({"ids": [ids[0], ids[1], ids[2], theirs], "action": "maintenance",
                      "endsAt": ends});

    let (status, _) = server
        .as_(&reporter)
        .post("/monitors/bulk", body.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, report) = api().post("/monitors/bulk", body).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (3, 2, 1));
    assert_eq!(report["skippedBy"][0]["reason"], "archived");
    assert_eq!(report["notFound"], json!([theirs]));
    let w = window(&server, &token, &report).await;
    assert_eq!(w["title"], "Maintenance");
    assert_eq!(w["startsAt"].as_str().unwrap(), iso(now));
    assert_eq!(w["endsAt"].as_str().unwrap(), ends);
    assert_eq!(w["pauseChecks"], false);
    let mut named: Vec<String> =
        serde_json::from_value(w["selection"]["monitorIds"].clone()).unwrap();
    named.sort();
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(named, expected);
    assert!(w["active"].is_object(), "in force now: {w}");
    for (id, quiet) in [(&ids[0], true), (&ids[1], true), (&ids[3], false)] {
        let m = monitor(&server, &token, id).await;
        assert_eq!(
            m["monitor"]["quiet"]["reason"] == "maintenance",
            quiet,
            "{m}"
        );
    }

    // By filter, with a title and paused checks: only "other" matches.
    let (status, report) = api()
        .post(
            "/monitors/bulk",
            json!({"filter": {"query": "other"}, "action": "maintenance",
                   "endsAt": iso(now + Duration::hours(4)), "title": "Router swap",
                   "pauseChecks": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 1, 0));
    let w = window(&server, &token, &report).await;
    assert_eq!(
        (&w["title"], &w["pauseChecks"]),
        (&json!("Router swap"), &json!(true))
    );
    assert_eq!(w["selection"]["monitorIds"], json!([ids[3]]));
    let m = monitor(&server, &token, &ids[3]).await;
    assert_eq!(m["monitor"]["quiet"]["title"], "Router swap", "{m}");

    // When it ends, the monitors are quiet no more.
    server.clock.advance(Duration::hours(5));
    let m = monitor(&server, &token, &ids[0]).await;
    assert!(m["monitor"]["quiet"].is_null(), "{m}");
}

#[tokio::test]
async fn maintenance_in_bulk_is_refused_naming_the_field() {
    let now = nine();
    let server = TestServer::start_with_clock(Clock::manual(now)).await;
    let token = server.user_with_token("ann@example.com", "Acme");
    let id = create(&server, &token, paused("web")).await;
    let soon = iso(now + Duration::hours(1));
    let many: Vec<String> = (0..101)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}"))
        .collect();
    let cases = vec![
        (json!({"ids": [id], "action": "maintenance"}), "endsAt"),
        (
            json!({"ids": [id], "action": "maintenance", "endsAt": iso(now - Duration::hours(1))}),
            "endsAt",
        ),
        (
            json!({"ids": [id], "action": "maintenance", "endsAt": iso(now + Duration::days(400))}),
            "endsAt",
        ),
        (
            json!({"ids": [id], "action": "maintenance", "endsAt": soon, "title": " "}),
            "title",
        ),
        (
            json!({"ids": [id], "action": "pause", "endsAt": soon}),
            "endsAt",
        ),
        (
            json!({"ids": [id], "action": "pause", "title": "x"}),
            "title",
        ),
        (
            json!({"ids": [id], "action": "delete", "pauseChecks": true}),
            "pauseChecks",
        ),
        (
            json!({"ids": many, "action": "maintenance", "endsAt": soon}),
            "ids",
        ),
    ];
    refused(&server, &token, "/monitors/bulk", cases).await;
    let windows = server.as_(&token).get_ok("/maintenance-windows").await;
    assert_eq!(windows["items"], json!([]), "nothing made by a refusal");

    // A filter wider than a window names is refused, saying to use a tag.
    for i in 0..100 {
        create(&server, &token, paused(&format!("m{i}"))).await;
    }
    let body = json!({"filter": {}, "action": "maintenance", "endsAt": soon});
    let (status, answer) = server.as_(&token).post("/monitors/bulk", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("filter") && message.contains("tag"),
        "{message}"
    );
}

#[tokio::test]
async fn selected_tasks_go_into_one_window_and_are_quiet() {
    let now = nine();
    let server = TestServer::start_with_clock(Clock::manual(now)).await;
    let (token, reporter, _) = people(&server);
    let api = || server.as_(&token);
    for id in ["backup", "sync", "report"] {
        api().create("/tasks", json!({"id": id})).await;
    }
    let soon = iso(now + Duration::hours(1));
    let body = json!({"ids": ["backup", "nope"], "action": "maintenance", "endsAt": soon});
    let (status, _) = server
        .as_(&reporter)
        .post("/tasks/bulk", body.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, report) = api().post("/tasks/bulk", body).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 1, 0));
    assert_eq!(report["notFound"], json!(["nope"]));
    let w = window(&server, &token, &report).await;
    assert_eq!(w["selection"]["taskIds"], json!(["backup"]));
    let task = |id: &'static str| async move { api().get_ok(&format!("/tasks/{id}")).await };
    assert_eq!(
        task("backup").await["task"]["quiet"]["reason"],
        "maintenance"
    );
    assert!(task("sync").await["task"]["quiet"].is_null());

    let (status, report) = api()
        .post(
            "/tasks/bulk",
            json!({"filter": {"searchQuery": "sync"}, "action": "maintenance", "endsAt": soon,
                   "title": "Sync move"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), (1, 1, 0));
    assert_eq!(task("sync").await["task"]["quiet"]["title"], "Sync move");
    assert!(task("report").await["task"]["quiet"].is_null());

    let cases = vec![
        (
            json!({"ids": ["backup"], "action": "maintenance"}),
            "endsAt",
        ),
        (
            json!({"ids": ["backup"], "action": "delete", "endsAt": soon}),
            "endsAt",
        ),
    ];
    refused(&server, &token, "/tasks/bulk", cases).await;
}
