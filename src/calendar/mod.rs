//! systemd OnCalendar expressions in a time zone, for task schedules: one expression per line
//! (their union), each `[weekdays] [year-month-day] [hour:minute[:second]] [time zone]` with `*`,
//! lists `,`, ranges `..`, repetitions `/`, `~` for days from the month's end, and the shorthands
//! (`daily`, `weekly`, …) of `man systemd.time`. A line's trailing time zone replaces the task's.
//!
//! Daylight-saving transitions follow the same rules as `crate::cron` (Vixie cron's), so the two
//! kinds of schedule agree: a fixed time skipped by the spring gap happens right after the gap, a
//! fixed time repeated by the autumn overlap happens once (the first time). A line whose hour is
//! `*` is not a fixed time: it happens at every instant whose wall clock matches, so in both
//! repeated hours and never in the skipped one. (systemd and Healthchecks skip a fixed time that
//! falls in the gap; here a daily job is never silently skipped for a day.)

mod field;
mod parse;
#[cfg(test)]
mod tests;

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime};
use chrono::{TimeZone, Timelike};
use chrono_tz::Tz;

use crate::clock::Timestamp;
use field::contains;
use parse::Event;

/// The last year an expression may name, as systemd's.
const LAST_YEAR: i32 = 2199;

#[derive(Debug, Clone)]
pub struct Calendar {
    /// Each line's event, zone and line number.
    lines: Vec<(Event, Tz, usize)>,
}

impl Calendar {
    /// Parses one or more lines read in `zone`; an error names the line and says what is wrong.
    pub fn parse(text: &str, zone: Tz) -> Result<Calendar, String> {
        let mut lines = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let event = parse::event(line.trim()).map_err(|e| format!("line {}: {e}", n + 1))?;
            let line_zone = event.zone.unwrap_or(zone);
            lines.push((event, line_zone, n + 1));
        }
        if lines.is_empty() {
            return Err("expected at least one expression such as \"Mon..Fri 09:00\"".into());
        }
        Ok(Calendar { lines })
    }

    /// Refuses a line with no occurrence after `now` rather than leave it silently idle (a
    /// schedule that has passed is not refused later, it just expects nothing more).
    pub fn check(&self, now: Timestamp) -> Result<(), String> {
        for (event, zone, n) in &self.lines {
            if next_of(event, *zone, now).is_none() {
                return Err(format!(
                    "line {n}: never matches a date after now (does the day exist in those months, are the years to come?)"
                ));
            }
        }
        Ok(())
    }

    /// The first occurrence strictly after `t`, over all lines.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        self.lines
            .iter()
            .filter_map(|(event, zone, _)| next_of(event, *zone, t))
            .min()
    }
}

/// The first instant after `t` whose wall clock in `zone` the event matches (with the
/// daylight-saving rules of the module doc).
fn next_of(event: &Event, zone: Tz, t: Timestamp) -> Option<Timestamp> {
    let offset = |at: Timestamp| zone.offset_from_utc_datetime(&at.naive_utc());
    let wall = |at: Timestamp, at_offset: Timestamp| {
        use chrono::Offset;
        at.naive_utc() + offset(at_offset).fix()
    };
    // The answer's wall time is at least `t` read with the offset in force at `t` or a day
    // later (the only ones an occurrence within a day can have); later ones cannot come first.
    let mut cursor = wall(t, t).min(wall(t, t + Duration::days(1))) - Duration::seconds(1);
    let every_hour = contains_all(&event.hours, 23);
    let mut best: Option<Timestamp> = None;
    loop {
        let Some(candidate) = next_wall(event, cursor) else {
            return best;
        };
        if let Some(b) = best {
            // No instant of this wall time (or a later one) can come before the best answer,
            // read with the largest offset in force around it.
            let largest = [b - Duration::days(1), b, b + Duration::days(1)]
                .map(|at| wall(b, at) - b.naive_utc())
                .into_iter()
                .max()
                .unwrap_or_default();
            if candidate - largest >= b.naive_utc() {
                return best;
            }
        }
        for at in instants(zone, candidate, every_hour) {
            if at > t && best.is_none_or(|b| at < b) {
                best = Some(at);
            }
        }
        cursor = candidate;
    }
}

