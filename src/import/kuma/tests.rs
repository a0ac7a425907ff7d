//! The Uptime Kuma mapping on the sample database a real Uptime Kuma 2.5 wrote, and on
//! databases built here from its schema with rows it would not write itself.

use std::path::PathBuf;

use rusqlite::Connection;
use serde_json::Value;

use super::model::{self, Kuma};
use crate::ids::OrgId;
use crate::import::{Entity, Imported};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/imports/uptime-kuma")
        .join(name)
}

pub(super) fn now() -> crate::clock::Timestamp {
    "2026-12-02T10:00:00Z".parse().unwrap()
}

pub(super) fn org() -> OrgId {
    OrgId(uuid::Uuid::nil())
}

fn sample() -> Imported {
    super::import(&fixture("sample.db"), org(), now()).unwrap()
}

fn by_name<'a>(doc: &'a Value, list: &str, name: &str) -> &'a Value {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name || e["title"] == name)
        .unwrap()
}

/// A database with the sample's schema and only the rows `sql` adds.
pub(super) fn built(sql: &str) -> Kuma {
    let conn = Connection::open_in_memory().unwrap();
    let schema = std::fs::read_to_string(fixture("schema.sql")).unwrap();
    // SQLite makes this table itself and refuses to be told to.
    let schema = schema.replace("CREATE TABLE sqlite_sequence(name,seq);", "");
    conn.execute_batch(&schema).unwrap();
    conn.execute_batch(sql).unwrap();
    model::read(&conn).unwrap()
}

