//! The SQLite store: restarts, migrations, databases from the future, online backups.

use crate::common::{TestServer, cli};
use chrono::Utc;
use dutyduck::store::{Create, open_migrated};
use reqwest::StatusCode;
use serde_json::json;

fn schema(conn: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn migrations_run_twice_are_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let first = open_migrated(dir.path(), Create::IfMissing).unwrap();
    let (schema_before, history_before): (Vec<String>, i64) = (
        schema(&first),
        first
            .query_row("SELECT COUNT(*) FROM refinery_schema_history", [], |r| {
                r.get(0)
            })
            .unwrap(),
    );
    drop(first);
    let second = open_migrated(dir.path(), Create::IfMissing).unwrap();
    assert_eq!(schema(&second), schema_before);
    let history: i64 = second
        .query_row("SELECT COUNT(*) FROM refinery_schema_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(history, history_before);
    assert!(history >= 1);
    let journal: String = second
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let fks: i64 = second
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fks, 1);
}

#[test]
fn a_database_from_a_newer_binary_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = open_migrated(dir.path(), Create::IfMissing).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (9999, 'future', '2030-01-01', '0')",
            [],
        )
        .unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    let db = dir.path().join("dutyduck.db");
    let before = std::fs::read(&db).unwrap();
    let err = open_migrated(dir.path(), Create::IfMissing).unwrap_err();
    assert_eq!(err.code, "database_too_new");
    assert!(
        err.message.contains("newer dutyduck") && err.message.contains("9999"),
        "{}",
        err.message
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the file must not change"
    );

    // The binary says so and exits non-zero, for serve and admin commands alike.
    for args in [
        vec!["serve", "--listen", "127.0.0.1:0"],
        vec!["user", "list"],
    ] {
        let out = cli(dir.path(), &args, None);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("newer dutyduck"),
            "{args:?}"
        );
    }
}

#[test]
fn admin_commands_do_not_create_a_database_by_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("dutyduk-data");
    let out = cli(&typo, &["token", "list"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data-dir"));
    assert!(!typo.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn data_survives_a_restart() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let expires = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (status, created) = server
        .as_(&token)
        .post(
            "/api-tokens",
            json!({"label": "kept", "expiresAt": expires}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    server.restart().await;
    let (status, list) = server.as_(&token).get("/api-tokens").await;
    assert_eq!(status, StatusCode::OK);
    let labels: Vec<&str> = list["apiTokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"kept"), "{list}");
    // lastUsedAt, kept in memory between flushes, was written at shutdown.
    let used = list["apiTokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == created["id"])
        .unwrap();
    assert!(used["lastUsedAt"].is_null());
    let first = list["apiTokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == token.id.as_str())
        .unwrap();
    assert!(first["lastUsedAt"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_while_serving_yields_a_database_that_holds_the_data() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let expires = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();

    // Writes keep flowing while the backup runs.
    let writer = {
        let (client, base, token, expires) = (
            server.client.clone(),
            server.base.clone(),
            token.clone(),
            expires.clone(),
        );
        tokio::spawn(async move {
            for i in 0..40 {
                let resp = client
                    .post(format!("{base}/api-tokens"))
                    .header("X-Api-Token-Id", &token.id)
                    .header("X-Api-Token-Secret-Key", &token.secret)
                    .json(&json!({"label": format!("t{i}"), "expiresAt": expires}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::CREATED);
            }
        })
    };
    let target = server.data_dir.parent().unwrap().join("backup.db");
    let out = tokio::task::spawn_blocking({
        let (dir, target) = (server.data_dir.clone(), target.clone());
        move || cli(&dir, &["backup", "--to", target.to_str().unwrap()], None)
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    writer.await.unwrap();

    let copy = rusqlite::Connection::open(&target).unwrap();
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let email: String = copy
        .query_row("SELECT email FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(email, "ada@example.com");
    let tokens: i64 = copy
        .query_row("SELECT COUNT(*) FROM api_tokens", [], |r| r.get(0))
        .unwrap();
    assert!((1..=41).contains(&tokens));

    let again = cli(
        &server.data_dir,
        &["backup", "--to", target.to_str().unwrap()],
        None,
    );
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}
