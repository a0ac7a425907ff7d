//! Rows Uptime Kuma's forms would refuse but its database accepts: the import reports them,
//! never panics on them.

use super::tests::{built, now, org};
use crate::import::Entity;

#[test]
fn huge_retry_and_resend_numbers_are_clamped_with_a_line() {
    let big = i64::MAX;
    let kuma = built(&format!(
        "INSERT INTO monitor (id, name, type, hostname, port, interval, maxretries, retry_interval, resend_interval)
           VALUES (1, 'db', 'port', 'db.test', 5432, {big}, {big}, {big}, {big});
         INSERT INTO monitor (id, name, type, interval, maxretries, retry_interval, resend_interval, push_token)
           VALUES (2, 'cron', 'push', {big}, {big}, {big}, {big}, 'tok-abcdefgh');"
    ));
    let imported = super::map(&kuma, org(), now());
    let report = imported.report.to_string();
    assert_eq!(imported.report.counts(Entity::Monitor).0, 1, "{report}");
    assert_eq!(imported.report.counts(Entity::Task).0, 1, "{report}");
    let monitor = &imported.document["monitors"][0];
    assert_eq!(monitor["downtimeConfirmationThreshold"], 10);
    assert_eq!(monitor["renotifyMinutes"], 10_080);
    let task = &imported.document["tasks"][0];
    assert_eq!(task["startWindowSeconds"], 31_536_000);
    assert_eq!(task["renotifyMinutes"], 10_080);
    for expected in [
        "down after 10 failed checks",
        "→ every 10080 min",
        "→ grace 31536000 s",
    ] {
        assert!(
            report.contains(expected),
            "{expected:?} missing from\n{report}"
        );
    }
}

#[test]
fn an_upside_down_check_that_cannot_be_inverted_is_skipped_with_its_reason() {
    let kuma = built(
        "INSERT INTO monitor (id, name, type, hostname, port, upside_down)
           VALUES (1, 'db', 'port', 'db.test', 5432, 1), (2, 'gw', 'ping', '10.0.0.1', NULL, 1),
                  (3, 'site', 'http', NULL, NULL, 1);
         UPDATE monitor SET url = 'https://site.test' WHERE id = 3;",
    );
    let imported = super::map(&kuma, org(), now());
    let report = imported.report.to_string();
    assert_eq!(
        imported.report.counts(Entity::Monitor),
        (1, 0, 2),
        "{report}"
    );
    assert!(
        report.contains("dutyduck's port checks cannot be inverted"),
        "{report}"
    );
    assert!(
        report.contains("dutyduck's ping checks cannot be inverted"),
        "{report}"
    );
    assert_eq!(imported.document["monitors"][0]["upsideDown"], true);
}

#[test]
fn a_push_monitors_tags_and_group_are_reported_as_lost() {
    let kuma = built(
        "INSERT INTO monitor (id, name, type) VALUES (1, 'Jobs', 'group');
         INSERT INTO monitor (id, name, type, parent, push_token, interval)
           VALUES (2, 'cron', 'push', 1, 'tok-abcdefgh', 60);
         INSERT INTO tag (id, name, color) VALUES (1, 'env', '#000');
         INSERT INTO monitor_tag (monitor_id, tag_id, value) VALUES (2, 1, 'prod');",
    );
    let report = super::map(&kuma, org(), now()).report.to_string();
    assert!(
        report.contains("tags env=prod, group=Jobs not kept: dutyduck tasks have no tags"),
        "{report}"
    );
}

#[test]
fn maintenance_on_a_group_covers_the_monitors_under_it() {
    let kuma = built(
        "INSERT INTO monitor (id, name, type) VALUES (1, 'Web', 'group'), (2, 'Edge', 'group');
         INSERT INTO monitor (id, name, type, parent, hostname, port)
           VALUES (3, 'db', 'port', 1, 'db.test', 5432), (4, 'lb', 'port', 2, 'lb.test', 443);
         UPDATE monitor SET parent = 1 WHERE id = 2;
         INSERT INTO maintenance (id, title, description, strategy, active) VALUES (1, 'now', '', 'manual', 1);
         INSERT INTO monitor_maintenance (monitor_id, maintenance_id) VALUES (1, 1);",
    );
    let imported = super::map(&kuma, org(), now());
    let window = &imported.document["maintenanceWindows"][0];
    let covered = window.to_string();
    for m in &imported.document["monitors"].as_array().unwrap()[..] {
        let id = m["id"].as_str().unwrap();
        assert!(covered.contains(id), "{} not covered: {window}", m["name"]);
    }
    assert_eq!(imported.document["monitors"].as_array().unwrap().len(), 2);
}

#[test]
fn status_page_groups_keep_kumas_order_by_weight() {
    let kuma = built(
        "INSERT INTO monitor (id, name, type, hostname, port) VALUES (1, 'db', 'port', 'db.test', 5432);
         INSERT INTO status_page (id, slug, title, icon, theme) VALUES (1, 'acme', 'Acme', '', 'light');
         INSERT INTO \"group\" (id, name, status_page_id, weight) VALUES (1, 'Last', 1, 2), (2, 'First', 1, 1);
         INSERT INTO monitor_group (monitor_id, group_id, weight) VALUES (1, 1, 1), (1, 2, 1);",
    );
    let imported = super::map(&kuma, org(), now());
    let groups = &imported.document["statusPages"][0]["groups"];
    assert_eq!(
        (&groups[0]["name"], &groups[1]["name"]),
        (&"First".into(), &"Last".into()),
        "{}",
        imported.report
    );
}

#[test]
fn a_body_gets_the_content_type_kuma_would_send_unless_one_is_set() {
    let kuma = built(
        "INSERT INTO monitor (id, name, type, url, method, body, http_body_encoding, headers) VALUES
           (1, 'form', 'http', 'https://a.test', 'POST', 'a=1', 'form', NULL),
           (2, 'json', 'http', 'https://a.test', 'POST', '{\"a\":1}', 'json', NULL),
           (3, 'set', 'http', 'https://a.test', 'POST', 'a=1', 'form', '{\"content-type\":\"text/plain\"}');",
    );
    let doc = super::map(&kuma, org(), now()).document;
    let headers = |i: usize| doc["monitors"][i]["requestHeaders"].clone();
    assert_eq!(
        headers(0)["Content-Type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(headers(1)["Content-Type"], "application/json");
    assert_eq!(
        headers(2),
        serde_json::json!({"content-type": "text/plain"})
    );
}
