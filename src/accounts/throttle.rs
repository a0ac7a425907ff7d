//! Slowing down password guessing without letting one person's failures lock out another.
//!
//! A login is counted under three keys, each with its own free failures after which every
//! further attempt must wait twice as long as the last, up to 15 minutes:
//! - the account from this client address (5 free): one guesser on one account;
//! - the client address, whatever the account (20 free): one guesser spraying many accounts;
//! - the account, whatever the address (30 free): one account guessed from many addresses. An
//!   address that has logged in to that account before skips this key, so its owner is not
//!   locked out by strangers' failures.
//!
//! All keys are checked before any is counted: an attempt refused by the throttle counts for
//! nothing. An admitted attempt counts as a failure from the start (so concurrent guesses
//! cannot all slip in while the slow password hash runs); a success takes its own count back and
//! clears only the account-from-this-address key, since the other keys may hold someone else's
//! failures. Kept in memory: a restart forgets it, which costs an attacker a restart of ours.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::Duration;

use crate::clock::Timestamp;

const MAX_DELAY: Duration = Duration::minutes(15);
/// Failures are forgotten after this long without a new one.
const FORGET_AFTER: Duration = Duration::hours(1);
/// How long an address that logged in to an account stays exempt from the account-wide key.
const KNOWN_FOR: Duration = Duration::days(30);
/// Bound on remembered keys of each kind, so a flood of random e-mails cannot grow memory
/// without limit.
const MAX_KEYS: usize = 50_000;

const FREE_PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Several people may share one NAT.
const FREE_PER_ADDRESS: u32 = 20;
const FREE_PER_ACCOUNT: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    failures: u32,
    last_failure: Timestamp,
}

/// The wait before the next attempt after `failures`, of which `free` cost nothing.
fn delay(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let doublings = (failures - free).min(10);
    Duration::seconds(1i64 << doublings).min(MAX_DELAY)
}

/// Failures counted under one kind of key.
struct Counter {
    free: u32,
    entries: HashMap<String, Entry>,
}

impl Counter {
    fn new(free: u32) -> Counter {
        Counter {
            free,
            entries: HashMap::new(),
        }
    }

    /// `Err(seconds)` when `key` must wait before its next attempt.
    fn check(&self, key: &str, now: Timestamp) -> Result<(), u64> {
        let Some(entry) = self.entries.get(key) else {
            return Ok(());
        };
        if now - entry.last_failure >= FORGET_AFTER {
            return Ok(());
        }
        let ready_at = entry.last_failure + delay(entry.failures, self.free);
        if now < ready_at {
            Err((ready_at - now).num_seconds().max(1) as u64)
        } else {
            Ok(())
        }
    }

    fn fail(&mut self, key: &str, now: Timestamp) {
        if self.entries.len() >= MAX_KEYS {
            self.entries
                .retain(|_, e| now - e.last_failure < FORGET_AFTER);
        }
        let entry = self.entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            last_failure: now,
        });
        if now - entry.last_failure >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure = now;
    }

    fn forgive_one(&mut self, key: &str) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.failures = entry.failures.saturating_sub(1);
        }
    }

    fn clear(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

struct State {
    per_account_and_address: Counter,
    per_address: Counter,
    per_account: Counter,
    /// (account, address) pairs that logged in, and when.
    known: HashMap<String, Timestamp>,
}

pub struct LoginThrottle {
    state: Mutex<State>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            state: Mutex::new(State {
                per_account_and_address: Counter::new(FREE_PER_ACCOUNT_AND_ADDRESS),
                per_address: Counter::new(FREE_PER_ADDRESS),
                per_account: Counter::new(FREE_PER_ACCOUNT),
                known: HashMap::new(),
            }),
        }
    }
}

/// The keys of one login attempt. The account is the e-mail as typed, trimmed and lowercased.
pub struct LoginKeys {
    account: String,
    address: String,
    pair: String,
}

