//! One OnCalendar line into an `Event`: `[weekdays] [year-month-day] [hour:minute[:second]] [zone]`
//! after the shorthands (`daily` …) are expanded, as `man systemd.time` normalizes them.

use chrono_tz::Tz;

use super::field::{Field, Part, field};

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Event {
    /// Bit 0 = Monday … bit 6 = Sunday.
    pub weekdays: u8,
    pub years: Field,
    pub months: Field,
    pub days: Field,
    /// `~`: days count from the end of the month (1 = the last day).
    pub from_end: bool,
    pub hours: Field,
    pub minutes: Field,
    pub seconds: Field,
    /// A trailing time zone, read instead of the task's.
    pub zone: Option<Tz>,
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The shorthands of `man systemd.time`, as the full expressions they stand for.
fn shorthand(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "minutely" => "*-*-* *:*:00",
        "hourly" => "*-*-* *:00:00",
        "daily" => "*-*-* 00:00:00",
        "monthly" => "*-*-01 00:00:00",
        "weekly" => "Mon *-*-* 00:00:00",
        "yearly" | "annually" => "*-01-01 00:00:00",
        "quarterly" => "*-01,04,07,10-01 00:00:00",
        "semiannually" => "*-01,07-01 00:00:00",
        _ => return None,
    })
}

/// Parses one line; the error says what is wrong with which part.
pub(super) fn event(line: &str) -> Result<Event, String> {
    let mut words: Vec<String> = Vec::new();
    for word in line.split_whitespace() {
        // "Mon, Fri 12:00": a weekday list may have spaces after its commas.
        match words.last_mut() {
            Some(last) if last.ends_with(',') && !word.contains([':', '-', '~']) => {
                last.push_str(word)
            }
            _ => words.push(word.to_owned()),
        }
    }
    let zone = match words.last() {
        Some(last) if words.len() > 1 => zone(last)?,
        Some(only) => only.parse::<Tz>().ok(),
        _ => None,
    };
    if zone.is_some() {
        words.pop();
    }
    if let [only] = words.as_slice()
        && let Some(full) = shorthand(only)
    {
        return Ok(Event {
            zone,
            ..event(full)?
        });
    }
    let mut words = words.iter().map(String::as_str).peekable();
    let weekdays = match words.next_if(|w| w.starts_with(|c: char| c.is_ascii_alphabetic())) {
        Some(w) => Some(weekday_list(w)?),
        None => None,
    };
    let date = words.next_if(|w| !w.contains(':'));
    let time = words.next();
    if let Some(extra) = words.next() {
        return Err(format!(
            "unexpected {extra:?}: expected [weekdays] [year-month-day] [hour:minute[:second]] [time zone]"
        ));
    }
    if date.is_none() && time.is_none() && weekdays.is_none() {
        return Err("empty expression".to_owned());
    }
    let (years, months, days, from_end) = match date {
        Some(d) => date_fields(d)?,
        None => (None, None, None, false),
    };
    let (hours, minutes, seconds) = match time {
        Some(t) => time_fields(t)?,
        None => (zero(), zero(), zero()),
    };
    Ok(Event {
        weekdays: weekdays.unwrap_or(0x7f),
        years,
        months,
        days,
        from_end,
        hours,
        minutes,
        seconds,
        zone,
    })
}

fn zero() -> Field {
    Some(vec![Part {
        start: 0,
        end: None,
        step: None,
    }])
}

/// A trailing word that is neither a date nor a time is a time zone, or an error.
fn zone(word: &str) -> Result<Option<Tz>, String> {
    if word.contains([':', '*', ',']) || word.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(None);
    }
    match word.parse::<Tz>() {
        Ok(tz) => Ok(Some(tz)),
        Err(_) if weekday_list(word).is_ok() => Ok(None),
        Err(_) => Err(format!(
            "{word:?} is not an IANA time zone such as Europe/Paris"
        )),
    }
}

/// `Mon,Wed..Fri`: full or three-letter names, any case.
fn weekday_list(word: &str) -> Result<u8, String> {
    let bad = || format!("{word:?}: expected weekdays such as Mon or Mon..Fri or Sat,Sun");
    let day = |name: &str| {
        let name = name.to_ascii_lowercase();
        WEEKDAYS
            .iter()
            .position(|full| {
                name.len() >= 3 && full.starts_with(&name) && (name.len() == 3 || *full == name)
            })
            .ok_or_else(bad)
    };
    let mut mask = 0u8;
    for item in word.trim_end_matches(',').split(',') {
        let (from, to) = match item.split_once("..") {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(item)?, day(item)?),
        };
        // A range may wrap around the week end (Sat..Mon), as systemd reads it.
        let mut d = from;
        loop {
            mask |= 1 << d;
            if d == to {
                break;
            }
            d = (d + 1) % 7;
        }
    }
    Ok(mask)
}

type DateFields = (Field, Field, Field, bool);

/// `year-month-day`, `month-day`, with `~` before the day to count it from the month's end.
fn date_fields(word: &str) -> Result<DateFields, String> {
    let from_end = word.contains('~');
    let parts: Vec<&str> = word.split(['-', '~']).collect();
    if from_end && word.matches('~').count() > 1 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "{word:?}: expected a date such as 2026-12-24 or *-*-01"
        ));
    }
    let (year, month, day) = match parts.as_slice() {
        [y, m, d] if !from_end || word.rfind('~') > word.rfind('-') => (Some(*y), *m, *d),
        [m, d] => (None, *m, *d),
        _ => {
            return Err(format!(
                "{word:?}: expected a date such as 2026-12-24, 12-24 or *-*~1"
            ));
        }
    };
    let years = match year {
        Some(y) => field("year", y, 0, 2199)?
            .map(|parts| parts.into_iter().map(two_digit_year).collect::<Vec<_>>()),
        None => None,
    };
    if years.iter().flatten().any(|p| !p.within(1970, 2199)) {
        return Err(format!("bad year in {word:?}: years go from 1970 to 2199"));
    }
    let months = field("month", month, 1, 12)?;
    let max_day = if from_end { 28 } else { 31 };
    let days = field("day", day, 1, max_day)?;
    Ok((years, months, days, from_end))
}

/// Years written with two digits are 1970–2069, as systemd reads them.
fn two_digit_year(p: Part) -> Part {
    let full = |y: u32| match y {
        0..=69 => y + 2000,
        70..=99 => y + 1900,
        _ => y,
    };
    Part {
        start: full(p.start),
        end: p.end.map(full),
        step: p.step,
    }
}

/// `hour:minute[:second]`; seconds default to 00.
fn time_fields(word: &str) -> Result<(Field, Field, Field), String> {
    let parts: Vec<&str> = word.split(':').collect();
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (*h, *m, "00"),
        [h, m, s] => (*h, *m, *s),
        _ => return Err(format!("{word:?}: expected a time such as 02:30 or *:0/15")),
    };
    Ok((
        field("hour", h, 0, 23)?,
        field("minute", m, 0, 59)?,
        field("second", s, 0, 59)?,
    ))
}
