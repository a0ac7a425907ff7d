//! The Healthchecks mapping on the sample exports a real Healthchecks wrote.

use serde_json::Value;

use super::{Options, map, parse_channels, parse_checks};
use crate::import::{Entity, Imported};

fn sample(keep_ping_urls: bool) -> Imported {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/imports/healthchecks/"
    );
    let checks =
        parse_checks(&std::fs::read_to_string(format!("{dir}checks.json")).unwrap()).unwrap();
    let channels =
        parse_channels(&std::fs::read_to_string(format!("{dir}channels.json")).unwrap()).unwrap();
    map(&checks, &channels, &Options { keep_ping_urls })
}

fn task<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
}

#[test]
fn the_thirteen_checks_become_tasks_of_their_schedule_kind() {
    let Imported {
        document: doc,
        report,
    } = sample(true);
    assert_eq!(report.counts(Entity::Task).0, 13, "{report}");
    assert_eq!(report.counts(Entity::Channel), (0, 0, 3), "{report}");
    let backup = task(&doc, "nightly-backup");
    assert_eq!(
        (
            backup["periodSeconds"].as_i64(),
            backup["startWindowSeconds"].as_i64()
        ),
        (Some(86_400), Some(3600))
    );
    assert_eq!(backup["pingKey"], "d28dfaa4-55c5-41a2-81a8-81ec223c82c9");
    assert_eq!(
        backup["description"],
        "Full backup of /srv to offsite storage"
    );
    let dump = task(&doc, "db-dump");
    assert_eq!(
        (dump["cronSchedule"].as_str(), dump["timezone"].as_str()),
        (Some("0 3 * * *"), Some("Europe/Riga"))
    );
    assert!(dump.get("periodSeconds").is_none());
    let shifts = task(&doc, "shift-sync");
    assert_eq!(shifts["onCalendar"], "Mon..Fri 08:30\nSat,Sun 10:00");
    assert_eq!(shifts["timezone"], "Asia/Tokyo");
    assert_eq!(
        task(&doc, "weekly-report")["onCalendar"],
        "Mon *-*-* 09:00:00"
    );
    let text = report.to_string();
    for expected in [
        "tags \"prod backup\" not kept",
        "only POST pings counted",
        "paused in Healthchecks",
        "keyword filters",
        "the API shows a channel's kind (webhook) but not its settings",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
}

#[test]
fn without_keep_ping_urls_tasks_get_new_ping_keys() {
    let Imported { document, .. } = sample(false);
    assert!(
        document["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("pingKey").is_none())
    );
}

#[test]
fn not_an_export_is_refused_with_its_line() {
    let e = parse_checks("{\n\"checks\": 3}").unwrap_err();
    assert!(e.message.contains("line 2"), "{}", e.message);
}

#[test]
fn a_non_ascii_uuid_is_no_panic() {
    // Seven ASCII bytes then a three-byte character: a byte slice at 8 cuts through it.
    let checks = parse_checks(
        r#"{"checks": [{"name": "", "uuid": "abcdefg€xyz", "timeout": 3600, "grace": 60},
                       {"name": "x", "slug": "x", "uuid": "€€€€€€€€€", "timeout": 3600}]}"#,
    )
    .unwrap();
    let imported = map(
        &checks,
        &[],
        &Options {
            keep_ping_urls: false,
        },
    );
    assert_eq!(
        imported.report.counts(Entity::Task).0,
        2,
        "{}",
        imported.report
    );
}
