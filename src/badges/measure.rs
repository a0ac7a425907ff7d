//! What a badge says: its message and colour for a number or a status, as pure rules tested
//! row by row. The numbers themselves are read by `mod.rs` through the monitors' and tasks' own
//! functions.

use crate::clock::Timestamp;
use crate::monitors::model::MonitorStatus;
use crate::tasks::status::TaskStatus;

/// shields.io's named colours: the endpoint JSON sends the name (shields.io draws it), the SVG
/// the same value in hex, so both look alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    BrightGreen,
    Green,
    YellowGreen,
    Yellow,
    Orange,
    Red,
    Blue,
    LightGrey,
}

impl Color {
    pub fn name(self) -> &'static str {
        match self {
            Color::BrightGreen => "brightgreen",
            Color::Green => "green",
            Color::YellowGreen => "yellowgreen",
            Color::Yellow => "yellow",
            Color::Orange => "orange",
            Color::Red => "red",
            Color::Blue => "blue",
            Color::LightGrey => "lightgrey",
        }
    }

    pub fn hex(self) -> &'static str {
        match self {
            Color::BrightGreen => "#4c1",
            Color::Green => "#97ca00",
            Color::YellowGreen => "#a4a61d",
            Color::Yellow => "#dfb317",
            Color::Orange => "#fe7d37",
            Color::Red => "#e05d44",
            Color::Blue => "#007ec6",
            Color::LightGrey => "#9f9f9f",
        }
    }
}

/// The right half of a badge.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub message: String,
    pub color: Color,
}

fn reading(message: impl Into<String>, color: Color) -> Reading {
    Reading {
        message: message.into(),
        color,
    }
}

/// Said when there is nothing to measure yet (no check, no run, no certificate seen).
pub const NO_DATA: &str = "no data";

/// A monitor's status in a visitor's words: unconfirmed states read as "degraded", and a
/// maintenance window in force says so rather than a failure.
pub fn monitor_status(status: MonitorStatus, in_maintenance: bool) -> Reading {
    match status {
        MonitorStatus::Inactive => reading("paused", Color::LightGrey),
        MonitorStatus::Archived => reading("archived", Color::LightGrey),
        _ if in_maintenance => reading("maintenance", Color::Blue),
        MonitorStatus::Up => reading("up", Color::BrightGreen),
        MonitorStatus::Recovering | MonitorStatus::Suspicious => reading("degraded", Color::Yellow),
        MonitorStatus::Down => reading("down", Color::Red),
        MonitorStatus::Unknown => reading("pending", Color::LightGrey),
    }
}

/// A task's status in its own words, coloured by how bad it is.
pub fn task_status(status: TaskStatus, in_maintenance: bool) -> Reading {
    let color = match status {
        _ if in_maintenance => return reading("maintenance", Color::Blue),
        TaskStatus::Healthy => Color::BrightGreen,
        TaskStatus::Running | TaskStatus::Due => Color::Blue,
        TaskStatus::Late => Color::Yellow,
        TaskStatus::Failing | TaskStatus::Absent => Color::Red,
    };
    reading(status.as_str(), color)
}

/// A percentage with two decimals, truncated: one failure in 100,000 checks reads 99.99%, never
/// a rounded-up 100%.
pub fn uptime(percent: Option<f64>) -> Reading {
    let Some(p) = percent else {
        return reading(NO_DATA, Color::LightGrey);
    };
    // The epsilon keeps a float just under an exact value (99.9 computed as 99.8999…) from
    // losing a hundredth.
    let hundredths = (p * 100.0 + 1e-6).floor() as i64;
    let message = if hundredths >= 10_000 {
        "100%".to_owned()
    } else {
        let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
        format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
    };
    let color = match hundredths {
        9_990.. => Color::BrightGreen,
        9_900..9_990 => Color::Green,
        9_700..9_900 => Color::YellowGreen,
        9_500..9_700 => Color::Yellow,
        9_000..9_500 => Color::Orange,
        _ => Color::Red,
    };
    reading(message, color)
}

/// An average response time in milliseconds, or seconds from one second on.
pub fn response_time(average_ms: Option<f64>) -> Reading {
    let Some(ms) = average_ms else {
        return reading(NO_DATA, Color::LightGrey);
    };
    let ms = ms.round() as i64;
    let message = match ms {
        ..1_000 => format!("{ms} ms"),
        _ => format!("{:.2} s", ms as f64 / 1000.0),
    };
    let color = match ms {
        ..=200 => Color::BrightGreen,
        201..=500 => Color::Green,
        501..=1_000 => Color::Yellow,
        1_001..=2_000 => Color::Orange,
        _ => Color::Red,
    };
    reading(message, color)
}

