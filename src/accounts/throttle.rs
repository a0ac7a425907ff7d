//! Slowing down password guessing. After a few free failures, each further attempt on the same
//! account (or from the same client address) must wait twice as long as the last, up to 15
//! minutes. Kept in memory: a restart forgets it, which costs an attacker a restart of ours.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::Duration;

use crate::clock::Timestamp;

const MAX_DELAY: Duration = Duration::minutes(15);
/// Failures are forgotten after this long without a new one.
const FORGET_AFTER: Duration = Duration::hours(1);
/// Bound on remembered keys, so a flood of random e-mails cannot grow memory without limit.
const MAX_KEYS: usize = 50_000;

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Timestamp,
}

pub struct Throttle {
    free_attempts: u32,
    /// Serializes `attempt`'s check-then-count.
    attempts: Mutex<()>,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Throttle {
    pub fn new(free_attempts: u32) -> Self {
        Throttle {
            free_attempts,
            attempts: Mutex::new(()),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` when `key` must wait before its next attempt.
    pub fn check(&self, key: &str, now: Timestamp) -> Result<(), u64> {
        let entries = self.entries.lock().expect("throttle lock");
        let Some(entry) = entries.get(key) else {
            return Ok(());
        };
        let ready_at = entry.last_failure + self.delay(entry.failures);
        if now < ready_at {
            Err((ready_at - now).num_seconds().max(1) as u64)
        } else {
            Ok(())
        }
    }

    /// Checks `key` and, if it may try, counts this attempt as a failure until `record_success`
    /// says otherwise, atomically.
    pub fn attempt(&self, key: &str, now: Timestamp) -> Result<(), u64> {
        let _serial = self.attempts.lock().expect("throttle lock");
        self.check(key, now)?;
        self.record_failure(key, now);
        Ok(())
    }

    pub fn record_failure(&self, key: &str, now: Timestamp) {
        let mut entries = self.entries.lock().expect("throttle lock");
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, e| now - e.last_failure < FORGET_AFTER);
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            last_failure: now,
        });
        if now - entry.last_failure >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure = now;
    }

    /// Takes back the failure `attempt` counted, for an attempt that succeeded, keeping the
    /// others (an address shared by a guesser and a legitimate user).
    pub fn forgive_one(&self, key: &str) {
        let mut entries = self.entries.lock().expect("throttle lock");
        if let Some(entry) = entries.get_mut(key) {
            entry.failures = entry.failures.saturating_sub(1);
        }
    }

    pub fn record_success(&self, key: &str) {
        self.entries.lock().expect("throttle lock").remove(key);
    }

    fn delay(&self, failures: u32) -> Duration {
        if failures < self.free_attempts {
            return Duration::zero();
        }
        let doublings = (failures - self.free_attempts).min(10);
        Duration::seconds(1i64 << doublings).min(MAX_DELAY)
    }
}

/// The two throttles a login consults.
pub struct LoginThrottle {
    pub per_account: Throttle,
    pub per_address: Throttle,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        // An address gets more free attempts: several people may share one NAT or proxy.
        LoginThrottle {
            per_account: Throttle::new(5),
            per_address: Throttle::new(20),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_attempts_and_reset_on_success() {
        let t = Throttle::new(3);
        let mut now = chrono::Utc::now();
        // (failures recorded so far, expected wait in seconds before the next attempt)
        let table = [
            (0, None),
            (1, None),
            (2, None),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(4)),
            (6, Some(8)),
        ];
        let mut recorded = 0;
        for (failures, wait) in table {
            while recorded < failures {
                t.record_failure("k", now);
                recorded += 1;
            }
            assert_eq!(t.check("k", now).err(), wait, "after {failures} failures");
            if let Some(w) = wait {
                assert!(t.check("k", now + Duration::seconds(w as i64)).is_ok());
            }
        }
        now += Duration::seconds(60);
        t.record_success("k");
        assert!(t.check("k", now).is_ok());
    }

    #[test]
    fn attempts_count_before_their_outcome_is_known() {
        let t = Throttle::new(3);
        let now = chrono::Utc::now();
        let admitted = (0..10).filter(|_| t.attempt("k", now).is_ok()).count();
        assert_eq!(admitted, 3, "concurrent guesses beyond the free ones wait");
        t.record_success("k");
        assert!(t.attempt("k", now).is_ok());
    }

    #[test]
    fn delay_is_capped_and_failures_are_forgotten() {
        let t = Throttle::new(1);
        let now = chrono::Utc::now();
        for _ in 0..40 {
            t.record_failure("k", now);
        }
        assert_eq!(t.check("k", now).err(), Some(15 * 60));
        let later = now + FORGET_AFTER;
        t.record_failure("k", later);
        assert_eq!(t.check("k", later).err(), Some(1));
        assert!(t.check("other", later).is_ok());
    }
}
