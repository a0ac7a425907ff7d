//! What the API refuses (one kind at a time, ranges, OnCalendar that never matches), PATCH
//! switching kinds, and the form's preview.

use super::{create, ping, refused, start, task};
use crate::common::at;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn refusals_name_the_field() {
    let (_clock, server, token) = start("2026-11-30T10:00:00Z").await;
    let rows: [(Value, &str, &str); 9] = [
        (
            json!({"cronSchedule": "0 2 * * *", "periodSeconds": 3600}),
            "periodSeconds",
            "one kind",
        ),
        (
            json!({"periodSeconds": 3600, "onCalendar": "daily"}),
            "onCalendar",
            "one kind",
        ),
        (
            json!({"periodSeconds": 59}),
            "periodSeconds",
            "between 60 and 31536000",
        ),
        (
            json!({"periodSeconds": 31_536_001}),
            "periodSeconds",
            "between 60",
        ),
        (json!({"onCalendar": "Mon 25:00"}), "onCalendar", "hour"),
        (
            json!({"onCalendar": "*-02-30"}),
            "onCalendar",
            "never matches",
        ),
        (
            json!({"onCalendar": "daily\n12:00 Mars/Olympus"}),
            "onCalendar",
            "line 2",
        ),
        (
            json!({"onCalendar": "daily", "timezone": "Mars/Olympus"}),
            "timezone",
            "IANA",
        ),
        (
            json!({"periodSeconds": 3600, "startWindowSeconds": 31_536_001}),
            "startWindowSeconds",
            "31536000",
        ),
    ];
    for (i, (mut body, field, fragment)) in rows.into_iter().enumerate() {
        body["id"] = json!(format!("t{i}"));
        let (status, err) = server.as_(&token).post("/tasks", body.clone()).await;
        let message = refused(status, &err);
        assert!(
            message.starts_with(&format!("{field}: ")),
            "{body}: {message}"
        );
        assert!(message.contains(fragment), "{body}: {message}");
    }
    // A year of grace is fine; the preview refuses as a save does.
    server
        .as_(&token)
        .create(
            "/tasks",
            json!({"id": "yearly", "periodSeconds": 31_536_000, "startWindowSeconds": 31_536_000}),
        )
        .await;
    let (status, err) = server
        .as_(&token)
        .post(
            "/tasks/schedule-preview",
            json!({"cronSchedule": "@daily", "onCalendar": "daily"}),
        )
        .await;
    assert!(refused(status, &err).starts_with("onCalendar: "));
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_switches_kinds_cron_period_calendar_ad_hoc() {
    let (clock, server, token) = start("2026-11-30T01:00:00Z").await;
    let (t, key) = create(
        &server,
        &token,
        json!({"id": "job", "cronSchedule": "0 2 * * *"}),
    )
    .await;
    assert_eq!(t["nextDueAt"], "2026-11-30T02:00:00Z");
    let patch = |body: Value| {
        let server = &server;
        let token = &token;
        async move {
            let (status, t) = server.as_(token).patch("/tasks/job", body).await;
            assert!(status.is_success(), "{t}");
            let kinds = (
                t["cronSchedule"].clone(),
                t["periodSeconds"].clone(),
                t["onCalendar"].clone(),
            );
            (kinds, t["nextDueAt"].clone())
        }
    };
    // Never pinged: a period expects nothing yet.
    let (kinds, next) = patch(json!({"periodSeconds": 7200})).await;
    assert_eq!(kinds, (json!(null), json!(7200), json!(null)));
    assert_eq!(next, json!(null));
    ping(&server, &key, "").await;
    assert_eq!(
        task(&server, &token, "job").await["nextDueAt"],
        "2026-11-30T03:00:00Z"
    );
    // Pinged before: a new period counts from the change.
    clock.set(at("2026-11-30T01:30:00Z"));
    let (_, next) = patch(json!({"periodSeconds": 3600})).await;
    assert_eq!(next, "2026-11-30T02:30:00Z");
    let (kinds, next) = patch(json!({"onCalendar": "daily"})).await;
    assert_eq!(kinds, (json!(null), json!(null), json!("daily")));
    assert_eq!(next, "2026-12-01T00:00:00Z");
    let (kinds, next) = patch(json!({"onCalendar": null})).await;
    assert_eq!(kinds, (json!(null), json!(null), json!(null)));
    assert_eq!(next, json!(null));
    let (kinds, next) = patch(json!({"cronSchedule": "30 1 * * *"})).await;
    assert_eq!(kinds, (json!("30 1 * * *"), json!(null), json!(null)));
    assert_eq!(next, "2026-12-01T01:30:00Z");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_preview_shows_the_next_five_of_any_kind_and_changes_nothing() {
    let (_clock, server, token) = start("2026-11-27T12:00:00Z").await;
    let preview = |body: Value| server.as_(&token).post("/tasks/schedule-preview", body);
    let (status, p) =
        preview(json!({"onCalendar": "Sat,Sun 10:00", "timezone": "Europe/Paris"})).await;
    assert!(status.is_success(), "{p}");
    assert_eq!(p["kind"], "onCalendar");
    assert_eq!(p["occurrences"][0], "2026-11-28T09:00:00Z");
    assert_eq!(p["occurrences"][1], "2026-11-29T09:00:00Z");
    assert_eq!(p["occurrences"].as_array().unwrap().len(), 5);
    let (_, p) = preview(json!({"periodSeconds": 5400})).await;
    assert_eq!(
        (p["kind"].as_str(), p["description"].as_str()),
        (Some("period"), Some("Every 90 minutes"))
    );
    assert_eq!(p["occurrences"][1], "2026-11-27T15:00:00Z");
    let (_, p) = preview(json!({"cronSchedule": "0 9 * * 1"})).await;
    assert_eq!(p["kind"], "cron");
    let (_, p) = preview(json!({})).await;
    assert_eq!(
        p,
        json!({"kind": null, "description": null, "occurrences": []})
    );
    assert!(server.as_(&token).items("/tasks").await.is_empty());
}
