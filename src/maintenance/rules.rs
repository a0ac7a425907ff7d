//! When a maintenance window is in force and what it covers, as pure functions tested row by
//! row: a one-off window is one occurrence; a recurring one starts at each cron occurrence in
//! its time zone (`crate::cron`, DST-correct) and lasts its duration, overlapping occurrences
//! making one; "end now" (`ended_at`) cuts the occurrence running then short.

use chrono::Duration;

use super::model::{Occurrence, Selection};
use crate::clock::Timestamp;
use crate::cron::Schedule;
use crate::incidents::model::SourceType;
use crate::incidents::source::Described;

/// How a window recurs.
#[derive(Debug, Clone)]
pub enum Timing {
    Once {
        starts_at: Timestamp,
        ends_at: Timestamp,
    },
    Recurring {
        schedule: Box<Schedule>,
        duration: Duration,
    },
}

/// Overlapping occurrences merged at most this many times (an hourly cron lasting a week).
const MERGE_LIMIT: usize = 200;

impl Timing {
    /// The occurrences that end after `now`, in order, at most `n`: the one in force first, if
    /// any. `ended_at` cuts the occurrence it falls in short (and one cut to nothing is gone).
    pub fn upcoming(
        &self,
        ended_at: Option<Timestamp>,
        now: Timestamp,
        n: usize,
    ) -> Vec<Occurrence> {
        let cut = |o: Occurrence| match ended_at {
            Some(at) if o.starts_at <= at && at < o.ends_at => Occurrence { ends_at: at, ..o },
            _ => o,
        };
        let keep = |o: &Occurrence| o.ends_at > now && o.ends_at > o.starts_at;
        match self {
            Timing::Once { starts_at, ends_at } => {
                let o = cut(Occurrence {
                    starts_at: *starts_at,
                    ends_at: *ends_at,
                });
                [o].into_iter().filter(keep).take(n).collect()
            }
            Timing::Recurring { schedule, duration } => {
                let mut out = Vec::new();
                // The first start strictly after now - duration still runs at now.
                let mut next = schedule.next_after(now - *duration);
                while out.len() < n {
                    let Some(start) = next else { break };
                    let mut o = Occurrence {
                        starts_at: start,
                        ends_at: start + *duration,
                    };
                    next = schedule.next_after(start);
                    let mut merged = 0;
                    while let Some(s) = next.filter(|s| *s <= o.ends_at && merged < MERGE_LIMIT) {
                        o.ends_at = o.ends_at.max(s + *duration);
                        next = schedule.next_after(s);
                        merged += 1;
                    }
                    let o = cut(o);
                    if keep(&o) {
                        out.push(o);
                    }
                }
                out
            }
        }
    }

    /// The occurrence in force at `now`, if any.
    pub fn current(&self, ended_at: Option<Timestamp>, now: Timestamp) -> Option<Occurrence> {
        self.upcoming(ended_at, now, 1)
            .into_iter()
            .find(|o| o.starts_at <= now)
    }
}

/// Whether `selection` covers the source `id` of `source_type`, described as `described`
/// (asked only when a tag decides: `None` then means the source is gone).
pub fn covers(
    selection: &Selection,
    source_type: SourceType,
    id: &str,
    described: impl FnOnce() -> Option<Described>,
) -> bool {
    let is_task = source_type == SourceType::Task;
    if source_type == SourceType::Manual {
        return false;
    }
    if selection.organization
        || (is_task && selection.task_ids.iter().any(|t| t == id))
        || (!is_task && selection.monitor_ids.iter().any(|m| m.to_string() == id))
    {
        return true;
    }
    let Some(tag) = &selection.tag else {
        return false;
    };
    described().is_some_and(|d| tag_matches(tag, &d.metadata))
}

