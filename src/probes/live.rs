//! What the server keeps in memory about probes: when each one's "last seen" was last written,
//! so a probe long-polling and posting results costs at most one write every few seconds besides
//! its results; the long poll waiting for each probe, so a probe holds at most one (a new one
//! answers the older at once: a probe that reconnected does not leave its lost poll waiting);
//! and the server's stop signal, so a waiting long poll answers at once at shutdown instead of
//! holding it for up to a minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use tokio::sync::{Notify, watch};

use crate::clock::Timestamp;
use crate::ids::ProbeId;

/// At most one "last seen" write per probe this often, outside results writes.
pub const SEEN_EVERY: Duration = Duration::seconds(5);

#[derive(Default)]
pub struct Live {
    written: Mutex<HashMap<ProbeId, Timestamp>>,
    polls: Mutex<HashMap<ProbeId, Arc<Notify>>>,
    stopping: Mutex<Option<watch::Receiver<bool>>>,
}

/// A probe's waiting long poll, registered until dropped.
pub struct Poll<'a> {
    live: &'a Live,
    id: ProbeId,
    /// Told when a newer poll of the same probe starts.
    pub superseded: Arc<Notify>,
}

impl Drop for Poll<'_> {
    fn drop(&mut self) {
        let mut polls = self.live.polls.lock().expect("probes lock");
        // Only its own entry: a newer poll has replaced it otherwise.
        if polls
            .get(&self.id)
            .is_some_and(|n| Arc::ptr_eq(n, &self.superseded))
        {
            polls.remove(&self.id);
        }
    }
}

impl Live {
    /// Whether a request of `id` at `now` writes its "last seen": none was written in the last
    /// `SEEN_EVERY`. Noted as written when it answers true.
    pub fn due(&self, id: ProbeId, now: Timestamp) -> bool {
        let mut written = self.written.lock().expect("probes lock");
        match written.get(&id) {
            Some(at) if now - *at < SEEN_EVERY && *at <= now => false,
            _ => {
                written.insert(id, now);
                true
            }
        }
    }

    /// A results write noted it at `now`.
    pub fn written(&self, id: ProbeId, now: Timestamp) {
        self.written.lock().expect("probes lock").insert(id, now);
    }

    /// Registers a long poll of `id` that waits; the one that waited before (if any) is told to
    /// answer now (a stored permit: told even if it is between two waits).
    pub fn poll(&self, id: ProbeId) -> Poll<'_> {
        let superseded = Arc::new(Notify::new());
        let older = self
            .polls
            .lock()
            .expect("probes lock")
            .insert(id, superseded.clone());
        if let Some(older) = older {
            older.notify_one();
        }
        Poll {
            live: self,
            id,
            superseded,
        }
    }

    pub fn forget(&self, id: ProbeId) {
        self.written.lock().expect("probes lock").remove(&id);
    }

    /// The server's stop signal (set once at start).
    pub fn stop_on(&self, stopped: watch::Receiver<bool>) {
        *self.stopping.lock().expect("probes lock") = Some(stopped);
    }

    /// Resolves once the server stops (never for an app that was not started as a server).
    pub async fn stopped(&self) {
        let rx = self.stopping.lock().expect("probes lock").clone();
        match rx {
            Some(mut rx) => {
                let _ = rx.wait_for(|s| *s).await;
            }
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_write_per_probe_every_five_seconds() {
        let live = Live::default();
        let t0 = crate::store::time::from_db(1_800_000_000_000);
        let (a, b) = (ProbeId::generate(), ProbeId::generate());
        let s = Duration::seconds;
        assert!(live.due(a, t0));
        assert!(!live.due(a, t0 + s(4)));
        assert!(live.due(b, t0 + s(4)), "each probe has its own rhythm");
        assert!(live.due(a, t0 + s(5)));
        live.written(a, t0 + s(20));
        assert!(!live.due(a, t0 + s(21)), "a results write counts");
        assert!(
            live.due(a, t0 - s(60)),
            "a clock set back does not stop the writes"
        );
    }

    #[tokio::test]
    async fn a_new_poll_of_a_probe_supersedes_the_one_waiting() {
        let live = Live::default();
        let (a, b) = (ProbeId::generate(), ProbeId::generate());
        let first = live.poll(a);
        let other = live.poll(b);
        let second = live.poll(a);
        // The permit is stored: the first poll is told even though it was not waiting yet.
        first.superseded.notified().await;
        drop(first);
        assert_eq!(live.polls.lock().unwrap().len(), 2, "the newer one stays");
        drop((second, other));
        assert!(live.polls.lock().unwrap().is_empty());
    }
}
