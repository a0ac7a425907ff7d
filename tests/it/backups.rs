//! Scheduled backups (`serve --backup-every`) driven by the manual clock.

use std::path::{Path, PathBuf};

use crate::common::{TestServer, eventually};
use chrono::{DateTime, Duration, Utc};
use dutyduck::backups::Schedule;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;

fn backups_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.starts_with("dutyduck-") && n.ends_with(".db"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn scheduled(dir: PathBuf, keep: usize) -> (TestServer, DateTime<Utc>) {
    let start: DateTime<Utc> = "2026-03-01T02:00:00Z".parse().unwrap();
    let server = TestServer::start_configured(Clock::manual(start), |config| {
        config.backups = Some(Schedule {
            every: std::time::Duration::from_secs(86_400),
            keep,
            dir,
        });
    })
    .await;
    (server, start)
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_backups_follow_the_clock_keep_the_newest_and_show_in_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("backups");
    let (server, start) = scheduled(dir.clone(), 2).await;
    server.create_user("ada@example.com", "Acme", None);

    // None in the folder yet: the first is written at start.
    eventually("the first backup", || async {
        (backups_in(&dir) == ["dutyduck-20260301T020000Z.db"]).then_some(())
    })
    .await;
    for day in 1..=2 {
        server.clock.advance(Duration::days(1));
        let newest = format!("dutyduck-202603{:02}T020000Z.db", day + 1);
        eventually("the next day's backup", || async {
            backups_in(&dir)
                .last()
                .is_some_and(|n| *n == newest)
                .then_some(())
        })
        .await;
    }
    // The oldest goes once the newest is written: wait for the prune, not just the write.
    eventually("pruned to the newest 2", || async {
        (backups_in(&dir)
            == [
                "dutyduck-20260302T020000Z.db",
                "dutyduck-20260303T020000Z.db",
            ])
        .then_some(())
    })
    .await;
    let expected = (start + Duration::days(2)).timestamp();
    eventually("/metrics to show the last backup", || async {
        (server
            .metric("dutyduck_last_backup_timestamp_seconds")
            .await
            == expected as f64)
            .then_some(())
    })
    .await;
    assert_eq!(server.metric("dutyduck_backup_failures_total").await, 0.0);

    // A backup restores like one from `dutyduck backup`.
    let conn = rusqlite::Connection::open(dir.join("dutyduck-20260303T020000Z.db")).unwrap();
    let users: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_backup_is_counted_shown_to_administrators_and_retried() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the folder should be: every attempt fails.
    let dir = tmp.path().join("backups");
    std::fs::write(&dir, "in the way").unwrap();
    let (server, _) = scheduled(dir.clone(), 7).await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let reporter = server.create_token("rita@example.com", &[]);

    eventually("the failure to be counted", || async {
        (server.metric("dutyduck_backup_failures_total").await == 1.0).then_some(())
    })
    .await;
    assert_eq!(
        server
            .metric("dutyduck_last_backup_timestamp_seconds")
            .await,
        0.0
    );
    let (status, body) = server.as_(&admin).get("/backups/status").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["enabled"], true);
    assert_eq!(body["failuresTotal"], 1);
    assert!(body["lastBackupAt"].is_null());
    assert!(
        body["lastError"].as_str().unwrap().contains("backups"),
        "{body}"
    );
    let (status, _) = server.as_(&reporter).get("/backups/status").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // /healthz, hence the watchdog, systemd and outside checkers, hear of it too.
    let (status, health) = server.anonymous().get("/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
    assert_eq!(health["problems"][0]["code"], "backups_failing", "{health}");

    // Retried after 10 minutes; once the folder can be made, the error clears.
    std::fs::remove_file(&dir).unwrap();
    server.clock.advance(Duration::minutes(10));
    let body: Value = eventually("a backup after the retry", || async {
        let (_, body) = server.as_(&admin).get("/backups/status").await;
        body["lastBackupAt"].is_string().then_some(body)
    })
    .await;
    assert!(body["lastError"].is_null(), "{body}");
    assert_eq!(backups_in(&dir).len(), 1);
    let (status, health) = server.anonymous().get("/healthz").await;
    assert_eq!(status, StatusCode::OK, "{health}");
}
