//! Runs checks when they are due. Due times live in memory (loaded from the database at start,
//! updated by every recorded check and every change through the API); the loop sleeps until the
//! earliest one on the injectable clock. Each check runs in its own task, at most
//! `concurrency` at once, so a slow target never delays the others.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, Semaphore, watch};

use super::check::{CheckSpec, Checker};
use super::record::record_check;
use super::schedule::next_due;
use super::store;
use crate::clock::{Clock, Timestamp};
use crate::error::Result;
use crate::ids::MonitorId;
use crate::store::Store;

#[derive(Default)]
struct Queue {
    /// Earliest first; entries whose time no longer matches `due` are stale and skipped.
    heap: BinaryHeap<Reverse<(Timestamp, MonitorId)>>,
    due: HashMap<MonitorId, Timestamp>,
}

/// How checks have been keeping up with their schedule (for `/metrics` and the benchmark).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub checks: u64,
    /// Milliseconds between a check's due time and its start, last 10,000 checks.
    pub lateness_ms: VecDeque<u32>,
}

pub struct Scheduler {
    queue: Mutex<Queue>,
    changed: Notify,
    permits: Arc<Semaphore>,
    checker: Checker,
    stats: Mutex<Stats>,
}

impl Scheduler {
    pub fn new(concurrency: usize) -> Scheduler {
        Scheduler {
            queue: Mutex::default(),
            changed: Notify::new(),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            checker: Checker::new(),
            stats: Mutex::default(),
        }
    }

    /// (Re)schedules a monitor's next check.
    pub fn schedule(&self, id: MonitorId, due: Timestamp) {
        let mut q = self.queue.lock().expect("scheduler lock");
        q.due.insert(id, due);
        q.heap.push(Reverse((due, id)));
        drop(q);
        self.changed.notify_one();
    }

    /// Stops checking a monitor (paused, archived, deleted).
    pub fn unschedule(&self, id: MonitorId) {
        self.queue.lock().expect("scheduler lock").due.remove(&id);
    }

    pub fn stats(&self) -> Stats {
        self.stats.lock().expect("stats lock").clone()
    }

    /// How many monitors have a check scheduled.
    pub fn scheduled(&self) -> usize {
        self.queue.lock().expect("scheduler lock").due.len()
    }

    /// The earliest due time, dropping stale heap entries on the way.
    fn earliest(&self) -> Option<Timestamp> {
        let mut q = self.queue.lock().expect("scheduler lock");
        while let Some(Reverse((due, id))) = q.heap.peek().copied() {
            if q.due.get(&id) == Some(&due) {
                return Some(due);
            }
            q.heap.pop();
        }
        None
    }

    /// Removes and returns every monitor due at `now`.
    fn take_due(&self, now: Timestamp) -> Vec<(MonitorId, Timestamp)> {
        let mut q = self.queue.lock().expect("scheduler lock");
        let mut due = Vec::new();
        while let Some(Reverse((at, id))) = q.heap.peek().copied() {
            if at > now {
                break;
            }
            q.heap.pop();
            if q.due.get(&id) == Some(&at) {
                q.due.remove(&id);
                due.push((id, at));
            }
        }
        due
    }

    /// Loads the stored schedule and runs until `stopped` turns true. Due times missed while the
    /// server was down resume at their next grid point rather than all at once.
    pub async fn run(
        self: Arc<Self>,
        store: Store,
        clock: Clock,
        mut stopped: watch::Receiver<bool>,
    ) {
        if let Err(e) = self.load(&store, clock.now()).await {
            log::error!("cannot load the check schedule: {e}");
        }
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
            for (id, due) in self.take_due(clock.now()) {
                let (this, store, clock) = (self.clone(), store.clone(), clock.clone());
                tokio::spawn(async move { this.run_check(id, due, store, clock).await });
            }
        }
    }

    /// Schedules every stored monitor; due times missed while the server was down move to their
    /// next grid point, in the database too, so the recorded results match.
    async fn load(&self, store: &Store, now: Timestamp) -> Result<()> {
        let mut moves = Vec::new();
        for (id, due, interval) in store.read(store::schedule).await? {
            let due = if due < now {
                let next = next_due(id, interval, now);
                moves.push((id, due, next));
                next
            } else {
                due
            };
            self.schedule(id, due);
        }
        if !moves.is_empty() {
            log::info!(
                "{} monitor checks were missed while stopped; they resume at their next slot",
                moves.len()
            );
            store.write(move |c| store::reschedule(c, &moves)).await?;
        }
        Ok(())
    }

    async fn run_check(self: Arc<Self>, id: MonitorId, due: Timestamp, store: Store, clock: Clock) {
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return;
        };
        let started = clock.now();
        let next = match self.check_and_record(id, due, &store, &clock).await {
            Ok(next) => next,
            Err(e) => {
                log::warn!("check of monitor {id} could not be recorded: {e}");
                // Try again at the next grid point rather than never.
                store
                    .read(move |c| {
                        Ok(store::get_any(c, id)?.and_then(|m| {
                            m.next_check_at
                                .map(|_| next_due(id, m.settings.interval_seconds, started))
                        }))
                    })
                    .await
                    .ok()
                    .flatten()
            }
        };
        drop(permit);
        let mut stats = self.stats.lock().expect("stats lock");
        stats.checks += 1;
        if stats.lateness_ms.len() >= 10_000 {
            stats.lateness_ms.pop_front();
        }
        stats.lateness_ms.push_back(
            (started - due)
                .num_milliseconds()
                .clamp(0, i64::from(u32::MAX)) as u32,
        );
        drop(stats);
        if let Some(next) = next {
            self.schedule(id, next);
        }
    }

    async fn check_and_record(
        &self,
        id: MonitorId,
        due: Timestamp,
        store: &Store,
        clock: &Clock,
    ) -> Result<Option<Timestamp>> {
        let Some(monitor) = store.read(move |c| store::get_any(c, id)).await? else {
            return Ok(None);
        };
        if monitor.next_check_at != Some(due) {
            return Ok(None);
        }
        let outcome = self
            .checker
            .check(&CheckSpec::from_settings(&monitor.settings))
            .await;
        let now = clock.now();
        store
            .write(move |c| record_check(c, id, due, &outcome, now))
            .await
    }
}
