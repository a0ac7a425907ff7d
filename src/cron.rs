//! Cron in a time zone, for task schedules and recurring maintenance windows: standard 5-field Unix cron (minute hour day-of-month month day-of-week,
//! `0` and `7` both Sunday, `@daily`-style macros) in an IANA time zone. Daylight-saving
//! transitions follow Vixie cron: a time skipped by the spring gap runs right after it, a time
//! repeated by the autumn overlap runs once.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

use crate::clock::Timestamp;
use crate::error::Error;

/// How early a run may start and still count for the coming occurrence.
pub const EARLY_START: chrono::Duration = chrono::Duration::seconds(5);

#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    zone: Tz,
}

/// What the document says a cron expression looks like: a subset of what `Schedule::parse`
/// takes (macros; a fixed or `*` minute and hour), as no pattern can tell which expressions ever
/// match a date.
pub const CRON_PATTERN: &str =
    "^(@(yearly|monthly|weekly|daily|hourly)|(\\*|[1-5]?[0-9]) (\\*|1?[0-9]|2[0-3]) \\* \\* \\*)$";

/// Why a schedule is refused, by the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// `cronSchedule`: not 5 fields, bad syntax, or a pattern that never matches a date.
    Cron(String),
    /// `timezone`: not an IANA time zone.
    Zone(String),
}

impl ScheduleError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            ScheduleError::Cron(_) => "cronSchedule",
            ScheduleError::Zone(_) => "timezone",
        }
    }

    /// What is wrong, without the field name.
    pub fn problem(&self) -> &str {
        match self {
            ScheduleError::Cron(p) | ScheduleError::Zone(p) => p,
        }
    }
}

/// A 422 naming the field.
impl From<ScheduleError> for Error {
    fn from(e: ScheduleError) -> Error {
        Error::invalid_field(e.field(), e.problem())
    }
}

/// The IANA time zones `Schedule::parse` knows.
pub fn zone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect()
}

impl Schedule {
    /// Parses a cron expression in a time zone; errors say which of the two is wrong and how.
    pub fn parse(expression: &str, zone: &str) -> Result<Schedule, ScheduleError> {
        let zone: Tz = zone.trim().parse().map_err(|_| {
            ScheduleError::Zone(format!(
                "{zone:?} is not an IANA time zone such as Europe/Paris"
            ))
        })?;
        let expression = expression.trim();
        let fields = expression.split_whitespace().count();
        if !expression.starts_with('@') && fields != 5 {
            return Err(ScheduleError::Cron(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), got {fields}"
            )));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .build()
            .parse(expression)
            .map_err(|e| ScheduleError::Cron(format!("{expression:?}: {e}")))?;
        let schedule = Schedule { cron, zone };
        // A pattern that can never match ("0 0 30 2 *") is refused rather than silently idle.
        if schedule.next_after(Utc::now()).is_none() {
            return Err(ScheduleError::Cron(format!(
                "{expression:?} never matches any date"
            )));
        }
        Ok(schedule)
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The first occurrence strictly after `t`.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let local: DateTime<Tz> = t.with_timezone(&self.zone);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The occurrence a task waits for at `now`, after a run that started at `run_started`: the
    /// first after `now`, unless the run started just before it and so stands for it (the
    /// job's host clock may run a little ahead of the server's).
    pub fn next_after_run(&self, run_started: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let next = self.next_after(now)?;
        if next - run_started <= EARLY_START {
            self.next_after(next)
        } else {
            Some(next)
        }
    }

    /// The next `n` occurrences after `t` (the form's preview).
    pub fn upcoming(&self, t: Timestamp, n: usize) -> Vec<Timestamp> {
        let mut out = Vec::with_capacity(n);
        let mut at = t;
        while out.len() < n {
            match self.next_after(at) {
                Some(next) => {
                    out.push(next);
                    at = next;
                }
                None => break,
            }
        }
        out
    }

