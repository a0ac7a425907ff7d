//! Runs each assigned check at its slot on the server's grid (`schedule::next_due` in server
//! time, woken at the matching local time), at most `--concurrency` at once with one shared
//! checker, and hands the results to the buffer. A new list takes effect at once: kept monitors
//! keep their next slot, new ones start at their next slot, removed ones stop.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};

use super::Shared;
use super::assignments::List;
use crate::clock::Timestamp;
use crate::ids::MonitorId;
use crate::monitors::kinds::{Checker, KindSettings};
use crate::monitors::remote::{Assignment, RemoteResult};
use crate::monitors::schedule::next_due;

/// The slot after `after` (server time) of an assignment.
pub fn next_slot(a: &Assignment, after: Timestamp) -> Timestamp {
    next_due(a.id, a.interval_seconds, after)
}

/// The next slot of a monitor just checked for `due`, at `server_now`: the one after `due`,
/// unless the probe is so far behind that it has passed too (then the next one to come: a
/// result more than an interval late would only be marked late).
pub fn following(a: &Assignment, due: Timestamp, server_now: Timestamp) -> Timestamp {
    next_slot(a, due.max(server_now))
}

struct Planned {
    assignment: Assignment,
    settings: Arc<KindSettings>,
    due: Timestamp,
}

/// The plan: each monitor's next slot, and the slots in order.
#[derive(Default)]
pub struct Plan {
    entries: HashMap<MonitorId, Planned>,
    queue: BTreeSet<(Timestamp, MonitorId)>,
}

impl Plan {
    /// Follows a new list at `server_now`.
    pub fn update(&mut self, list: &List, server_now: Timestamp) {
        self.entries.retain(|id, _| list.contains_key(id));
        for (id, a) in list.iter() {
            let settings = match a.check_settings() {
                Ok(s) => Arc::new(s),
                Err(e) => {
                    log::error!("monitor {id} cannot be checked here: {e}");
                    self.entries.remove(id);
                    continue;
                }
            };
            // The same grid as before: keep the slot already planned.
            let due = match self.entries.get(id) {
                Some(p) if p.assignment.interval_seconds == a.interval_seconds => p.due,
                _ => next_slot(a, server_now),
            };
            let assignment = a.clone();
            self.entries.insert(
                *id,
                Planned {
                    assignment,
                    settings,
                    due,
                },
            );
        }
        self.queue = self.entries.iter().map(|(id, p)| (p.due, *id)).collect();
    }

    /// The earliest slot planned.
    pub fn next(&self) -> Option<Timestamp> {
        self.queue.first().map(|(at, _)| *at)
    }

    /// The checks due at `server_now` (assignment, settings, slot), each moved to its next slot.
    fn take_due(
        &mut self,
        server_now: Timestamp,
    ) -> Vec<(Assignment, Arc<KindSettings>, Timestamp)> {
        let mut due = Vec::new();
        while let Some(&(at, id)) = self.queue.first() {
            if at > server_now {
                break;
            }
            self.queue.pop_first();
            let p = self
                .entries
                .get_mut(&id)
                .expect("queued entries are planned");
            due.push((p.assignment.clone(), p.settings.clone(), at));
            p.due = following(&p.assignment, at, server_now);
            self.queue.insert((p.due, id));
        }
        due
    }

    #[cfg(test)]
    fn due_of(&self, id: MonitorId) -> Option<Timestamp> {
        self.entries.get(&id).map(|p| p.due)
    }
}

