//! When a task is expected, whatever the kind of its schedule: a cron expression, a period
//! counted from the last ping (Healthchecks' "simple" checks), or systemd OnCalendar
//! expressions. The lifecycle and the deadline timer ask this, never the kinds themselves.
//!
//! A period task is expected `period` after each ping that ends a run (a success or a failure,
//! as Healthchecks counts them; `/start` and `/log` do not move it). Until its first ping it
//! expects nothing, as Healthchecks' "new" checks never alert. Once absent it stays absent until
//! a ping: unlike a calendar, a period has no next occurrence of its own.

use chrono::Duration;
use chrono_tz::Tz;

use super::settings::{TaskInput, TaskSettings, parse_schedule};
use super::status::window;
use crate::calendar::Calendar;
use crate::clock::Timestamp;
use crate::cron::{EARLY_START, Schedule};
use crate::error::{Error, Result};
use crate::limits;

/// Limits of `periodSeconds`: a minute to a year.
pub const PERIOD: (u32, u32) = (60, 31_536_000);

/// Longest `onCalendar` text, in characters.
pub const ON_CALENDAR: usize = 1000;

/// What the document says OnCalendar text looks like: a subset of what the server takes (a
/// shorthand, or a time with an optional weekday), as no pattern can tell which expressions ever
/// match a date.
pub const ON_CALENDAR_PATTERN: &str = "^(minutely|hourly|daily|weekly|monthly|yearly|quarterly|semiannually|((Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?([01][0-9]|2[0-3]):[0-5][0-9])$";

/// The request fields of the three kinds, in the order a refusal names the second.
const KINDS: [&str; 3] = ["cronSchedule", "periodSeconds", "onCalendar"];

/// The kind of schedule a body sets (a non-null, non-blank value), if any; two are a 422
/// naming the second, as a task has one kind of schedule.
pub fn given_kind(input: &TaskInput) -> Result<Option<&'static str>> {
    let text = |v: &Option<Option<String>>| matches!(v, Some(Some(t)) if !t.trim().is_empty());
    let given = [
        text(&input.cron_schedule),
        matches!(input.period_seconds, Some(Some(_))),
        text(&input.on_calendar),
    ];
    let mut set = KINDS.iter().zip(given).filter(|(_, g)| *g).map(|(k, _)| *k);
    let first = set.next();
    match set.next() {
        Some(second) => Err(Error::invalid_field(
            second,
            format!(
                "a task has one kind of schedule: {} is given too; send at most one of cronSchedule, periodSeconds and onCalendar",
                first.unwrap_or_default()
            ),
        )),
        None => Ok(first),
    }
}

/// Applies the period and OnCalendar fields (cron is applied with the other fields); the kind
/// given replaces the task's other kinds, so a PATCH switches kinds in one field.
pub fn apply_kinds(
    s: &mut TaskSettings,
    kind: Option<&str>,
    period: Option<Option<u32>>,
    on_calendar: Option<Option<String>>,
) -> Result<()> {
    if let Some(period) = period {
        s.period_seconds = period
            .map(|p| window("periodSeconds", Some(p), (p, PERIOD.0, PERIOD.1)))
            .transpose()?;
    }
    if let Some(text) = on_calendar {
        s.on_calendar = limits::optional("onCalendar", text, ON_CALENDAR, limits::multiline)?;
    }
    if kind.is_some_and(|k| k != "cronSchedule") {
        s.cron_schedule = None;
    }
    if kind.is_some_and(|k| k != "periodSeconds") {
        s.period_seconds = None;
    }
    if kind.is_some_and(|k| k != "onCalendar") {
        s.on_calendar = None;
    }
    Ok(())
}

/// Checks the settings' schedule parses, and that OnCalendar text just given has an occurrence
/// to come (read on the wall clock, as `crate::cron` checks its patterns).
pub fn check(s: &TaskSettings, kind: Option<&str>) -> Result<()> {
    Timing::of(s)?;
    match (&s.on_calendar, kind) {
        (Some(text), Some("onCalendar")) => check_calendar(text, &s.timezone, chrono::Utc::now()),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone)]
pub enum Timing {
    Cron(Box<Schedule>),
    Period(Duration),
    Calendar(Calendar),
}

impl Timing {
    /// The task's schedule; None for an ad-hoc task.
    pub fn of(s: &TaskSettings) -> Result<Option<Timing>> {
        if let Some(cron) = &s.cron_schedule {
            return Ok(Some(Timing::Cron(Box::new(parse_schedule(
                cron,
                &s.timezone,
            )?))));
        }
        if let Some(period) = s.period_seconds {
            return Ok(Some(Timing::Period(Duration::seconds(period.into()))));
        }
        match &s.on_calendar {
            Some(text) => Ok(Some(Timing::Calendar(calendar(text, &s.timezone)?))),
            None => Ok(None),
        }
    }

    pub fn is_period(&self) -> bool {
        matches!(self, Timing::Period(_))
    }

    /// When the next run is expected as a task comes to rest at `now`: after a run that started
    /// at `run_started`, or (None) after a change of its settings, when `pinged` says whether
    /// it has ever had a run (a period counts from now then, or waits for a first ping).
    pub fn next_expected(
        &self,
        run_started: Option<Timestamp>,
        pinged: bool,
        now: Timestamp,
    ) -> Option<Timestamp> {
        match (self, run_started) {
            (Timing::Period(p), _) => (run_started.is_some() || pinged).then(|| now + *p),
            (Timing::Cron(s), Some(started)) => s.next_after_run(started, now),
            (Timing::Cron(s), None) => s.next_after(now),
            (Timing::Calendar(c), None) => c.next_after(now),
            // As `Schedule::next_after_run`: a run started just before an occurrence stands
            // for it.
            (Timing::Calendar(c), Some(started)) => {
                let next = c.next_after(now)?;
                match next - started <= EARLY_START {
                    true => c.next_after(next),
                    false => Some(next),
                }
            }
        }
    }

