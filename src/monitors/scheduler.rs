//! Runs checks when they are due. Due times live in memory (loaded from the database at start,
//! updated by every recorded check and every change through the API); the loop sleeps until the
//! earliest one on the injectable clock. Each check runs in its own task, at most
//! `concurrency` at once, so a slow target never delays the others.
//!
//! A monitor leaves the schedule only through `unschedule` (pause, archive, delete) or a result
//! that says its stored schedule changed (an edit, which schedules it anew). Anything else that
//! goes wrong (the result cannot be written because the disk is full or another process holds
//! the database, the check panics) retries the check with a backoff: a monitoring tool that
//! silently stops watching is worse than one that is down.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use futures_util::FutureExt;
use tokio::sync::{Notify, Semaphore, mpsc, oneshot, watch};

use super::batch::{self, Pending};
use super::kinds::Checker;
use super::record::skip_check;
use super::schedule::{Cadence, next_due};
use super::store;
use crate::clock::{Clock, Timestamp};
use crate::error::{Error, Result};
use crate::ids::MonitorId;
use crate::maintenance::quieter::pauses_checks;
use crate::store::Store;

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// When the check starts.
    run_at: Timestamp,
    /// The monitor's `next_check_at` in the database: a result is recorded only against it, so
    /// a result that raced an edit is dropped.
    stored_due: Timestamp,
    /// When the oldest check not recorded yet was due: how far behind this monitor is.
    behind_since: Timestamp,
    cadence: Cadence,
    /// Attempts that failed in a row (the result could not be recorded).
    failures: u32,
    /// Taken by a check in flight.
    running: bool,
}

impl Entry {
    fn overdue(&self, now: Timestamp) -> bool {
        let allowed = Duration::seconds(i64::from(self.cadence.interval_seconds))
            + Duration::milliseconds(i64::from(self.cadence.timeout_ms))
            + OVERDUE_SLACK;
        now - self.behind_since > allowed
    }
}

/// How long the checks running at shutdown get to end. The server waits 10 s for `run` to
/// end before it closes the store; the rest is for recording the last results.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(8);

/// Scheduling jitter and the time to record a result, before a check counts as overdue.
const OVERDUE_SLACK: Duration = Duration::seconds(5);

/// The wait before checking again after a result could not be recorded: 1 s, doubling, at
/// most the monitor's interval and at most a minute.
pub fn retry_backoff(failures: u32, interval_seconds: u32) -> Duration {
    let cap = i64::from(interval_seconds.clamp(1, 60));
    Duration::seconds((1_i64 << failures.saturating_sub(1).min(6)).min(cap))
}

#[derive(Default)]
struct Queue {
    /// Earliest first; entries whose time no longer matches their monitor's are stale and skipped.
    heap: BinaryHeap<Reverse<(Timestamp, MonitorId)>>,
    entries: HashMap<MonitorId, Entry>,
}

impl Queue {
    fn put(&mut self, id: MonitorId, entry: Entry) {
        self.heap.push(Reverse((entry.run_at, id)));
        self.entries.insert(id, entry);
    }
}

/// How checks have been keeping up with their schedule (for `/metrics` and the benchmark).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub checks: u64,
    /// Milliseconds between a check's due time and its start, last 10,000 checks.
    pub lateness_ms: VecDeque<u32>,
    /// Check results that could not be recorded (and were retried), since start.
    pub record_failures: u64,
    /// Checks since start by kind and result: (kind word, passed) → count.
    pub results: BTreeMap<(&'static str, bool), u64>,
}

/// Whether the scheduler keeps up, for the watchdog.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Behind {
    /// Monitors whose last due check is not recorded after its interval and timeout.
    pub overdue: usize,
    /// Monitors whose latest result could not be recorded.
    pub failing: usize,
    /// Loading the schedule from the database failed, and it is not loaded yet.
    pub not_loaded: bool,
}

pub struct Scheduler {
    queue: Mutex<Queue>,
    changed: Notify,
    permits: Arc<Semaphore>,
    checker: Checker,
    stats: Mutex<Stats>,
    loaded: AtomicBool,
    load_failures: AtomicU32,
    /// Results on their way to be recorded in batches (`batch::run`, started by `run`).
    results: mpsc::UnboundedSender<Pending>,
    batches: Mutex<Option<mpsc::UnboundedReceiver<Pending>>>,
    /// Checks started and not ended: at shutdown, results are recorded until it is 0.
    in_flight: watch::Sender<usize>,
}