/// Runs the checks until `stop` turns true, then waits for the ones under way (their results
/// go to the buffer).
pub async fn run(
    shared: Arc<Shared>,
    mut lists: watch::Receiver<List>,
    concurrency: usize,
    mut stop: watch::Receiver<bool>,
) {
    let checker = Arc::new(Checker::default());
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut plan = Plan::default();
    let mut longest = Duration::ZERO;
    loop {
        let wake = plan.next().map(|at| shared.local(at));
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            changed = lists.changed() => {
                if changed.is_err() {
                    break;
                }
                let list = lists.borrow_and_update().clone();
                plan.update(&list, shared.server_now());
            }
            _ = shared.clock.sleep_until(wake.unwrap_or_default()), if wake.is_some() => {
                for (a, settings, due) in plan.take_due(shared.server_now()) {
                    let timeout = Duration::from_millis(u64::from(a.timeout_ms));
                    longest = longest.max(timeout);
                    let (shared, checker, permits) = (shared.clone(), checker.clone(), permits.clone());
                    let lists = lists.clone();
                    tokio::spawn(async move {
                        let Ok(_permit) = permits.acquire_owned().await else { return };
                        let outcome = settings.check(&checker, timeout).await;
                        // Unassigned while it ran: the server would ignore the result.
                        if !lists.borrow().contains_key(&a.id) {
                            return;
                        }
                        shared.push(RemoteResult {
                            monitor_id: a.id,
                            due,
                            checked_at: shared.server_now(),
                            outcome: (&outcome).into(),
                        });
                    });
                }
            }
        }
    }
    // Permits are handed out in order: once all are ours, every check started has ended.
    let all = u32::try_from(concurrency.max(1)).unwrap_or(u32::MAX);
    let wait = longest + Duration::from_secs(5);
    if tokio::time::timeout(wait, permits.acquire_many(all))
        .await
        .is_err()
    {
        log::warn!(
            "stopping without the results of checks still running after {} s",
            wait.as_secs()
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::monitors::kinds::Kind;

    fn assignment(n: u128, interval: u32) -> Assignment {
        Assignment {
            id: MonitorId(uuid::Uuid::from_u128(n)),
            interval_seconds: interval,
            timeout_ms: 1000,
            kind: Kind::Http,
            settings: http_settings("http://127.0.0.1:9/"),
        }
    }

    fn http_settings(url: &str) -> serde_json::Value {
        let input = serde_json::from_value(serde_json::json!({ "url": url })).unwrap();
        let settings = KindSettings::create(Kind::Http, input).unwrap();
        serde_json::from_str(&settings.to_stored()).unwrap()
    }

    fn list(items: &[Assignment]) -> List {
        Arc::new(
            items
                .iter()
                .map(|a| (a.id, a.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn at(s: i64) -> Timestamp {
        crate::store::time::from_db(1_800_000_000_000 + s * 1000)
    }

    #[test]
    fn slots_follow_the_server_grid_and_skip_what_has_passed() {
        let a = assignment(7, 60);
        let first = next_slot(&a, at(0));
        // (due, server now, next slot)
        let cases = [
            (first, first, first + chrono::Duration::seconds(60)),
            // Run a little late: still the slot after `due`.
            (
                first,
                first + chrono::Duration::seconds(3),
                first + chrono::Duration::seconds(60),
            ),
            // Behind by more than an interval: the next slot to come.
            (
                first,
                first + chrono::Duration::seconds(150),
                first + chrono::Duration::seconds(180),
            ),
        ];
        for (due, now, next) in cases {
            assert_eq!(following(&a, due, now), next, "due {due} at {now}");
        }
        assert_eq!(next_slot(&a, at(0)), next_due(a.id, 60, at(0)));
    }

    #[test]
    fn a_new_list_keeps_slots_starts_new_monitors_and_drops_removed_ones() {
        let (kept, resized, removed, added) = (
            assignment(1, 60),
            assignment(2, 60),
            assignment(3, 60),
            assignment(4, 30),
        );
        let mut plan = Plan::default();
        plan.update(
            &list(&[kept.clone(), resized.clone(), removed.clone()]),
            at(0),
        );
        let taken = plan.take_due(at(61));
        assert_eq!(taken.len(), 3, "each is due once within a minute");
        let kept_due = plan.due_of(kept.id).unwrap();

        let resized = assignment(2, 120);
        plan.update(
            &list(&[kept.clone(), resized.clone(), added.clone()]),
            at(70),
        );
        assert_eq!(plan.due_of(kept.id), Some(kept_due));
        assert_eq!(
            plan.due_of(resized.id),
            Some(next_due(resized.id, 120, at(70)))
        );
        assert_eq!(plan.due_of(added.id), Some(next_due(added.id, 30, at(70))));
        assert_eq!(plan.due_of(removed.id), None);
        assert_eq!(
            plan.next(),
            [
                kept_due,
                plan.due_of(resized.id).unwrap(),
                plan.due_of(added.id).unwrap()
            ]
            .into_iter()
            .min()
        );
    }
}