#[test]
fn the_sample_brings_what_its_notes_list() {
    let Imported {
        document: doc,
        report,
    } = sample();
    // 15 monitors: the group is a tag, the push monitor a task, the 13 others monitors.
    assert_eq!(report.counts(Entity::Monitor).0, 13, "{report}");
    assert_eq!(report.counts(Entity::Task), (1, 0, 0), "{report}");
    assert_eq!(report.counts(Entity::Tag).0, 1);
    assert_eq!(report.counts(Entity::Channel).0, 3);
    assert_eq!(report.counts(Entity::MaintenanceWindow).0, 2);
    assert_eq!(report.counts(Entity::StatusPage).0, 1);
    assert_eq!(
        report.skipped.len(),
        1,
        "only the pinned incident: {report}"
    );
    assert_eq!(doc["monitors"].as_array().unwrap().len(), 13);

    let api = by_name(&doc, "monitors", "Storefront API (basic auth)");
    assert_eq!(api["auth"]["username"], "monitor");
    assert_eq!(api["acceptedStatusCodes"], "200-299,304");
    assert_eq!(api["requestHeaders"]["X-Request-Source"], "uptime-kuma");
    assert_eq!(api["downtimeConfirmationThreshold"], 3);
    assert_eq!(api["requestTimeoutMs"], 8000);
    assert_eq!(api["metadata"]["env"], "production");
    assert_eq!(api["metadata"]["group"], "Web tier");
    assert_eq!(api["notificationChannels"].as_array().unwrap().len(), 2);
    let post = by_name(&doc, "monitors", "Orders POST");
    assert_eq!(
        (
            post["method"].as_str(),
            post["acceptedStatusCodes"].as_str()
        ),
        (Some("POST"), Some("201"))
    );
    assert!(post["requestBody"].as_str().unwrap().contains("ABC-123"));
    assert_eq!(
        by_name(&doc, "monitors", "Self-signed HTTPS (ignore TLS)")["verifyTls"],
        false
    );
    assert_eq!(
        by_name(
            &doc,
            "monitors",
            "Maintenance page must stay 503 (upside down)"
        )["upsideDown"],
        true
    );
    let inverted = by_name(&doc, "monitors", "Error page must not say ERROR");
    assert_eq!(inverted["assertion"]["kind"], "bodyNotContains");
    let json = by_name(&doc, "monitors", "Status JSON");
    assert_eq!(
        json["assertion"],
        serde_json::json!({"kind": "jsonPointer", "pointer": "/status", "value": "ok"})
    );
    assert_eq!(
        by_name(&doc, "monitors", "Postgres port (closed)")["port"],
        59999
    );
    assert_eq!(by_name(&doc, "monitors", "Loopback ping")["kind"], "icmp");
    let mx = by_name(&doc, "monitors", "DNS MX fixtures.test");
    assert_eq!(
        (mx["recordType"].as_str(), mx["resolver"].as_str()),
        (Some("MX"), Some("127.0.0.1:5353"))
    );

    let push = &doc["tasks"][0];
    assert_eq!(push["id"], "nightly-cron-push");
    assert_eq!(push["pingKey"], "g9xGGJ5NGBNInGUDNOWWFTIoWYmhLYCd");
    assert_eq!(push["periodSeconds"], 60);

    let weekly = by_name(&doc, "maintenanceWindows", "Weekly patch window");
    assert_eq!(weekly["cronSchedule"], "0 2 * * 2,4");
    assert_eq!(
        (
            weekly["durationMinutes"].as_i64(),
            weekly["timezone"].as_str()
        ),
        (Some(90), Some("Europe/Berlin"))
    );
    // Monitors 2 and 3, and the status page's 7 others.
    assert_eq!(
        weekly["selection"]["monitorIds"].as_array().unwrap().len(),
        8
    );
    let manual = by_name(&doc, "maintenanceWindows", "Ping host migration");
    assert_eq!(manual["startsAt"], "2026-12-02T00:00:00Z");

    let page = &doc["statusPages"][0];
    assert_eq!(
        (page["slug"].as_str(), page["theme"].as_str()),
        (Some("acme"), Some("light"))
    );
    let groups: Vec<(String, usize)> = page["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_owned(),
                g["components"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [("Web".to_owned(), 3), ("Infrastructure".to_owned(), 4)]
    );
    let text = report.to_string();
    assert!(text.contains("custom CSS not kept"), "{text}");
    assert!(text.contains("custom body template dropped"), "{text}");
}

#[test]
fn the_same_database_maps_to_the_same_document() {
    assert_eq!(sample().document, sample().document);
}

#[test]
fn every_type_unknown_or_broken_is_reported_never_dropped() {
    let kinds = [
        "docker",
        "mqtt",
        "real-browser",
        "grpc-keyword",
        "steam",
        "kafka-producer",
        "snmp",
        "smtp",
    ];
    let mut sql = String::new();
    for (i, kind) in kinds.iter().enumerate() {
        sql += &format!(
            "INSERT INTO monitor (id, name, type) VALUES ({}, '{kind} one', '{kind}');\n",
            i + 1
        );
    }
    sql += "INSERT INTO monitor (id, name, type, url, headers, accepted_statuscodes_json, method)
              VALUES (20, 'garbage', 'http', 'https://example.com', '{not json', '[\"200-2x\"]', 'BREW');
            INSERT INTO monitor (id, name, type, url) VALUES (21, 'no url host', 'http', 'https://');
            INSERT INTO monitor (id, name, type) VALUES (22, 'port without port', 'port');
            INSERT INTO monitor (id, name, type, hostname, dns_resolve_type) VALUES (23, 'ptr', 'dns', 'x.test', 'PTR');
            INSERT INTO monitor (id, name, type, url, json_path, expected_value, json_path_operator)
              VALUES (24, 'jsonata', 'json-query', 'https://example.com', '$count(items)', '3', '>');
            INSERT INTO user (id, username) VALUES (1, 'admin');
            INSERT INTO notification (id, name, user_id, config) VALUES (1, 'Line', 1, '{\"type\":\"line\"}');
            INSERT INTO notification (id, name, user_id, config) VALUES (2, 'Broken', 1, '{oops');
            INSERT INTO notification (id, name, user_id, config) VALUES (3, 'Empty slack', 1, '{\"type\":\"slack\"}');
            INSERT INTO monitor_notification (monitor_id, notification_id) VALUES (20, 1);";
    let imported = super::map(&built(&sql), org(), now());
    let report = imported.report;
    assert_eq!(report.counts(Entity::Monitor), (2, 5, 11), "{report}");
    assert_eq!(report.counts(Entity::Channel), (0, 0, 3), "{report}");
    let text = report.to_string();
    for expected in [
        "dutyduck has no \"docker\" check",
        "its headers are not a JSON object",
        "accepted codes \"200-2x\" unreadable",
        "method BREW",
        "\"no url host\": http monitor: url:",
        "it has no port",
        "do not query PTR records",
        "no body assertion",
        "dutyduck has no \"line\" channel",
        "config is not JSON",
        "notification \"Line\" not brought",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
}

#[test]
fn a_1_23_schema_without_the_2_x_columns_reads_with_defaults() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE monitor (id INTEGER PRIMARY KEY, name VARCHAR(150), active BOOLEAN DEFAULT 1,
           interval INTEGER DEFAULT 20, url TEXT, type VARCHAR(20), maxretries INTEGER DEFAULT 0,
           keyword VARCHAR(255), hostname VARCHAR(255), port INTEGER, retry_interval INTEGER);
         CREATE TABLE notification (id INTEGER PRIMARY KEY, name VARCHAR(255), config TEXT,
           active BOOLEAN DEFAULT 1);
         INSERT INTO monitor (id, name, type, url, keyword, maxretries)
           VALUES (1, 'old keyword', 'keyword', 'https://example.com', 'Welcome', 1);
         INSERT INTO monitor (id, name, type, hostname, port) VALUES (2, 'ssh', 'port', 'db.test', 22);",
    )
    .unwrap();
    let imported = super::map(&model::read(&conn).unwrap(), org(), now());
    assert_eq!(
        imported.report.counts(Entity::Monitor),
        (2, 0, 0),
        "{}",
        imported.report
    );
    let keyword = by_name(&imported.document, "monitors", "old keyword");
    assert_eq!(keyword["assertion"]["value"], "Welcome");
    assert_eq!(keyword["intervalSeconds"], 20);
    assert_eq!(
        keyword["requestTimeoutMs"], 16_000,
        "Uptime Kuma's default: 80 % of the interval"
    );
    assert_eq!(imported.document["statusPages"], serde_json::json!([]));
}

