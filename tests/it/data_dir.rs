//! The data dir is safe to handle: a stopped server leaves one complete file, backups restore,
//! and the read-only admin commands work on a read-only copy.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TestServer, Token, cli};
use serde_json::json;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

async fn open_incident(server: &TestServer, token: &Token, title: &str) {
    let (status, body) = server
        .as_(token)
        .post("/incidents", json!({"title": title}))
        .await;
    assert!(status.is_success(), "{status} {body}");
}

fn backup(server: &TestServer, to: &Path) {
    let out = server.cli(&["backup", "--to", to.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn restore(data_dir: &Path, from: &Path) -> Output {
    cli(
        data_dir,
        &["restore", "--from", from.to_str().unwrap()],
        None,
    )
}

fn user_list(data_dir: &Path) -> String {
    let out = cli(data_dir, &["user", "list"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_graceful_stop_the_db_file_alone_holds_everything() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    open_incident(&server, &token, "Payments degraded").await;
    server.stop().await;

    let wal = server.data_dir.join("dutyduck.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the write-ahead log is merged at stop"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("dutyduck.db");
    std::fs::copy(server.data_dir.join("dutyduck.db"), &copy).unwrap();
    assert_eq!(count(&copy, "SELECT COUNT(*) FROM users"), 1);
    assert_eq!(
        count(
            &copy,
            "SELECT COUNT(*) FROM incidents WHERE title = 'Payments degraded'"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restores_over_later_changes_keeping_the_replaced_file() {
    let mut server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("before-bob.db");
    backup(&server, &copy);
    server.create_user("bob@example.com", "Acme", None);

    let refused = restore(&server.data_dir, &copy);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("stop it first"),
        "{}",
        stderr(&refused)
    );
    assert!(user_list(&server.data_dir).contains("bob@example.com"));

    server.stop().await;
    let out = restore(&server.data_dir, &copy);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("previous database was kept as"), "{said}");
    let users = user_list(&server.data_dir);
    assert!(users.contains("ada@example.com") && !users.contains("bob@example.com"));
    let aside = kept_aside(&server.data_dir);
    assert!(said.contains(aside.to_str().unwrap()), "{said}");
    assert_eq!(
        count(
            &aside,
            "SELECT COUNT(*) FROM users WHERE email = 'bob@example.com'"
        ),
        1
    );

    // The restored database serves.
    server.restart().await;
    assert!(!server.session_cookie("ada@example.com").await.is_empty());
}

fn kept_aside(data_dir: &Path) -> PathBuf {
    let mut found = std::fs::read_dir(data_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("dutyduck.db.before-restore-")
        })
        .collect::<Vec<_>>();
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_refuses_newer_schemas_and_foreign_files_and_changes_nothing() {
    let mut server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let tmp = tempfile::tempdir().unwrap();
    let newer = tmp.path().join("newer.db");
    backup(&server, &newer);
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (9999, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    let text = tmp.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, but long enough to have a header",
    )
    .unwrap();
    let other = tmp.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    server.stop().await;

    for (file, says) in [
        (&newer, "newer dutyduck"),
        (&text, "not a dutyduck database"),
        (&other, "not a dutyduck database"),
    ] {
        let out = restore(&server.data_dir, file);
        assert!(!out.status.success(), "{file:?} restored");
        assert!(stderr(&out).contains(says), "{file:?}: {}", stderr(&out));
    }
    assert!(user_list(&server.data_dir).contains("ada@example.com"));
    let names: Vec<_> = std::fs::read_dir(&server.data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("before-restore") || n.contains("restoring")),
        "{names:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_brings_an_older_backup_up_to_the_current_schema() {
    let mut server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    server.stop().await;
    // A backup the previous release wrote (schema version 8; see tests/fixtures/release-v8.md).
    let tmp = tempfile::tempdir().unwrap();
    let older = tmp.path().join("older.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-v8.sqlite"),
        &older,
    )
    .unwrap();
    // The newest migration this build carries: `migrations/V<n>__….sql`.
    let latest = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_prefix('V')?
                .split("__")
                .next()?
                .parse::<i64>()
                .ok()
        })
        .max()
        .unwrap();

    let out = restore(&server.data_dir, &older);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("from version 8 to {latest}")),
        "{}",
        stdout(&out)
    );
    let db = server.data_dir.join("dutyduck.db");
    assert_eq!(
        count(&db, "SELECT MAX(version) FROM refinery_schema_history"),
        latest
    );
    // What the release stored is there, in the current shape.
    assert!(user_list(&server.data_dir).contains("admin@example.com"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM monitors"), 3);
}

/// A read-only view of a directory (a bind mount remounted read-only), which even root cannot
/// write through. Unmounted on drop.
struct ReadOnlyView {
    dir: tempfile::TempDir,
}

impl ReadOnlyView {
    fn of(source: &Path) -> ReadOnlyView {
        let dir = tempfile::tempdir().unwrap();
        mount(&["--bind", source.to_str().unwrap()], dir.path());
        let view = ReadOnlyView { dir };
        // A bind mount takes the source's flags; read-only needs a second step.
        mount(&["-o", "remount,ro,bind"], view.dir.path());
        view
    }
}

fn mount(args: &[&str], target: &Path) {
    let status = std::process::Command::new("mount")
        .args(args)
        .arg(target)
        .status()
        .expect("mount runs");
    assert!(
        status.success(),
        "this test bind-mounts a read-only view: run the tests as root"
    );
}

impl Drop for ReadOnlyView {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_commands_work_on_a_read_only_data_dir() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server.stop().await;
    let view = ReadOnlyView::of(&server.data_dir);

    assert!(user_list(view.dir.path()).contains("ada@example.com"));
    let out = cli(view.dir.path(), &["token", "list"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&token.id), "{}", stdout(&out));
}