impl Scheduler {
    pub fn new(concurrency: usize) -> Scheduler {
        let (results, batches) = mpsc::unbounded_channel();
        Scheduler {
            results,
            batches: Mutex::new(Some(batches)),
            queue: Mutex::default(),
            changed: Notify::new(),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            checker: Checker::default(),
            stats: Mutex::default(),
            loaded: Default::default(),
            load_failures: Default::default(),
            in_flight: watch::channel(0).0,
        }
    }

    /// (Re)schedules a monitor whose stored `next_check_at` is now `due`.
    pub fn schedule(&self, id: MonitorId, due: Timestamp, cadence: Cadence) {
        let entry = Entry {
            run_at: due,
            stored_due: due,
            behind_since: due,
            cadence,
            failures: 0,
            running: false,
        };
        self.queue.lock().expect("scheduler lock").put(id, entry);
        self.changed.notify_one();
    }

    /// Stops checking a monitor (paused, archived, deleted).
    pub fn unschedule(&self, id: MonitorId) {
        self.queue
            .lock()
            .expect("scheduler lock")
            .entries
            .remove(&id);
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().expect("stats lock").clone()
    }

    /// How many monitors have a check scheduled.
    pub fn scheduled(&self) -> usize {
        self.queue.lock().expect("scheduler lock").entries.len()
    }

    /// Where the schedule stands at `now` (a scan: called every few seconds, not per check).
    pub fn behind(&self, now: Timestamp) -> Behind {
        let q = self.queue.lock().expect("scheduler lock");
        Behind {
            overdue: q.entries.values().filter(|e| e.overdue(now)).count(),
            failing: q.entries.values().filter(|e| e.failures > 0).count(),
            not_loaded: self.load_failures.load(Ordering::Relaxed) > 0
                && !self.loaded.load(Ordering::Relaxed),
        }
    }

    /// The earliest start time, dropping stale heap entries on the way.
    fn earliest(&self) -> Option<Timestamp> {
        let mut q = self.queue.lock().expect("scheduler lock");
        while let Some(Reverse((at, id))) = q.heap.peek().copied() {
            if q.entries
                .get(&id)
                .is_some_and(|e| !e.running && e.run_at == at)
            {
                return Some(at);
            }
            q.heap.pop();
        }
        None
    }

    /// Marks every monitor due at `now` as running and returns them with their stored due time.
    fn take_due(&self, now: Timestamp) -> Vec<(MonitorId, Entry)> {
        let mut q = self.queue.lock().expect("scheduler lock");
        let mut due = Vec::new();
        while let Some(Reverse((at, id))) = q.heap.peek().copied() {
            if at > now {
                break;
            }
            q.heap.pop();
            if let Some(e) = q.entries.get_mut(&id)
                && !e.running
                && e.run_at == at
            {
                e.running = true;
                due.push((id, *e));
            }
        }
        due
    }

    /// A check taken as `taken` ended. `Ok(Some(next))`: recorded, next stored due time.
    /// `Ok(None)`: the stored schedule changed meanwhile, whoever changed it rescheduled (or
    /// unscheduled) the monitor. `Err`: nothing recorded, so check again after a backoff.
    /// An entry replaced or removed while the check ran is left alone.
    fn finish(
        &self,
        id: MonitorId,
        taken: Entry,
        result: Result<Option<Timestamp>>,
        now: Timestamp,
    ) {
        let mut q = self.queue.lock().expect("scheduler lock");
        let Some(current) = q.entries.get(&id).copied() else {
            return;
        };
        if !current.running || current.stored_due != taken.stored_due {
            return;
        }
        match result {
            Ok(Some(next)) => q.put(
                id,
                Entry {
                    run_at: next,
                    stored_due: next,
                    behind_since: next,
                    failures: 0,
                    running: false,
                    ..current
                },
            ),
            Ok(None) => {
                q.entries.remove(&id);
            }
            Err(e) => {
                let failures = current.failures.saturating_add(1);
                let wait = retry_backoff(failures, current.cadence.interval_seconds);
                log::warn!(
                    "check of monitor {id} could not be recorded ({e}); checking it again in {} s",
                    wait.num_seconds()
                );
                q.put(
                    id,
                    Entry {
                        run_at: now + wait,
                        failures,
                        running: false,
                        ..current
                    },
                );
            }
        }
        drop(q);
        self.changed.notify_one();
    }

