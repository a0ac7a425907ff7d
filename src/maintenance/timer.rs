//! The end timer: sleeps until the earliest planned end of a window's occurrence (indexed),
//! then ends what is over (`lifecycle::pass_ends`), on the app clock (`store::deadlines` runs
//! the loop). A write that plans an occurrence marks `Topic::Maintenance`; its commit wakes the
//! timer. Starts need no timer: whether a source is quiet is asked when it matters.

use std::sync::Arc;

use tokio::sync::watch;

use super::{lifecycle, store};
use crate::clock::Clock;
use crate::store::signals::Topic;
use crate::store::{Store, deadlines};

#[derive(Default)]
pub struct EndTimer;

impl EndTimer {
    pub async fn run(self: Arc<Self>, store: Store, clock: Clock, stopped: watch::Receiver<bool>) {
        let job = deadlines::Job {
            what: "end maintenance windows",
            topic: Topic::Maintenance,
            pass: lifecycle::pass_ends,
            batch: lifecycle::BATCH as usize,
            earliest: store::earliest_end,
        };
        deadlines::run(job, store, clock, stopped).await
    }
}
