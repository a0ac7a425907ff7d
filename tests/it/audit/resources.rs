//! Each resource's changes through its own routes, one step at a time: after each, the newest
//! entry says what the step did and names the resource (the created one's new id).

use reqwest::Method;
use serde_json::{Value, json};

use super::{entries, start};
use crate::common::{TestServer, Token};

/// Sends the step and checks the newest entry: its resource type, action and id (`id`, or the
/// created resource's id from the answer when `None`); returns the answer's body.
async fn step(
    server: &TestServer,
    ada: &Token,
    (method, path, body): (Method, &str, Option<Value>),
    (resource, action, id): (&str, &str, Option<&str>),
) -> Value {
    let (status, answer) = server.as_(ada).send(method.clone(), path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    let newest = entries(server, ada, "").await.remove(0);
    assert_eq!(
        (newest["resourceType"].as_str(), newest["action"].as_str()),
        (Some(resource), Some(action)),
        "{method} {path}: {newest}"
    );
    let named = id.or(answer["id"].as_str()).unwrap_or_default();
    assert_eq!(newest["resourceId"], named, "{path}: {newest}");
    answer
}

#[tokio::test(flavor = "multi_thread")]
async fn every_resource_logs_its_creation_change_and_deletion() {
    let (server, ada) = start().await;
    let s = |path: &str| path.to_owned();
    let post = |path: &str, body: Value| (Method::POST, s(path), Some(body));

    let task = step(
        &server,
        &ada,
        (Method::POST, "/tasks", Some(json!({"id": "backup-job"}))),
        ("task", "create", None),
    )
    .await;
    assert_eq!(task["id"], "backup-job");
    let t = "/tasks/backup-job";
    step(
        &server,
        &ada,
        (Method::PATCH, t, Some(json!({"name": "Backup"}))),
        ("task", "update", Some("backup-job")),
    )
    .await;
    step(
        &server,
        &ada,
        (Method::POST, &format!("{t}/badge-key"), None),
        ("badge_key", "create", Some("backup-job")),
    )
    .await;
    step(
        &server,
        &ada,
        (Method::DELETE, &format!("{t}/badge-key"), None),
        ("badge_key", "delete", Some("backup-job")),
    )
    .await;

    let (m, p, b) = post(
        "/notification-channels",
        json!({"name": "Hook", "kind": "webhook",
        "config": {"url": "https://hooks.example.com/x"}}),
    );
    let channel = step(
        &server,
        &ada,
        (m, &p, b),
        ("notification_channel", "create", None),
    )
    .await;
    let c = format!("/notification-channels/{}", channel["id"].as_str().unwrap());
    step(
        &server,
        &ada,
        (Method::PATCH, &c, Some(json!({"name": "Hook 2"}))),
        ("notification_channel", "update", channel["id"].as_str()),
    )
    .await;
    step(
        &server,
        &ada,
        (Method::DELETE, &c, None),
        ("notification_channel", "delete", channel["id"].as_str()),
    )
    .await;

    let (m, p, b) = post(
        "/silences",
        json!({"matchers": {"sourceIds": ["backup-job"]}, "endsAt": "2026-11-21T10:00:00Z"}),
    );
    let silence = step(&server, &ada, (m, &p, b), ("silence", "create", None)).await;
    let sl = format!("/silences/{}", silence["id"].as_str().unwrap());
    step(
        &server,
        &ada,
        (Method::POST, &format!("{sl}/expire"), None),
        ("silence", "expire", silence["id"].as_str()),
    )
    .await;

    let (m, p, b) = post(
        "/maintenance-windows",
        json!({"title": "Upgrade", "startsAt": "2026-11-21T10:00:00Z",
        "endsAt": "2026-11-21T11:00:00Z", "selection": {"taskIds": ["backup-job"]}}),
    );
    let window = step(
        &server,
        &ada,
        (m, &p, b),
        ("maintenance_window", "create", None),
    )
    .await;
    let w = format!("/maintenance-windows/{}", window["id"].as_str().unwrap());
    step(
        &server,
        &ada,
        (Method::DELETE, &w, None),
        ("maintenance_window", "delete", window["id"].as_str()),
    )
    .await;

    let (m, p, b) = post("/status-pages", json!({"slug": "acme", "title": "Acme"}));
    let page = step(&server, &ada, (m, &p, b), ("status_page", "create", None)).await;
    let sp = format!("/status-pages/{}", page["id"].as_str().unwrap());
    step(
        &server,
        &ada,
        (Method::PATCH, &sp, Some(json!({"title": "Acme Inc"}))),
        ("status_page", "update", page["id"].as_str()),
    )
    .await;
    let link = step(
        &server,
        &ada,
        (
            Method::POST,
            &format!("{sp}/share-links"),
            Some(json!({"label": "Customer"})),
        ),
        ("share_link", "create", None),
    )
    .await;
    let secret_url = link["url"].as_str().unwrap().to_owned();
    let l = format!("{sp}/share-links/{}", link["id"].as_str().unwrap());
    step(
        &server,
        &ada,
        (Method::DELETE, &l, None),
        ("share_link", "delete", link["id"].as_str()),
    )
    .await;
    let a = step(&server, &ada, (Method::POST, &format!("{sp}/announcements"),
        Some(json!({"title": "Slow", "impact": "minor", "status": "investigating", "body": "Looking."}))),
        ("announcement", "create", None)).await;
    let an = format!("{sp}/announcements/{}", a["id"].as_str().unwrap());
    let (status, _) = server
        .as_(&ada)
        .post(
            &format!("{an}/updates"),
            json!({"status": "resolved", "body": "Fixed."}),
        )
        .await;
    assert!(status.is_success());
    let newest = entries(&server, &ada, "").await.remove(0);
    assert_eq!(
        (&newest["resourceType"], &newest["action"]),
        (&json!("announcement"), &json!("post_update"))
    );
    step(
        &server,
        &ada,
        (Method::DELETE, &an, None),
        ("announcement", "delete", a["id"].as_str()),
    )
    .await;
    step(
        &server,
        &ada,
        (Method::DELETE, &sp, None),
        ("status_page", "delete", page["id"].as_str()),
    )
    .await;
    step(
        &server,
        &ada,
        (Method::DELETE, t, None),
        ("task", "delete", Some("backup-job")),
    )
    .await;

    // The share link's secret URL is nowhere in the log.
    let secret = secret_url.rsplit('=').next().unwrap();
    let log = serde_json::to_string(&entries(&server, &ada, "").await).unwrap();
    assert!(!log.contains(secret), "the share link's secret in the log");
}

/// A bulk action making one object (a maintenance window, a silence) is one entry with its
/// selection and counts, as a batched one.
#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_action_making_one_object_logs_its_counts() {
    let (server, ada) = start().await;
    let api = || server.as_(&ada);
    let monitor = api()
        .create(
            "/monitors",
            json!({"url": "https://example.com", "isActive": false}),
        )
        .await;
    let unknown = "00000000-0000-7000-8000-000000000000";
    let (status, report) = api()
        .post(
            "/monitors/bulk",
            json!({"ids": [monitor["id"], unknown], "action": "maintenance",
                   "endsAt": "2026-11-20T12:00:00Z"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{report}");
    let entry = entries(&server, &ada, "action=bulk").await.remove(0);
    assert_eq!(entry["resourceType"], "monitor");
    assert_eq!(
        entry["details"],
        json!({"action": "maintenance", "selection": "ids", "matched": 1, "changed": 1,
               "skipped": 0, "notFound": 1})
    );
}