impl LoginKeys {
    pub fn new(email: &str, address: Option<IpAddr>) -> LoginKeys {
        let account = email.trim().to_lowercase();
        let address = address.map(|a| a.to_string()).unwrap_or_default();
        LoginKeys {
            pair: format!("{account}\n{address}"),
            account,
            address,
        }
    }
}

impl LoginThrottle {
    /// Checks every key of `keys` and, only if all let it through, counts the attempt as a
    /// failure under each until `succeeded` says otherwise, atomically. `Err(seconds)` to wait.
    pub fn admit(&self, keys: &LoginKeys, now: Timestamp) -> Result<(), u64> {
        let mut s = self.state.lock().expect("throttle lock");
        let known = s
            .known
            .get(&keys.pair)
            .is_some_and(|at| now - *at < KNOWN_FOR);
        let waits = [
            s.per_account_and_address.check(&keys.pair, now),
            s.per_address.check(&keys.address, now),
            if known {
                Ok(())
            } else {
                s.per_account.check(&keys.account, now)
            },
        ];
        if let Some(longest) = waits.iter().filter_map(|w| w.err()).max() {
            return Err(longest);
        }
        s.per_account_and_address.fail(&keys.pair, now);
        s.per_address.fail(&keys.address, now);
        s.per_account.fail(&keys.account, now);
        Ok(())
    }

    /// The admitted attempt was right but the sign-in is not over (a second factor follows): its
    /// own count is taken back everywhere, and nothing is cleared.
    pub fn forgive(&self, keys: &LoginKeys) {
        let mut s = self.state.lock().expect("throttle lock");
        s.per_account_and_address.forgive_one(&keys.pair);
        s.per_address.forgive_one(&keys.address);
        s.per_account.forgive_one(&keys.account);
    }

