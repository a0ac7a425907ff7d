//! Imported task ids: a hand-made task of the same id is left alone, and a reordered export
//! gives the same ids.

use serde_json::{Value, json};

use super::{fixture, import};
use crate::common::TestServer;

#[tokio::test]
async fn a_hand_made_task_is_left_alone_and_a_reordered_export_keeps_its_ids() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server
        .as_(&token)
        .create(
            "/tasks",
            json!({"id": "nightly-backup", "name": "Mine", "cronSchedule": "0 1 * * *"}),
        )
        .await;
    let checks = fixture("healthchecks/checks.json");
    let out = import(&mut server, &["healthchecks", &checks, "--keep-ping-urls"]).await;
    assert!(
        out.contains("task \"nightly-backup\" exists and was not made by this import"),
        "{out}"
    );
    let mine = server.as_(&token).get_ok("/tasks/nightly-backup").await["task"].clone();
    assert_eq!(
        (mine["name"].as_str(), mine["cronSchedule"].as_str()),
        (Some("Mine"), Some("0 1 * * *"))
    );
    // Its origin id: the slug and the start of the check's UUID.
    let theirs = server
        .as_(&token)
        .get_ok("/tasks/nightly-backup-d28dfaa4")
        .await["task"]
        .clone();
    assert_eq!(theirs["name"], "Nightly backup");
    let ids = |tasks: Vec<Value>| {
        let mut ids: Vec<String> = tasks
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let before = ids(server.as_(&token).items("/tasks?itemsPerPage=50").await);
    assert_eq!(before.len(), 14);

    // The same checks in the opposite order: nothing to change, nothing renamed.
    let mut export: Value =
        serde_json::from_str(&std::fs::read_to_string(&checks).unwrap()).unwrap();
    export["checks"].as_array_mut().unwrap().reverse();
    let reversed = std::env::temp_dir().join(format!("reversed-{}.json", std::process::id()));
    std::fs::write(&reversed, export.to_string()).unwrap();
    let again = import(
        &mut server,
        &[
            "healthchecks",
            reversed.to_str().unwrap(),
            "--keep-ping-urls",
        ],
    )
    .await;
    std::fs::remove_file(&reversed).unwrap();
    assert!(again.contains("No changes."), "{again}");
    assert_eq!(
        ids(server.as_(&token).items("/tasks?itemsPerPage=50").await),
        before
    );
}
