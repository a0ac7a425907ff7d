//! OnCalendar tasks: weekday lines and several lines in the task's time zone, the timeline of a
//! missed occurrence, and daylight saving in Paris (spring) and New York (autumn).

use super::{create, ping, start, task, wait_status};
use crate::common::at;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn weekday_lines_in_a_time_zone_go_due_late_and_a_ping_resolves() {
    // 2026-11-27 is a Friday; Paris is UTC+1 in winter.
    let (clock, server, token) = start("2026-11-27T12:00:00Z").await;
    let (created, key) = create(
        &server,
        &token,
        json!({"id": "report", "onCalendar": "Mon..Fri 09:00\nSat 10:30",
                   "timezone": "Europe/Paris", "startWindowSeconds": 900}),
    )
    .await;
    assert_eq!(created["onCalendar"], "Mon..Fri 09:00\nSat 10:30");
    assert_eq!(created["nextDueAt"], "2026-11-28T09:30:00Z");
    let detail = server.as_(&token).get_ok("/tasks/report").await;
    assert_eq!(
        detail["nextOccurrences"],
        json!([
            "2026-11-28T09:30:00Z",
            "2026-11-30T08:00:00Z",
            "2026-12-01T08:00:00Z",
            "2026-12-02T08:00:00Z",
            "2026-12-03T08:00:00Z"
        ])
    );

    clock.set(at("2026-11-28T09:30:00Z"));
    wait_status(&server, &token, "report", "due").await;
    clock.set(at("2026-11-28T09:45:00Z"));
    wait_status(&server, &token, "report", "late").await;
    let open = server.as_(&token).incidents("report", &["ongoing"]).await;
    assert_eq!(open[0]["cause"]["dueAt"], "2026-11-28T09:30:00Z");

    clock.set(at("2026-11-28T09:50:00Z"));
    ping(&server, &key, "").await;
    let t = task(&server, &token, "report").await;
    assert_eq!(t["status"], "healthy");
    assert_eq!(t["nextDueAt"], "2026-11-30T08:00:00Z");
    assert!(
        server
            .as_(&token)
            .incidents("report", &["ongoing"])
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn daylight_saving_a_skipped_time_runs_after_the_gap_a_repeated_one_once() {
    // Past transitions: the CLI dates tokens by the wall clock, so the manual clock stays
    // before their expiry.
    // Paris springs from 02:00 to 03:00 on 2026-03-29: 02:30 is expected at 03:00 that day.
    let (clock, server, token) = start("2026-03-28T12:00:00Z").await;
    let (paris, paris_key) = create(
        &server,
        &token,
        json!({"id": "paris", "onCalendar": "*-*-* 02:30", "timezone": "Europe/Paris"}),
    )
    .await;
    assert_eq!(paris["nextDueAt"], "2026-03-29T01:00:00Z");
    clock.set(at("2026-03-29T01:00:30Z"));
    wait_status(&server, &token, "paris", "due").await;
    ping(&server, &paris_key, "").await;
    // The day after, 02:30 summer time.
    assert_eq!(
        task(&server, &token, "paris").await["nextDueAt"],
        "2026-03-30T00:30:00Z"
    );

    // New York falls back from 02:00 to 01:00 on 2026-11-01: 01:30 happens twice, the task
    // expects the first only, then a week later (standard time).
    clock.set(at("2026-10-31T00:00:00Z"));
    let (ny, ny_key) = create(
        &server,
        &token,
        json!({"id": "ny", "onCalendar": "Sun 01:30", "timezone": "America/New_York"}),
    )
    .await;
    assert_eq!(ny["nextDueAt"], "2026-11-01T05:30:00Z");
    clock.set(at("2026-11-01T05:31:00Z"));
    wait_status(&server, &token, "ny", "due").await;
    ping(&server, &ny_key, "").await;
    let t = task(&server, &token, "ny").await;
    assert_eq!(
        (t["status"].as_str(), t["nextDueAt"].as_str()),
        (Some("healthy"), Some("2026-11-08T06:30:00Z"))
    );
}
