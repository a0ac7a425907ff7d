//! The loop of a job that acts when stored deadlines pass (task deadlines, maintenance window
//! ends): handle what is past due, in batches, then sleep until the earliest deadline (read
//! from the database, indexed) on the app clock, or until a commit marks the job's topic (a
//! deadline may have come closer), or until the server stops. Deadlines therefore fire on
//! time instead of on a polling period.

use futures_util::future::Either;
use rusqlite::Connection;
use tokio::sync::watch;

use super::Store;
use super::signals::Topic;
use crate::clock::{Clock, Timestamp};
use crate::error::Result;

/// What such a job does.
pub struct Job {
    /// Named in warnings: "could not {what}".
    pub what: &'static str,
    pub topic: Topic,
    /// Handles what is past due at `now`, at most `batch`; returns how many.
    pub pass: fn(&Connection, Timestamp) -> Result<usize>,
    pub batch: usize,
    /// The earliest deadline still ahead, if any.
    pub earliest: fn(&Connection) -> Result<Option<Timestamp>>,
}

/// Runs `job` until `stopped` turns true.
pub async fn run(job: Job, store: Store, clock: Clock, mut stopped: watch::Receiver<bool>) {
    let mut changed = store.watch(job.topic);
    loop {
        changed.mark_unchanged();
        let mut failed = false;
        loop {
            let now = clock.now();
            let pass = job.pass;
            match store.write(move |c| pass(c, now)).await {
                Ok(n) if n >= job.batch => continue,
                Ok(_) => break,
                Err(e) => {
                    log::warn!("could not {}: {e}", job.what);
                    failed = true;
                    break;
                }
            }
        }
        let next = match store.read(job.earliest).await {
            Ok(next) => next,
            Err(e) => {
                log::warn!("could not read when to {}: {e}", job.what);
                failed = true;
                None
            }
        };
        // After an error, retry in a second rather than spin on a deadline in the past.
        let wait = match (failed, next) {
            (true, _) => Either::Left(Either::Left(tokio::time::sleep(
                std::time::Duration::from_secs(1),
            ))),
            (false, Some(at)) => Either::Left(Either::Right(clock.sleep_until(at))),
            (false, None) => Either::Right(std::future::pending()),
        };
        tokio::select! {
            _ = wait => {}
            _ = changed.changed() => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}
