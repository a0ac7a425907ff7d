//! `dutyduck apply` on a data dir: `--dry-run` changes nothing, `--prune` deletes what the
//! document leaves out, a failing document changes nothing and names its line and field, and
//! a running server's data dir is refused with the way to send it the document instead.

use super::{cli_with_env, populate, stdout, yaml_of};
use crate::common::TestServer;

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prune_and_a_failing_document_on_a_stopped_servers_data_dir() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let made = populate(server.as_(&token)).await;
    let exported = yaml_of(server.as_(&token)).await;

    // While the server runs, apply is refused and says how to reach it.
    let refused = cli_with_env(&server.data_dir, &["apply", "-f", "-"], &[], &exported);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("curl -X PUT") && message.contains("URL/config"),
        "{message}"
    );
    server.stop().await;

    // Only the task and the router kept, with a new interval for the router.
    let router_at = exported
        .find(&format!("  - id: {}\n", made.router))
        .unwrap();
    let router_end = exported[router_at..].find("tasks:").unwrap() + router_at;
    let tasks_end = exported.find("maintenanceWindows:").unwrap();
    let kept = format!(
        "version: 1\nmonitors:\n{}{}",
        exported[router_at..router_end].replace("intervalSeconds: 30", "intervalSeconds: 45"),
        &exported[router_end..tasks_end]
    );
    let file = server.data_dir.join("kept.yaml");
    std::fs::write(&file, &kept).unwrap();
    let file = file.to_str().unwrap();

    let dry = stdout(&cli_with_env(
        &server.data_dir,
        &["apply", "-f", file, "--prune", "--dry-run"],
        &[],
        "",
    ));
    assert!(
        dry.contains(&format!(
            "~ update monitors[{}] \"Router\"\n    intervalSeconds: 30 → 45\n",
            made.router
        )),
        "{dry}"
    );
    assert!(
        dry.contains(&format!("- delete monitors[{}] \"API\"", made.api)),
        "{dry}"
    );
    assert!(
        dry.contains(&format!(
            "- delete channels[{}] \"Ops webhook\"",
            made.webhook
        )),
        "{dry}"
    );
    assert!(
        dry.ends_with(
            "Plan: 0 to create, 1 to update, 6 to delete.\nDry run: nothing was changed.\n"
        ),
        "{dry}"
    );
    let unchanged = stdout(&server.cli(&["export"]));
    assert_eq!(unchanged, exported.trim_end().to_owned() + "\n");

    // A bad value deep in the file: nothing applied, the line and field named, exit 1.
    let bad = kept.replace("timezone: Europe/Paris", "timezone: Mars/Olympus");
    let line = bad
        .lines()
        .position(|l| l.contains("Mars/Olympus"))
        .unwrap()
        + 1;
    let failed = cli_with_env(
        &server.data_dir,
        &["apply", "-f", "-", "--prune"],
        &[],
        &bad,
    );
    assert_eq!(failed.status.code(), Some(1));
    let message = String::from_utf8_lossy(&failed.stderr);
    assert!(
        message.starts_with(&format!("error: line {line}: tasks[0].timezone: ")),
        "{message}"
    );
    assert_eq!(
        stdout(&server.cli(&["export"])),
        unchanged,
        "rolled back entirely"
    );

    let pruned = stdout(&cli_with_env(
        &server.data_dir,
        &["apply", "-f", file, "--prune"],
        &[],
        "",
    ));
    assert!(
        pruned.ends_with("Plan: 0 to create, 1 to update, 6 to delete.\nApplied.\n"),
        "{pruned}"
    );
    let after = stdout(&server.cli(&["export", "--format", "json"]));
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["monitors"].as_array().unwrap().len(), 1);
    assert_eq!(after["channels"], serde_json::json!([]));
    assert_eq!(after["tasks"][0]["id"], "nightly-backup");
}
