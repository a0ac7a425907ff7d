//! The sample Healthchecks exports imported with their ping URLs kept.

use reqwest::{Method, StatusCode};

use super::{fixture, import};
use crate::common::TestServer;

#[tokio::test]
async fn checks_become_tasks_and_their_ping_urls_keep_working() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let (checks, channels) = (
        fixture("healthchecks/checks.json"),
        fixture("healthchecks/channels.json"),
    );
    let args = [
        "healthchecks",
        &checks,
        "--channels",
        &channels,
        "--keep-ping-urls",
    ];

    let dry = import(&mut server, &[&args[..], &["--dry-run"]].concat()).await;
    assert!(dry.contains("Plan: 13 to create"), "{dry}");
    assert_eq!(
        server
            .as_(&token)
            .items("/tasks?itemsPerPage=50")
            .await
            .len(),
        0
    );

    let out = import(&mut server, &args).await;
    for expected in [
        "task: 13 imported",
        "channel: 0 imported, 0 mapped approximately, 3 skipped",
    ] {
        assert!(out.contains(expected), "{expected:?} missing from\n{out}");
    }
    let tasks = server.as_(&token).items("/tasks?itemsPerPage=50").await;
    assert_eq!(tasks.len(), 13);
    let backup = server.as_(&token).get_ok("/tasks/nightly-backup").await["task"].clone();
    assert_eq!(
        (
            backup["periodSeconds"].as_i64(),
            backup["startWindowSeconds"].as_i64()
        ),
        (Some(86_400), Some(3600))
    );
    assert_eq!(
        server.as_(&token).get_ok("/tasks/db-dump").await["task"]["cronSchedule"],
        "0 3 * * *"
    );

    // As the check's scripts wrote it (Healthchecks shows UUIDs lowercase; any case works).
    let resp = server
        .request(Method::GET, "/ping/D28DFAA4-55C5-41A2-81A8-81EC223C82C9")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let runs = server
        .as_(&token)
        .get_ok("/tasks/nightly-backup/runs")
        .await["runs"]
        .clone();
    assert_eq!(runs[0]["status"], "finished");

    let again = import(&mut server, &args).await;
    assert!(again.contains("No changes."), "{again}");
}