/// `key` matches a source with that tag; `key=value` one with that value.
pub fn tag_matches(tag: &str, metadata: &std::collections::BTreeMap<String, String>) -> bool {
    match tag.split_once('=') {
        Some((key, value)) => metadata.get(key).is_some_and(|v| v == value),
        None => metadata.contains_key(tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MonitorId;

    fn utc(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn span(o: &Occurrence) -> (String, String) {
        let f = |t: Timestamp| t.format("%Y-%m-%dT%H:%MZ").to_string();
        (f(o.starts_at), f(o.ends_at))
    }

    fn sundays_paris() -> Timing {
        Timing::Recurring {
            schedule: Box::new(Schedule::parse("0 2 * * 0", "Europe/Paris").unwrap()),
            duration: Duration::hours(2),
        }
    }

    /// Sundays 02:00 for 2 h, Europe/Paris, across the end of summer time (2026-10-25, when
    /// 02:00 comes twice: the first, CEST, counts): 00:00Z while on CEST, 01:00Z once on CET
    /// (2026-11-01). Row: now, ended_at, expected occurrences.
    #[test]
    fn a_recurring_window_follows_its_time_zone() {
        let rows: [(&str, Option<&str>, [(&str, &str); 2]); 5] = [
            (
                "2026-10-17T12:00:00Z",
                None,
                [
                    ("2026-10-18T00:00Z", "2026-10-18T02:00Z"),
                    ("2026-10-25T00:00Z", "2026-10-25T02:00Z"),
                ],
            ),
            // In force at 01:59Z: it comes first.
            (
                "2026-10-18T01:59:00Z",
                None,
                [
                    ("2026-10-18T00:00Z", "2026-10-18T02:00Z"),
                    ("2026-10-25T00:00Z", "2026-10-25T02:00Z"),
                ],
            ),
            // Its end is not in it.
            (
                "2026-10-18T02:00:00Z",
                None,
                [
                    ("2026-10-25T00:00Z", "2026-10-25T02:00Z"),
                    ("2026-11-01T01:00Z", "2026-11-01T03:00Z"),
                ],
            ),
            // Ended at 00:30Z: cut short; later at 00:45 it is over.
            (
                "2026-10-18T00:20:00Z",
                Some("2026-10-18T00:30:00Z"),
                [
                    ("2026-10-18T00:00Z", "2026-10-18T00:30Z"),
                    ("2026-10-25T00:00Z", "2026-10-25T02:00Z"),
                ],
            ),
            (
                "2026-10-18T00:45:00Z",
                Some("2026-10-18T00:30:00Z"),
                [
                    ("2026-10-25T00:00Z", "2026-10-25T02:00Z"),
                    ("2026-11-01T01:00Z", "2026-11-01T03:00Z"),
                ],
            ),
        ];
        let timing = sundays_paris();
        for (now, ended, expected) in rows {
            let got: Vec<_> = timing
                .upcoming(ended.map(utc), utc(now), 2)
                .iter()
                .map(span)
                .collect();
            let expected: Vec<_> = expected
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert_eq!(got, expected, "at {now}, ended {ended:?}");
        }
        // Spring forward (2026-03-29): 02:00 does not exist in Paris, the occurrence starts
        // right after the gap, at 03:00 CEST = 01:00Z.
        let spring = timing.upcoming(None, utc("2026-03-28T12:00:00Z"), 1);
        assert_eq!(span(&spring[0]).0, "2026-03-29T01:00Z");
    }

    /// A one-off window: ahead, in force, over, ended now. Row: now, ended_at, current, upcoming.
    #[test]
    fn a_one_off_window() {
        let timing = Timing::Once {
            starts_at: utc("2026-12-06T10:00:00Z"),
            ends_at: utc("2026-12-06T12:00:00Z"),
        };
        let rows = [
            ("2026-12-06T09:00:00Z", None, false, 1),
            ("2026-12-06T10:00:00Z", None, true, 1),
            ("2026-12-06T11:59:59Z", None, true, 1),
            ("2026-12-06T12:00:00Z", None, false, 0),
            (
                "2026-12-06T11:00:00Z",
                Some("2026-12-06T11:00:00Z"),
                false,
                0,
            ),
            (
                "2026-12-06T10:30:00Z",
                Some("2026-12-06T11:00:00Z"),
                true,
                1,
            ),
            // Ended before it began: nothing left.
            (
                "2026-12-06T09:00:00Z",
                Some("2026-12-06T09:00:00Z"),
                false,
                1,
            ),
        ];
        for (now, ended, current, upcoming) in rows {
            let ended = ended.map(utc);
            assert_eq!(
                timing.current(ended, utc(now)).is_some(),
                current,
                "{now} {ended:?}"
            );
            assert_eq!(
                timing.upcoming(ended, utc(now), 5).len(),
                upcoming,
                "{now} {ended:?}"
            );
        }
    }

    /// Every hour for 90 minutes: the occurrences overlap and make one window.
    #[test]
    fn overlapping_occurrences_make_one() {
        let timing = Timing::Recurring {
            schedule: Box::new(Schedule::parse("0 * * * *", "UTC").unwrap()),
            duration: Duration::minutes(90),
        };
        let merged = timing.upcoming(None, utc("2026-12-06T10:30:00Z"), 1);
        assert_eq!(merged[0].starts_at, utc("2026-12-06T10:00:00Z"));
        assert!(merged[0].ends_at > utc("2026-12-07T00:00:00Z"));
    }

    #[test]
    fn what_a_selection_covers() {
        let monitor = MonitorId::generate();
        let tagged = |tags: &[(&str, &str)]| {
            let metadata = tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            move || {
                Some(Described {
                    name: "x".into(),
                    masked_url: None,
                    url: None,
                    notification_channels: None,
                    renotify_minutes: None,
                    metadata,
                    kind: "http".into(),
                })
            }
        };
        let of = |organization, monitors: Vec<MonitorId>, tasks: Vec<&str>, tag: Option<&str>| {
            Selection {
                organization,
                monitor_ids: monitors,
                task_ids: tasks.into_iter().map(String::from).collect(),
                tag: tag.map(String::from),
            }
        };
        let id = monitor.to_string();
        let rows: [(Selection, SourceType, &str, &[(&str, &str)], bool); 10] = [
            (
                of(true, vec![], vec![], None),
                SourceType::Task,
                "backup",
                &[],
                true,
            ),
            (
                of(true, vec![], vec![], None),
                SourceType::Manual,
                "x",
                &[],
                false,
            ),
            (
                of(false, vec![monitor], vec![], None),
                SourceType::HttpMonitor,
                &id,
                &[],
                true,
            ),
            (
                of(false, vec![monitor], vec![], None),
                SourceType::TlsCertificate,
                &id,
                &[],
                true,
            ),
            (
                of(false, vec![monitor], vec![], None),
                SourceType::Task,
                &id,
                &[],
                false,
            ),
            (
                of(false, vec![], vec!["backup"], None),
                SourceType::Task,
                "backup",
                &[],
                true,
            ),
            (
                of(false, vec![], vec!["backup"], None),
                SourceType::Task,
                "other",
                &[],
                false,
            ),
            (
                of(false, vec![], vec![], Some("team")),
                SourceType::HttpMonitor,
                &id,
                &[("team", "web")],
                true,
            ),
            (
                of(false, vec![], vec![], Some("team=db")),
                SourceType::HttpMonitor,
                &id,
                &[("team", "web")],
                false,
            ),
            (
                of(false, vec![], vec![], Some("team=web")),
                SourceType::HttpMonitor,
                &id,
                &[("team", "web")],
                true,
            ),
        ];
        for (selection, source_type, source, tags, expected) in rows {
            assert_eq!(
                covers(&selection, source_type, source, tagged(tags)),
                expected,
                "{selection:?} {source_type:?} {source} {tags:?}"
            );
        }
    }
}
