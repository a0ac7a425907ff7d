//! When checks are due. Each monitor checks on a fixed grid: `k × interval + phase`, where the
//! phase is derived from its id. The grid never drifts (a slow check does not push the next
//! one), spreads monitors of the same interval evenly, and after a restart every monitor
//! resumes at its next grid point: no burst.

use chrono::Duration;

use crate::clock::Timestamp;
use crate::ids::MonitorId;

/// The monitor's offset within its interval, in milliseconds: stable across restarts.
pub fn phase_ms(id: MonitorId, interval_seconds: u32) -> i64 {
    // FNV-1a over the id's bytes: cheap and well spread.
    let hash =
        id.0.as_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
            });
    (hash % (u64::from(interval_seconds.max(1)) * 1000)) as i64
}

/// How often a monitor is checked and how long one check may take: together they say when a
/// check is overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub interval_seconds: u32,
    pub timeout_ms: u32,
}

impl Cadence {
    pub fn of(settings: &super::settings::Settings) -> Cadence {
        Cadence {
            interval_seconds: settings.interval_seconds,
            timeout_ms: settings.request_timeout_ms,
        }
    }
}

/// The first grid point strictly after `after`.
pub fn next_due(id: MonitorId, interval_seconds: u32, after: Timestamp) -> Timestamp {
    let interval = i64::from(interval_seconds.max(1)) * 1000;
    let phase = phase_ms(id, interval_seconds);
    let t = after.timestamp_millis();
    let k = (t - phase).div_euclid(interval) + 1;
    crate::store::time::from_db(k * interval + phase)
}

/// The first check of a new or resumed monitor: soon (within 5 s, spread by phase) so the user
/// sees a result quickly, without every monitor of a bulk import firing at once.
pub fn first_due(id: MonitorId, interval_seconds: u32, now: Timestamp) -> Timestamp {
    let window = i64::from(interval_seconds.min(5)) * 1000;
    now + Duration::milliseconds(phase_ms(id, interval_seconds) % window.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> MonitorId {
        MonitorId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn due_times_sit_on_a_fixed_grid() {
        let now = chrono::Utc::now();
        let m = id(42);
        let first = next_due(m, 60, now);
        assert!(first > now && first - now <= Duration::seconds(60));
        // However late a check completes, the next due time stays on the grid.
        let late = first + Duration::milliseconds(12_345);
        assert_eq!(next_due(m, 60, late), first + Duration::seconds(60));
        assert_eq!(
            next_due(m, 60, first),
            first + Duration::seconds(60),
            "strictly after"
        );
        // After a long outage: the next grid point, not a backlog.
        let resumed = next_due(m, 60, first + Duration::hours(5) + Duration::seconds(1));
        assert_eq!(resumed, first + Duration::hours(5) + Duration::seconds(60));
    }

    #[test]
    fn monitors_of_one_interval_spread_over_it() {
        let now = chrono::Utc::now();
        let mut per_second = [0u32; 60];
        for n in 0..6000 {
            let due = next_due(id(n * 7919), 60, now);
            per_second[(due.timestamp() % 60) as usize] += 1;
        }
        // 100 per second on average; no second gets a burst.
        assert!(
            per_second.iter().all(|c| (50..=150).contains(c)),
            "{per_second:?}"
        );
    }

    #[test]
    fn first_checks_come_within_five_seconds() {
        let now = chrono::Utc::now();
        for n in 0..100 {
            let due = first_due(id(n), 60, now);
            assert!(due >= now && due - now < Duration::seconds(5));
        }
    }
}
