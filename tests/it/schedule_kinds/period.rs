//! A period task: expected a period after each ping that ends a run, late (an incident) after
//! the grace, absent after the lateness window; `/start` gives the run the grace to end (none
//! left: the end ping is awaited) and does not move the expected time, `/log` does not either, a
//! failure does.

use super::{create, ping, start, task, wait_status};
use crate::common::at;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_period_task_goes_due_late_and_a_ping_resolves_it() {
    let (clock, server, token) = start("2026-11-30T10:00:00Z").await;
    let (created, key) = create(
        &server,
        &token,
        json!({"id": "backup", "periodSeconds": 3600, "startWindowSeconds": 600}),
    )
    .await;
    assert_eq!(created["periodSeconds"], 3600);
    assert_eq!(created["cronSchedule"], json!(null));
    // New: nothing is expected before the first ping (Healthchecks' "new" checks never alert).
    assert_eq!(created["nextDueAt"], json!(null));
    clock.set(at("2026-11-30T12:00:00Z"));
    assert_eq!(task(&server, &token, "backup").await["status"], "healthy");

    ping(&server, &key, "").await;
    let t = task(&server, &token, "backup").await;
    assert_eq!(t["nextDueAt"], "2026-11-30T13:00:00Z");
    let detail = server.as_(&token).get_ok("/tasks/backup").await;
    assert_eq!(detail["scheduleDescription"], "Every 1 hour");
    assert_eq!(detail["nextOccurrences"][1], "2026-11-30T14:00:00Z");

    // A period after the ping: due (the grace runs); after the grace: late, an incident.
    clock.set(at("2026-11-30T13:00:00Z"));
    wait_status(&server, &token, "backup", "due").await;
    assert!(
        server
            .as_(&token)
            .incidents("backup", &["ongoing"])
            .await
            .is_empty()
    );
    clock.set(at("2026-11-30T13:10:00Z"));
    wait_status(&server, &token, "backup", "late").await;
    let open = server.as_(&token).incidents("backup", &["ongoing"]).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["cause"]["kind"], "late");
    assert_eq!(open[0]["cause"]["dueAt"], "2026-11-30T13:00:00Z");

    // The ping comes: healthy, the incident resolved, the next expected a period after it.
    clock.set(at("2026-11-30T13:12:00Z"));
    ping(&server, &key, "").await;
    let t = task(&server, &token, "backup").await;
    assert_eq!(t["status"], "healthy");
    assert_eq!(t["nextDueAt"], "2026-11-30T14:12:00Z");
    assert!(
        server
            .as_(&token)
            .incidents("backup", &["ongoing"])
            .await
            .is_empty()
    );

    // After the lateness window too (240 s by default): absent, and it stays absent.
    clock.set(at("2026-11-30T14:26:00Z"));
    wait_status(&server, &token, "backup", "absent").await;
    clock.set(at("2026-11-30T20:00:00Z"));
    let (status, _) = server.anonymous().get("/healthz").await;
    assert!(status.is_success());
    let t = task(&server, &token, "backup").await;
    assert_eq!(
        (t["status"].as_str(), t["nextDueAt"].as_str()),
        (Some("absent"), Some("2026-11-30T14:12:00Z"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn start_log_and_fail_pings_follow_healthchecks() {
    let (clock, server, token) = start("2026-11-30T10:00:00Z").await;
    let (_, key) = create(
        &server,
        &token,
        json!({"id": "sync", "periodSeconds": 3600, "startWindowSeconds": 600}),
    )
    .await;
    ping(&server, &key, "").await;

    // `/log` is a message, not a ping: the expected time stays.
    clock.set(at("2026-11-30T10:30:00Z"));
    ping(&server, &key, "/log").await;
    assert_eq!(
        task(&server, &token, "sync").await["nextDueAt"],
        "2026-11-30T11:00:00Z"
    );

    // `/start` does not move it either, and the run has the grace to end: not ended 10 min
    // after the start, it is dead, an incident opens.
    clock.set(at("2026-11-30T10:40:00Z"));
    ping(&server, &key, "/start").await;
    let t = task(&server, &token, "sync").await;
    assert_eq!(
        (t["status"].as_str(), t["nextDueAt"].as_str()),
        (Some("running"), Some("2026-11-30T11:00:00Z"))
    );
    clock.set(at("2026-11-30T10:50:00Z"));
    wait_status(&server, &token, "sync", "failing").await;
    let open = server.as_(&token).incidents("sync", &["ongoing"]).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["cause"]["kind"], "dead");

    // A success ping resolves it; a failure ping counts as a ping too (the timer restarts)
    // while the task fails.
    clock.set(at("2026-11-30T10:55:00Z"));
    ping(&server, &key, "").await;
    assert_eq!(task(&server, &token, "sync").await["status"], "healthy");
    assert!(
        server
            .as_(&token)
            .incidents("sync", &["ongoing"])
            .await
            .is_empty()
    );
    clock.set(at("2026-11-30T11:30:00Z"));
    ping(&server, &key, "/fail").await;
    let t = task(&server, &token, "sync").await;
    assert_eq!(
        (t["status"].as_str(), t["nextDueAt"].as_str()),
        (Some("failing"), Some("2026-11-30T12:30:00Z"))
    );

    // Started when already due, the run has what is left of the grace.
    clock.set(at("2026-11-30T12:35:00Z"));
    wait_status(&server, &token, "sync", "due").await;
    ping(&server, &key, "/start").await;
    clock.set(at("2026-11-30T12:40:00Z"));
    wait_status(&server, &token, "sync", "failing").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_started_when_already_late_waits_for_its_end_ping() {
    let (clock, server, token) = start("2026-11-30T10:00:00Z").await;
    let period = json!({"id": "backup", "periodSeconds": 3600, "startWindowSeconds": 600});
    let (_, key) = create(&server, &token, period).await;
    ping(&server, &key, "").await;
    // A marker that goes absent at 11:25: once the timer has seen it, it has also looked at the
    // runs whose deadline passed by then (one pass handles runs first).
    clock.set(at("2026-11-30T11:00:00Z"));
    let marker = json!({"id": "marker", "periodSeconds": 1200, "startWindowSeconds": 60});
    let (_, marker_key) = create(&server, &token, marker).await;
    ping(&server, &marker_key, "").await;

    // 15 min late (the grace ended at 11:10), runitor starts the run with its rid.
    clock.set(at("2026-11-30T11:15:00Z"));
    wait_status(&server, &token, "backup", "absent").await;
    let rid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    ping(&server, &key, &format!("/start?rid={rid}")).await;

    // 20 min later the run still goes on, and its end ping finds it: duration kept, recovered.
    clock.set(at("2026-11-30T11:35:00Z"));
    wait_status(&server, &token, "marker", "absent").await;
    assert_eq!(task(&server, &token, "backup").await["status"], "running");
    ping(&server, &key, &format!("/0?rid={rid}")).await;
    let runs = server.as_(&token).get_ok("/tasks/backup/runs").await;
    let run = &runs["runs"][0];
    assert_eq!(
        (&run["rid"], &run["status"], &run["durationMs"]),
        (&json!(rid), &json!("finished"), &json!(20 * 60_000))
    );
    assert_eq!(task(&server, &token, "backup").await["status"], "healthy");
    let open = server.as_(&token).incidents("backup", &["ongoing"]).await;
    assert!(open.is_empty(), "{open:?}");
}
