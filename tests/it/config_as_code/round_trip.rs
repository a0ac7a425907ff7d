//! Export → apply on an empty instance → export gives the same document; secrets travel as
//! `${…}` references read from the environment of `dutyduck apply`.

use super::{WEBHOOK_SECRET, cli_with_env, populate, stdout, yaml_of};
use crate::common::TestServer;
use chrono::DateTime;
use dutyduck::clock::Clock;

#[tokio::test(flavor = "multi_thread")]
async fn an_export_applied_to_an_empty_instance_exports_the_same_document() {
    let start = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .to_utc();
    let source = TestServer::start_with_clock(Clock::manual(start)).await;
    let token = source.user_with_token("ada@example.com", "Acme");
    let made = populate(source.as_(&token)).await;

    let response = source
        .as_(&token)
        .request(reqwest::Method::GET, "/config")
        .header("accept", "application/yaml")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/yaml; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"dutyduck.yaml\""
    );
    assert_eq!(
        response.headers()["x-dutyduck-secrets"],
        "CHANNEL_OPS_WEBHOOK_SECRET, CHANNEL_TEAM_CHAT_WEBHOOKURL, TASK_NIGHTLY_BACKUP_PINGKEY"
    );
    let exported = response.text().await.unwrap();
    assert!(!exported.contains(WEBHOOK_SECRET), "{exported}");
    assert!(
        exported.contains("secret: \"${CHANNEL_OPS_WEBHOOK_SECRET}\""),
        "{exported}"
    );
    assert!(
        exported.contains(&format!("  - id: {}\n", made.api))
            && exported.contains("    name: API\n"),
        "{exported}"
    );
    assert!(
        exported.contains(&format!("upstreams:\n      - {}\n", made.router)),
        "{exported}"
    );
    // The CLI exports the same text, offline (also while the server runs).
    let by_cli = stdout(&source.cli(&["export", "--org", "Acme"]));
    assert_eq!(by_cli, exported.trim_end().to_owned() + "\n");

    // An empty instance: one user, nothing else; the server stopped, `apply` writes the data dir.
    let mut target = TestServer::start_with_clock(Clock::manual(start)).await;
    let other = target.user_with_token("grace@example.com", "Beta");
    target.stop().await;
    let secrets = [
        (
            "CHANNEL_OPS_WEBHOOK_SECRET",
            "whsec-from-the-environment-0123",
        ),
        (
            "CHANNEL_TEAM_CHAT_WEBHOOKURL",
            "https://hooks.slack.com/services/T1/B1/YYYY",
        ),
        ("TASK_NIGHTLY_BACKUP_PINGKEY", "nightly-backup-key-0001"),
    ];
    let applied = stdout(&cli_with_env(
        &target.data_dir,
        &["apply", "-f", "-"],
        &secrets,
        &exported,
    ));
    assert!(
        applied.contains(&format!("+ create monitors[{}] \"API\"", made.api)),
        "{applied}"
    );
    assert!(
        applied.contains("+ create tasks[nightly-backup] \"nightly-backup\""),
        "{applied}"
    );
    assert!(
        applied.ends_with("Plan: 8 to create, 0 to update, 0 to delete.\nApplied.\n"),
        "{applied}"
    );

    target.restart().await;
    assert_eq!(yaml_of(target.as_(&other)).await, exported);
    let channel = target
        .as_(&other)
        .get_ok(&format!("/notification-channels/{}", made.webhook))
        .await;
    assert_eq!(
        channel["config"]["secret"],
        "whsec-from-the-environment-0123"
    );

    // Applying it again plans nothing.
    target.stop().await;
    let again = stdout(&cli_with_env(
        &target.data_dir,
        &["apply", "-f", "-"],
        &[],
        &exported,
    ));
    assert_eq!(again, "No changes.\n");
}
