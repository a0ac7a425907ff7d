//! A database built from Uptime Kuma's schema with rows it would hardly write (types dutyduck
//! lacks, broken JSON, missing fields, unmappable notifications): through the binary, every
//! row is in the report, and what the report calls imported applies as one document.

use super::{fixture, import};
use crate::common::TestServer;

const ROWS: &str = "
    INSERT INTO user (id, username) VALUES (1, 'admin');
    INSERT INTO monitor (id, name, type) VALUES (1, 'container', 'docker'), (2, 'broker', 'mqtt');
    INSERT INTO monitor (id, name, type, url, headers, accepted_statuscodes_json, method, maxretries, interval)
      VALUES (3, 'garbage', 'http', 'https://example.com', '{not json', '[\"200-2x\"]', 'BREW', 40, 2);
    INSERT INTO monitor (id, name, type, url) VALUES (4, 'no host', 'http', 'https://');
    INSERT INTO monitor (id, name, type) VALUES (5, 'no port', 'port');
    INSERT INTO monitor (id, name, type, hostname, port, active) VALUES (6, 'paused ssh', 'port', 'db.test', 22, 0);
    INSERT INTO monitor (id, name, type, push_token, interval) VALUES (7, 'bad token', 'push', 'a b', 60);
    INSERT INTO notification (id, name, user_id, config) VALUES
      (1, 'Line', 1, '{\"type\":\"line\"}'), (2, 'Broken', 1, '{oops'), (3, 'Hook', 1, NULL);
    INSERT INTO monitor_notification (monitor_id, notification_id) VALUES (3, 1), (6, 2);
";

#[tokio::test]
async fn every_row_is_reported_and_what_is_imported_applies() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kuma.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let schema = std::fs::read_to_string(fixture("uptime-kuma/schema.sql")).unwrap();
    conn.execute_batch(&schema.replace("CREATE TABLE sqlite_sequence(name,seq);", ""))
        .unwrap();
    conn.execute_batch(ROWS).unwrap();
    drop(conn);

    let out = import(&mut server, &["uptime-kuma", path.to_str().unwrap()]).await;
    for expected in [
        "monitor: 2 imported, 7 mapped approximately, 4 skipped",
        "task: 0 imported, 0 mapped approximately, 1 skipped",
        "channel: 0 imported, 0 mapped approximately, 3 skipped",
        "dutyduck has no \"docker\" check",
        "interval 2 s → 5 s",
        "40 retries → down after 10 failed checks",
        "pingKey",
        "Plan: 2 to create, 0 to update, 0 to delete.",
    ] {
        assert!(out.contains(expected), "{expected:?} missing from\n{out}");
    }
    let monitors = server.as_(&token).items("/monitors?itemsPerPage=50").await;
    let paused = monitors.iter().find(|m| m["name"] == "paused ssh").unwrap();
    assert_eq!(paused["status"], "inactive");
}