#[test]
fn recurring_maintenance_without_a_stored_cron_is_built_from_its_days() {
    let kuma = built(
        "INSERT INTO monitor (id, name, type, hostname, port) VALUES (1, 'db', 'port', 'db.test', 5432);
         INSERT INTO maintenance (id, title, description, strategy, start_time, end_time, days_of_month, timezone)
           VALUES (1, 'monthly', '', 'recurring-day-of-month', '23:30', '00:30', '[1,15,\"lastDay1\"]', 'UTC');
         INSERT INTO maintenance (id, title, description, strategy, start_date, end_date, timezone)
           VALUES (2, 'long gone', '', 'single', '2020-01-01 00:00', '2020-01-02 00:00', 'UTC');
         INSERT INTO maintenance (id, title, description, strategy, active) VALUES (3, 'off', '', 'manual', 0);
         INSERT INTO monitor_maintenance (monitor_id, maintenance_id) VALUES (1, 1), (1, 2), (1, 3);",
    );
    let imported = super::map(&kuma, org(), now());
    let monthly = by_name(&imported.document, "maintenanceWindows", "monthly");
    assert_eq!(monthly["cronSchedule"], "30 23 1,15 * *");
    assert_eq!(monthly["durationMinutes"], 60);
    assert_eq!(
        imported.report.counts(Entity::MaintenanceWindow),
        (1, 1, 2),
        "{}",
        imported.report
    );
}