    /// The next occurrence strictly after `t` by the calendar; None for a period, which waits
    /// for a ping.
    pub fn occurrence_after(&self, t: Timestamp) -> Option<Timestamp> {
        match self {
            Timing::Cron(s) => s.next_after(t),
            Timing::Calendar(c) => c.next_after(t),
            Timing::Period(_) => None,
        }
    }

    /// The next `n` expected times after `t`; for a period, as if pinged at `t` and on time
    /// after (the form's preview).
    pub fn upcoming(&self, t: Timestamp, n: usize) -> Vec<Timestamp> {
        let mut out = Vec::with_capacity(n);
        let mut at = t;
        while out.len() < n {
            let next = match self {
                Timing::Period(p) => Some(at + *p),
                _ => self.occurrence_after(at),
            };
            let Some(next) = next else { break };
            out.push(next);
            at = next;
        }
        out
    }

    /// The next `n` expected times shown with a task waiting for `next_due`: a period task's
    /// count from it (none before its first ping), a calendar's are its occurrences after `now`.
    pub fn shown(&self, next_due: Option<Timestamp>, now: Timestamp, n: usize) -> Vec<Timestamp> {
        match (self, next_due) {
            (Timing::Period(_), None) => Vec::new(),
            (Timing::Period(_), Some(due)) => {
                let mut out = vec![due];
                out.extend(self.upcoming(due, n.saturating_sub(1)));
                out
            }
            _ => self.upcoming(now, n),
        }
    }

    /// In plain English; the dashboard writes its own, in English and French.
    pub fn describe(&self) -> String {
        match self {
            Timing::Cron(s) => s.describe(),
            Timing::Period(p) => format!("Every {}", words(*p)),
            Timing::Calendar(_) => "On a calendar (systemd OnCalendar)".to_owned(),
        }
    }
}

/// OnCalendar text in the task's zone; a refusal is a 422 naming `onCalendar`.
fn calendar(text: &str, zone: &str) -> Result<Calendar> {
    let zone: Tz = zone.parse().map_err(|_| {
        Error::invalid_field("timezone", format!("{zone:?} is not an IANA time zone"))
    })?;
    Calendar::parse(text, zone).map_err(|e| Error::invalid_field("onCalendar", e))
}

/// Refuses OnCalendar text that never matches after `now` (a 422 naming `onCalendar`), as a
/// cron pattern that never matches is refused.
pub fn check_calendar(text: &str, zone: &str, now: Timestamp) -> Result<()> {
    calendar(text, zone)?
        .check(now)
        .map_err(|e| Error::invalid_field("onCalendar", e))
}

/// A period in words: "2 hours", "90 seconds".
fn words(p: Duration) -> String {
    let s = p.num_seconds();
    let (n, unit) = [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(u, _)| s % u == 0)
        .map_or((s, "second"), |(u, name)| (s / u, name));
    match n {
        1 => format!("1 {unit}"),
        n => format!("{n} {unit}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_counts_from_the_ping_and_waits_for_the_first() {
        let now = chrono::Utc::now();
        let t = Timing::Period(Duration::seconds(3600));
        assert_eq!(t.next_expected(None, false, now), None);
        assert_eq!(
            t.next_expected(None, true, now),
            Some(now + Duration::hours(1))
        );
        let started = now - Duration::minutes(5);
        assert_eq!(
            t.next_expected(Some(started), false, now),
            Some(now + Duration::hours(1))
        );
        assert_eq!(t.occurrence_after(now), None);
        assert_eq!(t.upcoming(now, 2)[1], now + Duration::hours(2));
        assert_eq!(t.describe(), "Every 1 hour");
        assert_eq!(words(Duration::seconds(90)), "90 seconds");
        assert_eq!(words(Duration::seconds(172_800)), "2 days");
    }

    #[test]
    fn a_calendar_run_started_just_before_an_occurrence_stands_for_it() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let t = Timing::Calendar(Calendar::parse("*:*", chrono_tz::UTC).unwrap());
        let early = t.next_expected(
            Some(at("2026-11-28T12:00:58.5Z")),
            true,
            at("2026-11-28T12:00:58.6Z"),
        );
        assert_eq!(early, Some(at("2026-11-28T12:02:00Z")));
        let on_time = t.next_expected(
            Some(at("2026-11-28T12:00:00.5Z")),
            true,
            at("2026-11-28T12:00:00.6Z"),
        );
        assert_eq!(on_time, Some(at("2026-11-28T12:01:00Z")));
    }

    #[test]
    fn one_kind_per_body_and_a_kind_given_replaces_the_others() {
        let input = |json: &str| serde_json::from_str::<TaskInput>(json).unwrap();
        let e = given_kind(&input(
            r#"{"onCalendar": "daily", "cronSchedule": "@daily"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("onCalendar"));
        assert_eq!(
            given_kind(&input(r#"{"cronSchedule": " ", "periodSeconds": 60}"#)).unwrap(),
            Some("periodSeconds")
        );
        let mut s = TaskSettings::defaults("t");
        s.cron_schedule = Some("@daily".into());
        apply_kinds(&mut s, Some("periodSeconds"), Some(Some(600)), None).unwrap();
        assert_eq!((s.cron_schedule, s.period_seconds), (None, Some(600)));
    }
}