/// Whole days left on the certificate (a part-day left counts as none).
pub fn certificate(expires_at: Option<Timestamp>, now: Timestamp) -> Reading {
    let Some(expires_at) = expires_at else {
        return reading(NO_DATA, Color::LightGrey);
    };
    if expires_at <= now {
        return reading("expired", Color::Red);
    }
    let days = (expires_at - now).num_days();
    let message = match days {
        1 => "1 day".to_owned(),
        d => format!("{d} days"),
    };
    let color = match days {
        ..7 => Color::Red,
        7..14 => Color::Orange,
        14..30 => Color::Yellow,
        _ => Color::BrightGreen,
    };
    reading(message, color)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn said(r: Reading) -> (String, &'static str) {
        (r.message, r.color.name())
    }

    #[test]
    fn uptime_is_truncated_and_coloured_by_threshold() {
        let cases = [
            (None, "no data", "lightgrey"),
            (Some(100.0), "100%", "brightgreen"),
            (Some(99.999), "99.99%", "brightgreen"),
            (Some(100.0 * 999.0 / 1000.0), "99.9%", "brightgreen"),
            (Some(100.0 * 2.0 / 3.0), "66.66%", "red"),
            (Some(99.9), "99.9%", "brightgreen"),
            (Some(99.89), "99.89%", "green"),
            (Some(99.0), "99%", "green"),
            (Some(98.5), "98.5%", "yellowgreen"),
            (Some(96.0), "96%", "yellow"),
            (Some(92.31), "92.31%", "orange"),
            (Some(50.0), "50%", "red"),
            (Some(0.0), "0%", "red"),
        ];
        for (percent, message, color) in cases {
            assert_eq!(
                said(uptime(percent)),
                (message.into(), color),
                "{percent:?}"
            );
        }
    }

    #[test]
    fn response_times_read_in_ms_then_seconds() {
        let cases = [
            (None, "no data", "lightgrey"),
            (Some(0.4), "0 ms", "brightgreen"),
            (Some(200.0), "200 ms", "brightgreen"),
            (Some(200.6), "201 ms", "green"),
            (Some(999.0), "999 ms", "yellow"),
            (Some(1_500.0), "1.50 s", "orange"),
            (Some(12_345.0), "12.35 s", "red"),
        ];
        for (ms, message, color) in cases {
            assert_eq!(said(response_time(ms)), (message.into(), color), "{ms:?}");
        }
    }

    #[test]
    fn certificate_days_left() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let cases = [
            (None, "no data", "lightgrey"),
            (Some(now - Duration::hours(1)), "expired", "red"),
            (Some(now), "expired", "red"),
            (Some(now + Duration::hours(23)), "0 days", "red"),
            (Some(now + Duration::hours(25)), "1 day", "red"),
            (Some(now + Duration::days(7)), "7 days", "orange"),
            (Some(now + Duration::days(20)), "20 days", "yellow"),
            (Some(now + Duration::days(30)), "30 days", "brightgreen"),
            (Some(now + Duration::days(365)), "365 days", "brightgreen"),
        ];
        for (expires, message, color) in cases {
            assert_eq!(
                said(certificate(expires, now)),
                (message.into(), color),
                "{expires:?}"
            );
        }
    }

    #[test]
    fn statuses_in_visitors_words() {
        use MonitorStatus as M;
        let cases = [
            (M::Up, false, "up", "brightgreen"),
            (M::Suspicious, false, "degraded", "yellow"),
            (M::Recovering, false, "degraded", "yellow"),
            (M::Down, false, "down", "red"),
            (M::Down, true, "maintenance", "blue"),
            (M::Unknown, false, "pending", "lightgrey"),
            (M::Inactive, true, "paused", "lightgrey"),
            (M::Archived, false, "archived", "lightgrey"),
        ];
        for (status, maintenance, message, color) in cases {
            assert_eq!(
                said(monitor_status(status, maintenance)),
                (message.into(), color),
                "{status:?}"
            );
        }
        use TaskStatus as T;
        let cases = [
            (T::Healthy, false, "healthy", "brightgreen"),
            (T::Running, false, "running", "blue"),
            (T::Due, false, "due", "blue"),
            (T::Late, false, "late", "yellow"),
            (T::Failing, false, "failing", "red"),
            (T::Absent, false, "absent", "red"),
            (T::Absent, true, "maintenance", "blue"),
        ];
        for (status, maintenance, message, color) in cases {
            assert_eq!(
                said(task_status(status, maintenance)),
                (message.into(), color),
                "{status:?}"
            );
        }
    }
}