    /// Loads the stored schedule and runs until `stopped` turns true; then lets the checks
    /// running end (for `SHUTDOWN_GRACE` at most) and records their results: a check that ended
    /// is recorded, the store is still open.
    pub async fn run(self: Arc<Self>, store: Store, clock: Clock, stopped: watch::Receiver<bool>) {
        let (stop_recording, recording_stopped) = watch::channel(false);
        let batches = self.batches.lock().expect("scheduler lock").take();
        let recorder = batches
            .map(|results| tokio::spawn(batch::run(store.clone(), results, recording_stopped)));
        self.clone()
            .schedule_until_stopped(store, clock, stopped)
            .await;
        let mut in_flight = self.in_flight.subscribe();
        let ended = tokio::time::timeout(SHUTDOWN_GRACE, in_flight.wait_for(|n| *n == 0))
            .await
            .is_ok();
        if !ended {
            let running = *self.in_flight.borrow();
            log::warn!(
                "{running} checks still running at shutdown; their results are not recorded"
            );
        }
        let _ = stop_recording.send(true);
        if let Some(recorder) = recorder {
            let _ = recorder.await;
        }
    }

    async fn schedule_until_stopped(
        self: Arc<Self>,
        store: Store,
        clock: Clock,
        mut stopped: watch::Receiver<bool>,
    ) {
        // The schedule is the one thing this loop cannot work without: retry until it loads.
        let mut failures = 0;
        while let Err(e) = self.load(&store, clock.now()).await {
            failures += 1;
            self.load_failures.store(failures, Ordering::Relaxed);
            let wait = retry_backoff(failures, 30);
            log::error!(
                "cannot load the check schedule ({e}); retrying in {} s",
                wait.num_seconds()
            );
            tokio::select! {
                _ = clock.sleep_until(clock.now() + wait) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
        self.loaded.store(true, Ordering::Relaxed);
        loop {
            let wait = match self.earliest() {
                Some(at) => futures_util::future::Either::Left(clock.sleep_until(at)),
                None => futures_util::future::Either::Right(std::future::pending()),
            };
            tokio::select! {
                _ = wait => {}
                _ = self.changed.notified() => continue,
                _ = stopped.wait_for(|s| *s) => return,
            }
            for (id, entry) in self.take_due(clock.now()) {
                let (this, store, clock) = (self.clone(), store.clone(), clock.clone());
                self.in_flight.send_modify(|n| *n += 1);
                tokio::spawn(async move {
                    this.clone().run_check(id, entry, store, clock).await;
                    this.in_flight.send_modify(|n| *n -= 1);
                });
            }
        }
    }

    /// Schedules every stored monitor. A due time missed while the server was down runs at its
    /// next grid point rather than all at once; its result is still recorded against the stored
    /// due time, so loading writes nothing (and works on a full disk).
    async fn load(&self, store: &Store, now: Timestamp) -> Result<()> {
        let rows = store.read(store::schedule).await?;
        let mut q = self.queue.lock().expect("scheduler lock");
        let mut missed = 0;
        for (id, stored_due, cadence) in rows {
            if q.entries.contains_key(&id) {
                continue; // scheduled by the API since start: that is newer
            }
            let run_at = if stored_due < now {
                missed += 1;
                next_due(id, cadence.interval_seconds, now)
            } else {
                stored_due
            };
            let entry = Entry {
                run_at,
                stored_due,
                behind_since: run_at,
                cadence,
                failures: 0,
                running: false,
            };
            q.put(id, entry);
        }
        drop(q);
        if missed > 0 {
            log::info!(
                "{missed} monitor checks were missed while stopped; they resume at their next slot"
            );
        }
        self.changed.notify_one();
        Ok(())
    }

    async fn run_check(self: Arc<Self>, id: MonitorId, entry: Entry, store: Store, clock: Clock) {
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return;
        };
        let started = clock.now();
        let result = AssertUnwindSafe(self.check_and_record(id, entry, &store, &clock, permit))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Err(Error::internal(format!(
                    "the check of monitor {id} panicked"
                )))
            });
        let mut stats = self.stats.lock().expect("stats lock");
        stats.checks += 1;
        if result.is_err() {
            stats.record_failures += 1;
        }
        if stats.lateness_ms.len() >= 10_000 {
            stats.lateness_ms.pop_front();
        }
        stats.lateness_ms.push_back(
            (started - entry.run_at)
                .num_milliseconds()
                .clamp(0, i64::from(u32::MAX)) as u32,
        );
        drop(stats);
        self.finish(id, entry, result, clock.now());
    }

    async fn check_and_record(
        &self,
        id: MonitorId,
        entry: Entry,
        store: &Store,
        clock: &Clock,
        // Held until the result is recorded (a remote slot releases it after its local check).
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> Result<Option<Timestamp>> {
        let (due, now) = (entry.stored_due, clock.now());
        // One read for both: each read after a commit starts from an empty page cache.
        let still_due = store
            .read(move |c| {
                let Some(monitor) = store::get_any(c, id)? else {
                    return Ok(None);
                };
                if monitor.next_check_at != Some(due) {
                    return Ok(None);
                }
                let org = monitor.organization_id;
                let paused = pauses_checks(c, org, &id.to_string(), now)?;
                Ok(Some((monitor, paused)))
            })
            .await?;
        let Some((monitor, paused)) = still_due else {
            return Ok(None);
        };
        if paused {
            // A maintenance window pauses its checks: no check, no result, the next slot.
            return store.write(move |c| skip_check(c, id, due, now)).await;
        }
        if super::locations::select::has_selector(&monitor.settings.locations) {
            use super::locations::slot;
            // The slot actually run (a missed or retried one runs later than it was stored).
            let due = slot::Due {
                stored: due,
                at: entry.run_at.max(due),
            };
            let kind = monitor.settings.kind.kind().as_str();
            let count = |outcome: &super::check::CheckOutcome| self.count(kind, outcome.ok());
            return slot::run(&self.checker, monitor, due, store, clock, permit, count).await;
        }
        let settings = &monitor.settings;
        let outcome = settings.kind.check(&self.checker, settings.timeout()).await;
        self.count(settings.kind.kind().as_str(), outcome.ok());
        let (done, recorded) = oneshot::channel();
        let now = clock.now();
        let pending = Pending {
            id,
            due,
            outcome,
            now,
            done,
        };
        let stopping = || Error::unavailable("the server is stopping; the result was not recorded");
        self.results.send(pending).map_err(|_| stopping())?;
        let recorded = recorded.await.unwrap_or_else(|_| Err(stopping()));
        drop(permit);
        recorded
    }

    /// Counts a check's result by kind, for `/metrics`.
    fn count(&self, kind: &'static str, ok: bool) {
        *(self.stats.lock().expect("stats lock").results)
            .entry((kind, ok))
            .or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_backoff_doubles_up_to_the_interval_and_a_minute() {
        let rows = [
            // (failures, interval, expected seconds)
            (1, 60, 1),
            (2, 60, 2),
            (3, 60, 4),
            (6, 60, 32),
            (7, 60, 60),
            (30, 3600, 60),
            (4, 5, 5),
            (1, 0, 1),
        ];
        for (failures, interval, expected) in rows {
            assert_eq!(
                retry_backoff(failures, interval).num_seconds(),
                expected,
                "failures {failures}, interval {interval}"
            );
        }
    }

    #[test]
    fn a_check_is_overdue_past_its_interval_timeout_and_slack() {
        let t0 = crate::store::time::from_db(1_000_000_000_000);
        let entry = Entry {
            run_at: t0,
            stored_due: t0,
            behind_since: t0,
            cadence: Cadence {
                interval_seconds: 60,
                timeout_ms: 10_000,
            },
            failures: 0,
            running: false,
        };
        let rows = [
            (0, false),
            (60, false),
            (75, false),
            (76, true),
            (600, true),
        ];
        for (after, overdue) in rows {
            assert_eq!(
                entry.overdue(t0 + Duration::seconds(after)),
                overdue,
                "{after} s after"
            );
        }
    }
}