/// The instants a matching wall time stands for: one, both of a repeated time for a line whose
/// hour is `*` (the first otherwise), and for a time in the gap the gap's end, or none when the
/// hour is `*`.
fn instants(zone: Tz, wall: NaiveDateTime, every_hour: bool) -> Vec<Timestamp> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(at) => vec![at.to_utc()],
        LocalResult::Ambiguous(first, second) if every_hour => {
            vec![first.to_utc(), second.to_utc()]
        }
        LocalResult::Ambiguous(first, _) => vec![first.to_utc()],
        LocalResult::None if every_hour => vec![],
        LocalResult::None => {
            let mut after = wall.with_second(0).unwrap_or(wall);
            loop {
                after += Duration::minutes(1);
                if let Some(at) = zone.from_local_datetime(&after).earliest() {
                    return vec![at.to_utc()];
                }
            }
        }
    }
}

/// The first wall time strictly after `after` that the event matches, searching day by day up to
/// `LAST_YEAR`.
fn next_wall(event: &Event, after: NaiveDateTime) -> Option<NaiveDateTime> {
    let mut day = after.date();
    let from = after
        .time()
        .with_nanosecond(0)?
        .overflowing_add_signed(Duration::seconds(1));
    if from.1 != 0 {
        day = day.succ_opt()?;
    }
    let mut from = Some(from.0);
    while day.year() <= LAST_YEAR {
        if !contains(&event.years, day.year() as u32, LAST_YEAR as u32) {
            day = NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)?;
            from = None;
            continue;
        }
        if !contains(&event.months, day.month(), 12) {
            day = first_of_next_month(day)?;
            from = None;
            continue;
        }
        if day_matches(event, day)
            && let Some(time) = first_time(event, from.unwrap_or(NaiveTime::MIN))
        {
            return Some(day.and_time(time));
        }
        day = day.succ_opt()?;
        from = None;
    }
    None
}

fn first_of_next_month(day: NaiveDate) -> Option<NaiveDate> {
    match day.month() {
        12 => NaiveDate::from_ymd_opt(day.year() + 1, 1, 1),
        m => NaiveDate::from_ymd_opt(day.year(), m + 1, 1),
    }
}

fn day_matches(event: &Event, day: NaiveDate) -> bool {
    let weekday = day.weekday().num_days_from_monday();
    if event.weekdays & (1 << weekday) == 0 {
        return false;
    }
    if !event.from_end {
        return contains(&event.days, day.day(), 31);
    }
    let last = first_of_next_month(day)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day());
    let from_end = last - day.day() + 1;
    event
        .days
        .as_ref()
        .is_none_or(|parts| parts.iter().any(|p| p.matches_from_end(from_end)))
}

/// The first time of day at or after `from` the event matches.
fn first_time(event: &Event, from: NaiveTime) -> Option<NaiveTime> {
    for h in (from.hour()..24).filter(|&h| contains(&event.hours, h, 23)) {
        let min_m = if h == from.hour() { from.minute() } else { 0 };
        for m in (min_m..60).filter(|&m| contains(&event.minutes, m, 59)) {
            let min_s = if (h, m) == (from.hour(), from.minute()) {
                from.second()
            } else {
                0
            };
            if let Some(s) = (min_s..60).find(|&s| contains(&event.seconds, s, 59)) {
                return NaiveTime::from_hms_opt(h, m, s);
            }
        }
    }
    None
}

fn contains_all(field: &field::Field, max: u32) -> bool {
    (0..=max).all(|v| contains(field, v, max))
}

/// For the tests: an instant as wall time in its zone.
#[cfg(test)]
fn local(at: Timestamp, zone: Tz) -> String {
    at.with_timezone(&zone).to_rfc3339()
}