    /// The admitted attempt had the right password: its own count is taken back everywhere,
    /// this account-from-this-address starts afresh, and the address becomes known.
    pub fn succeeded(&self, keys: &LoginKeys, now: Timestamp) {
        let mut s = self.state.lock().expect("throttle lock");
        s.per_account_and_address.clear(&keys.pair);
        s.per_address.forgive_one(&keys.address);
        s.per_account.forgive_one(&keys.account);
        if s.known.len() >= MAX_KEYS {
            s.known.retain(|_, at| now - *at < KNOWN_FOR);
        }
        s.known.insert(keys.pair.clone(), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        chrono::DateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(seconds)
    }

    fn keys(email: &str, address: &str) -> LoginKeys {
        LoginKeys::new(email, Some(address.parse().unwrap()))
    }

    #[test]
    fn delay_table() {
        // (failures so far, free failures, wait in seconds before the next attempt)
        let table = [
            (0, 3, 0),
            (2, 3, 0),
            (3, 3, 1),
            (4, 3, 2),
            (6, 3, 8),
            (12, 3, 512),
            (13, 3, 900),
            (40, 3, 900),
            (19, 20, 0),
            (20, 20, 1),
        ];
        for (failures, free, wait) in table {
            assert_eq!(
                delay(failures, free).num_seconds(),
                wait,
                "{failures}/{free}"
            );
        }
    }

    #[test]
    fn counter_waits_then_forgets() {
        let mut c = Counter::new(1);
        c.fail("k", at(0));
        assert_eq!(c.check("k", at(0)), Err(1));
        assert_eq!(c.check("k", at(1)), Ok(()));
        for _ in 0..40 {
            c.fail("k", at(1));
        }
        assert_eq!(c.check("k", at(1)), Err(15 * 60));
        assert_eq!(c.check("k", at(1) + FORGET_AFTER), Ok(()));
        c.fail("k", at(1) + FORGET_AFTER);
        assert_eq!(c.check("k", at(1) + FORGET_AFTER), Err(1));
        assert_eq!(c.check("other", at(1)), Ok(()));
    }

    /// Admits attempts of `keys` at `now` until one is refused, each failing; returns how many.
    fn failures_until_refused(t: &LoginThrottle, keys: &LoginKeys, now: Timestamp) -> usize {
        (0..100).take_while(|_| t.admit(keys, now).is_ok()).count()
    }

    #[test]
    fn each_key_has_its_own_free_failures() {
        // (who fails, failing as, expected free failures before the first refusal)
        let t = LoginThrottle::default();
        assert_eq!(
            failures_until_refused(&t, &keys("a@x", "192.0.2.1"), at(0)),
            5
        );
        // Same address, other accounts: the address has 20 in all, 5 already spent.
        let spray = (0..10)
            .map(|i| failures_until_refused(&t, &keys(&format!("{i}@x"), "192.0.2.1"), at(0)))
            .sum::<usize>();
        assert_eq!(spray, 15);
        // One account from many addresses: 30 in all.
        let t = LoginThrottle::default();
        let distributed = (0..10)
            .map(|i| failures_until_refused(&t, &keys("a@x", &format!("198.51.100.{i}")), at(0)))
            .sum::<usize>();
        assert_eq!(distributed, 30);
    }

    #[test]
    fn a_refused_attempt_counts_for_nothing() {
        let t = LoginThrottle::default();
        let guesser = keys("a@x", "192.0.2.1");
        for _ in 0..5 {
            t.admit(&guesser, at(0)).unwrap();
        }
        // Refused many times: neither the address nor the account collects failures.
        for _ in 0..50 {
            assert_eq!(t.admit(&guesser, at(0)), Err(1));
        }
        assert_eq!(
            failures_until_refused(&t, &keys("b@x", "192.0.2.1"), at(0)),
            5
        );
        assert_eq!(
            failures_until_refused(&t, &keys("a@x", "192.0.2.2"), at(0)),
            5
        );
        // And the guesser's own wait did not grow while refused.
        assert_eq!(t.admit(&guesser, at(1)), Ok(()));
    }

    #[test]
    fn others_failures_never_refuse_a_known_owner() {
        let t = LoginThrottle::default();
        let owner = keys("a@x", "192.0.2.1");
        t.admit(&owner, at(0)).unwrap();
        t.succeeded(&owner, at(0));
        // Strangers exhaust the account-wide key.
        let strangers = (0..40)
            .map(|i| failures_until_refused(&t, &keys("a@x", &format!("198.51.100.{i}")), at(1)))
            .sum::<usize>();
        assert_eq!(strangers, 30);
        assert!(t.admit(&keys("a@x", "203.0.113.1"), at(1)).is_err());
        // The owner's usual address still gets in, and a success clears only its own key.
        assert_eq!(t.admit(&owner, at(1)), Ok(()));
        t.succeeded(&owner, at(1));
        assert!(t.admit(&keys("a@x", "203.0.113.1"), at(1)).is_err());
    }

    #[test]
    fn a_right_password_before_a_second_factor_clears_nothing() {
        let t = LoginThrottle::default();
        let k = keys("a@x", "192.0.2.1");
        // Wrong codes, each after a right password: the password attempts are taken back, the
        // codes' failures stay, so retyping the password buys no more guesses.
        for _ in 0..5 {
            t.admit(&k, at(0)).unwrap();
            t.forgive(&k);
            t.admit(&k, at(0)).unwrap();
        }
        assert_eq!(t.admit(&k, at(0)), Err(1));
        // The address's count holds the codes' 5 failures only: 15 of its 20 are left.
        let spray = (0..10)
            .map(|i| failures_until_refused(&t, &keys(&format!("{i}@x"), "192.0.2.1"), at(0)))
            .sum::<usize>();
        assert_eq!(spray, 15);
    }

    #[test]
    fn concurrent_guesses_cannot_all_slip_in() {
        let t = LoginThrottle::default();
        let k = keys("a@x", "192.0.2.1");
        let admitted = (0..10).filter(|_| t.admit(&k, at(0)).is_ok()).count();
        assert_eq!(
            admitted, 5,
            "guesses beyond the free ones wait for the outcome"
        );
        t.succeeded(&k, at(0));
        assert_eq!(t.admit(&k, at(0)), Ok(()));
    }
}
