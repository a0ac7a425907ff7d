//! Table tests: examples of `man systemd.time` and of Healthchecks' `oncalendar` library, the
//! daylight-saving rules, and the refusals.

use super::*;

fn utc(s: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

/// The next `n` occurrences after `after`, as wall times in `zone`.
fn next(expr: &str, zone: &str, after: &str, n: usize) -> Vec<String> {
    let c = Calendar::parse(expr, tz(zone)).unwrap_or_else(|e| panic!("{expr}: {e}"));
    c.check(utc(after)).unwrap();
    let mut at = utc(after);
    let mut out = Vec::new();
    for _ in 0..n {
        at = c
            .next_after(at)
            .unwrap_or_else(|| panic!("{expr}: none after {at}"));
        out.push(local(at, tz(zone)));
    }
    out
}

use chrono::DateTime;

#[test]
fn examples_of_the_manual_and_of_healthchecks() {
    // 2020-01-01 was a Wednesday.
    let start = "2020-01-01T00:00:00Z";
    let rows: [(&str, &[&str]); 16] = [
        (
            "*:*:0/5",
            &["2020-01-01T00:00:05+00:00", "2020-01-01T00:00:10+00:00"],
        ),
        (
            "*:*",
            &["2020-01-01T00:01:00+00:00", "2020-01-01T00:02:00+00:00"],
        ),
        (
            "2020-01-01 8..9:0:0",
            &["2020-01-01T08:00:00+00:00", "2020-01-01T09:00:00+00:00"],
        ),
        (
            "Mon 2-29",
            &["2044-02-29T00:00:00+00:00", "2072-02-29T00:00:00+00:00"],
        ),
        (
            "*~1",
            &["2020-01-31T00:00:00+00:00", "2020-02-29T00:00:00+00:00"],
        ),
        (
            "Sun *~7/1",
            &["2020-01-26T00:00:00+00:00", "2020-02-23T00:00:00+00:00"],
        ),
        (
            "00:00",
            &["2020-01-02T00:00:00+00:00", "2020-01-03T00:00:00+00:00"],
        ),
        (
            "Mon, 12:34",
            &["2020-01-06T12:34:00+00:00", "2020-01-13T12:34:00+00:00"],
        ),
        (
            "Sat,Sun 20:00",
            &["2020-01-04T20:00:00+00:00", "2020-01-05T20:00:00+00:00"],
        ),
        (
            "Mon..Fri *-*-* 09:00",
            &["2020-01-01T09:00:00+00:00", "2020-01-02T09:00:00+00:00"],
        ),
        (
            "Mon..Fri *-*-1/7 15:00",
            &["2020-01-01T15:00:00+00:00", "2020-01-08T15:00:00+00:00"],
        ),
        (
            "*-*-* *:0/15",
            &["2020-01-01T00:15:00+00:00", "2020-01-01T00:30:00+00:00"],
        ),
        (
            "weekly",
            &["2020-01-06T00:00:00+00:00", "2020-01-13T00:00:00+00:00"],
        ),
        (
            "quarterly",
            &["2020-04-01T00:00:00+00:00", "2020-07-01T00:00:00+00:00"],
        ),
        (
            "MiNuTeLY",
            &["2020-01-01T00:01:00+00:00", "2020-01-01T00:02:00+00:00"],
        ),
        (
            "21-*-1 10..11:30",
            &["2021-01-01T10:30:00+00:00", "2021-01-01T11:30:00+00:00"],
        ),
    ];
    for (expr, expected) in rows {
        assert_eq!(next(expr, "UTC", start, 2), expected, "{expr}");
    }
}

#[test]
fn several_lines_are_their_union_and_a_line_may_name_its_zone() {
    let got = next(
        "Mon 09:00\nWed 18:00:30\n\n",
        "UTC",
        "2020-01-01T00:00:00Z",
        3,
    );
    assert_eq!(
        got,
        [
            "2020-01-01T18:00:30+00:00",
            "2020-01-06T09:00:00+00:00",
            "2020-01-08T18:00:30+00:00"
        ]
    );
    // 12:34 in Riga (UTC+2 in winter) is 10:34 UTC.
    assert_eq!(
        next("12:34 Europe/Riga", "UTC", "2020-01-01T00:00:00Z", 1),
        ["2020-01-01T10:34:00+00:00"]
    );
    assert_eq!(
        next("daily America/New_York", "UTC", "2020-01-01T00:00:00Z", 1),
        ["2020-01-01T05:00:00+00:00"]
    );
}

#[test]
fn a_fixed_time_in_the_spring_gap_happens_right_after_it() {
    // Europe/Paris springs from 02:00 to 03:00 on 2027-03-28, as in the cron tests.
    assert_eq!(
        next("*-*-* 02:30", "Europe/Paris", "2027-03-27T12:00:00Z", 2),
        ["2027-03-28T03:00:00+02:00", "2027-03-29T02:30:00+02:00"]
    );
    // Healthchecks' example: the 29th at 3:30 in Riga, whose clocks jumped 03:00 → 04:00 on
    // 2020-03-29.
    assert_eq!(
        next("*-*-29 3:30", "Europe/Riga", "2020-02-01T00:00:00Z", 2),
        ["2020-02-29T03:30:00+02:00", "2020-03-29T04:00:00+03:00"]
    );
    // A line whose hour is `*` has no time in the skipped hour.
    assert_eq!(
        next("*:30", "Europe/Paris", "2027-03-28T00:45:00Z", 1),
        ["2027-03-28T03:30:00+02:00"]
    );
}

#[test]
fn a_fixed_time_in_the_autumn_overlap_happens_once_a_wildcard_hour_twice() {
    // Europe/Paris falls back from 03:00 to 02:00 on 2026-10-25: 02:30 happens twice.
    assert_eq!(
        next("02:30", "Europe/Paris", "2026-10-24T12:00:00Z", 2),
        ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    );
    assert_eq!(
        next("*-*-25 3:30", "Europe/Riga", "2020-10-01T00:00:00Z", 2),
        ["2020-10-25T03:30:00+03:00", "2020-11-25T03:30:00+02:00"]
    );
    assert_eq!(
        next("hourly", "Europe/Paris", "2026-10-24T23:30:00Z", 4),
        [
            "2026-10-25T02:00:00+02:00",
            "2026-10-25T02:00:00+01:00",
            "2026-10-25T03:00:00+01:00",
            "2026-10-25T04:00:00+01:00"
        ]
    );
}

#[test]
fn new_york_spring_and_autumn() {
    // 2027-03-14 02:00 → 03:00; 2027-11-07 02:00 → 01:00.
    assert_eq!(
        next("Sun 02:15", "America/New_York", "2027-03-13T00:00:00Z", 2),
        ["2027-03-14T03:00:00-04:00", "2027-03-21T02:15:00-04:00"]
    );
    assert_eq!(
        next("Sun 01:30", "America/New_York", "2027-11-06T00:00:00Z", 2),
        ["2027-11-07T01:30:00-04:00", "2027-11-14T01:30:00-05:00"]
    );
}

#[test]
fn refusals_say_what_is_wrong() {
    let now = utc("2026-12-01T00:00:00Z");
    let rows = [
        ("", "at least one expression"),
        ("Mon *-*-* *:*:* surprise", "time zone"),
        ("*-*-5..1", "upwards"),
        ("*:*/0", "repetition of 0"),
        ("1-32", "outside 1..31"),
        ("1~29", "outside 1..28"),
        ("* 1-1", "expected"),
        ("*:1..1_0", "bad minute"),
        ("2019-01-01", "never matches"),
        ("*-02-30", "never matches"),
        ("daily\n25:00", "line 2"),
        ("1000-*-*", "1970 to 2199"),
        ("Mon/1", "weekdays"),
    ];
    for (expr, fragment) in rows {
        let e = Calendar::parse(expr, tz("UTC"))
            .and_then(|c| c.check(now))
            .unwrap_err();
        assert!(e.contains(fragment), "{expr:?}: {e}");
    }
    for pattern in [
        "{} *-*-* *:*:*",
        "{}-*-*",
        "*-{}-*",
        "*-*-{}",
        "*-*~{}",
        "{}:*:*",
        "*:{}:*",
        "*:*:{}",
    ] {
        for bad in [
            "-1", "1000", "ABC", "1-1", "1:1", "Mon/1", "~1", "*/1", "*,1", "1..*",
        ] {
            let expr = pattern.replace("{}", bad);
            assert!(Calendar::parse(&expr, tz("UTC")).is_err(), "{expr:?}");
        }
    }
}