    /// A plain-English description ("At 02:30, every day"); the dashboard writes its own in
    /// French.
    pub fn describe(&self) -> String {
        self.cron.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn next(expr: &str, zone: &str, after: &str) -> String {
        let s = Schedule::parse(expr, zone).unwrap();
        let next = s.next_after(utc(after)).unwrap();
        next.with_timezone(&s.zone()).to_rfc3339()
    }

    #[test]
    fn a_run_started_just_before_an_occurrence_stands_for_it() {
        let s = Schedule::parse("* * * * *", "UTC").unwrap();
        let next = |started: &str, now: &str| s.next_after_run(utc(started), utc(now)).unwrap();
        // 1.5 s early (a host clock ahead): the 12:01 occurrence is done, the next is 12:02.
        let early = next("2026-11-28T12:00:58.5Z", "2026-11-28T12:00:58.6Z");
        assert_eq!(early, utc("2026-11-28T12:02:00Z"));
        // On time for 12:00: the next is 12:01 (59.5 s after the start is not "just before").
        let on_time = next("2026-11-28T12:00:00.5Z", "2026-11-28T12:00:00.6Z");
        assert_eq!(on_time, utc("2026-11-28T12:01:00Z"));
        // A long run: the first occurrence after its end.
        let long = next("2026-11-28T12:00:00Z", "2026-11-28T12:05:30Z");
        assert_eq!(long, utc("2026-11-28T12:06:00Z"));
    }

    #[test]
    fn sunday_is_both_0_and_7() {
        // 2026-11-28 is a Saturday.
        for expr in ["0 9 * * 0", "0 9 * * 7", "0 9 * * SUN"] {
            assert_eq!(
                next(expr, "UTC", "2026-11-28T12:00:00Z"),
                "2026-11-29T09:00:00+00:00",
                "{expr}"
            );
        }
    }

    #[test]
    fn macros() {
        assert_eq!(
            next("@daily", "UTC", "2026-11-28T12:00:00Z"),
            "2026-11-29T00:00:00+00:00"
        );
        assert_eq!(
            next("@hourly", "UTC", "2026-11-28T12:30:00Z"),
            "2026-11-28T13:00:00+00:00"
        );
        assert_eq!(
            next("@weekly", "UTC", "2026-11-28T12:00:00Z"),
            "2026-11-29T00:00:00+00:00"
        );
        assert_eq!(
            next("@monthly", "UTC", "2026-11-28T12:00:00Z"),
            "2026-12-01T00:00:00+00:00"
        );
    }

    #[test]
    fn time_zones_and_end_of_month() {
        assert_eq!(
            next("30 2 * * *", "Europe/Paris", "2026-11-28T12:00:00Z"),
            "2026-11-29T02:30:00+01:00"
        );
        // The 31st skips the months without one.
        assert_eq!(
            next("0 0 31 * *", "UTC", "2026-11-01T00:00:00Z"),
            "2026-12-31T00:00:00+00:00"
        );
        assert_eq!(
            next("0 0 L * *", "UTC", "2027-02-01T00:00:00Z"),
            "2027-02-28T00:00:00+00:00"
        );
        assert_eq!(
            next("0 0 29 2 *", "UTC", "2026-11-28T00:00:00Z"),
            "2028-02-29T00:00:00+00:00"
        );
    }

    #[test]
    fn daylight_saving_gap_runs_right_after_it() {
        // Europe/Paris springs from 02:00 to 03:00 on 2027-03-28: 02:30 does not exist that day.
        assert_eq!(
            next("30 2 * * *", "Europe/Paris", "2027-03-27T12:00:00Z"),
            "2027-03-28T03:00:00+02:00"
        );
        // The day after, 02:30 again.
        assert_eq!(
            next("30 2 * * *", "Europe/Paris", "2027-03-28T12:00:00Z"),
            "2027-03-29T02:30:00+02:00"
        );
    }

    #[test]
    fn daylight_saving_overlap_runs_once() {
        // Europe/Paris falls back from 03:00 to 02:00 on 2026-10-25: 02:30 happens twice.
        let s = Schedule::parse("30 2 * * *", "Europe/Paris").unwrap();
        let runs = s.upcoming(utc("2026-10-24T12:00:00Z"), 2);
        let local: Vec<String> = runs
            .iter()
            .map(|r| r.with_timezone(&s.zone()).to_rfc3339())
            .collect();
        assert_eq!(
            local,
            ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
        );
        // Hourly jobs run in both hours, as wall-clock-free schedules should.
        let hourly = Schedule::parse("0 * * * *", "Europe/Paris").unwrap();
        let runs = hourly.upcoming(Utc.with_ymd_and_hms(2026, 10, 24, 23, 30, 0).unwrap(), 4);
        let gaps: Vec<i64> = runs
            .windows(2)
            .map(|w| (w[1] - w[0]).num_minutes())
            .collect();
        assert_eq!(gaps, [60, 60, 60], "{runs:?}");
    }

    #[test]
    fn bad_input_names_the_field() {
        let cases = [
            ("* * * *", "UTC", "cronSchedule", "expected 5 fields"),
            ("0 * * * * *", "UTC", "cronSchedule", "expected 5 fields"),
            ("61 * * * *", "UTC", "cronSchedule", "61"),
            ("0 0 30 2 *", "UTC", "cronSchedule", "never matches"),
            ("0 0 * * *", "Mars/Olympus", "timezone", "IANA"),
        ];
        for (expr, zone, field, fragment) in cases {
            let e = Schedule::parse(expr, zone).unwrap_err();
            assert_eq!(e.field(), field, "{expr} {zone}");
            assert!(e.problem().contains(fragment), "{expr} {zone}: {e:?}");
            let e = Error::from(e);
            assert!(
                e.message.starts_with(&format!("{field}: ")),
                "{}",
                e.message
            );
        }
    }
}
