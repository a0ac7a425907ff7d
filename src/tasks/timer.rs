//! The deadline timer: sleeps until the earliest task deadline or run heartbeat deadline (read
//! from the database, indexed), then moves what is past due. Deadlines therefore fire on time, on
//! the injectable clock, instead of on a polling period. A write that may bring a deadline
//! closer marks `Topic::TaskDeadlines`; its commit wakes the timer.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::Either;
use tokio::sync::watch;

use super::lifecycle::{BATCH, pass_deadlines};
use super::store::earliest_deadline;
use crate::clock::Clock;
use crate::store::Store;
use crate::store::signals::Topic;

#[derive(Default)]
pub struct DeadlineTimer;

impl DeadlineTimer {
    pub async fn run(
        self: Arc<Self>,
        store: Store,
        clock: Clock,
        mut stopped: watch::Receiver<bool>,
    ) {
        let mut changed = store.watch(Topic::TaskDeadlines);
        loop {
            changed.mark_unchanged();
            let mut failed = false;
            loop {
                let now = clock.now();
                match store.write(move |c| pass_deadlines(c, now)).await {
                    Ok(n) if n >= BATCH as usize => continue,
                    Ok(_) => break,
                    Err(e) => {
                        log::warn!("could not update task statuses: {e}");
                        failed = true;
                        break;
                    }
                }
            }
            let next = match store.read(earliest_deadline).await {
                Ok(next) => next,
                Err(e) => {
                    log::warn!("could not read task deadlines: {e}");
                    failed = true;
                    None
                }
            };
            // After an error, retry in a second rather than spin on a deadline in the past.
            let wait = match (failed, next) {
                (true, _) => Either::Left(Either::Left(tokio::time::sleep(Duration::from_secs(1)))),
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
}
