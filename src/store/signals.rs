//! Telling background jobs that the data they wait on changed — after the commit, never before.
//! A write job calls `mark(Topic)`; the writer keeps the marks of the jobs that succeed and, once
//! the batch is committed, bumps each marked topic's watch. A job rolled back leaves no mark, so
//! no one wakes for a change that was not stored, and no one sleeps through one that was.

use std::cell::RefCell;

use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// A notification was queued or rescheduled.
    Outbox,
    /// A task deadline or a run's heartbeat deadline may have come closer.
    TaskDeadlines,
    /// A maintenance window's planned end may have come closer.
    Maintenance,
}

const TOPICS: usize = 3;

thread_local! {
    /// Marks of the batch being written (the writer thread's only).
    static MARKS: RefCell<Vec<Topic>> = const { RefCell::new(Vec::new()) };
}

/// Inside a write job: `topic` changed.
pub fn mark(topic: Topic) {
    MARKS.with(|m| m.borrow_mut().push(topic));
}

/// How many marks there are, to roll a failed job's back with `truncate`.
pub(super) fn count() -> usize {
    MARKS.with(|m| m.borrow().len())
}

pub(super) fn truncate(len: usize) {
    MARKS.with(|m| m.borrow_mut().truncate(len));
}

/// Takes the batch's marks.
pub(super) fn take() -> Vec<Topic> {
    MARKS.with(|m| std::mem::take(&mut *m.borrow_mut()))
}

/// One watch per topic; its value counts the commits that marked it.
pub struct Signals([watch::Sender<u64>; TOPICS]);

impl Default for Signals {
    fn default() -> Self {
        Signals([
            watch::channel(0).0,
            watch::channel(0).0,
            watch::channel(0).0,
        ])
    }
}

impl Signals {
    pub fn subscribe(&self, topic: Topic) -> watch::Receiver<u64> {
        self.0[topic as usize].subscribe()
    }

    pub(super) fn notify(&self, topics: &[Topic]) {
        for topic in topics {
            self.0[*topic as usize].send_modify(|n| *n += 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::store::Store;

    #[tokio::test]
    async fn a_commit_signals_only_what_its_successful_jobs_marked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (outbox, tasks) = (
            store.watch(Topic::Outbox),
            store.watch(Topic::TaskDeadlines),
        );
        let failed = store
            .write(|_| -> crate::error::Result<()> {
                mark(Topic::Outbox);
                Err(Error::bad_request("test", "rolled back"))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(*outbox.borrow(), 0, "a rolled-back job wakes no one");
        store
            .write(|_| {
                mark(Topic::Outbox);
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(
            *outbox.borrow(),
            1,
            "signalled before the caller hears back"
        );
        assert_eq!(*tasks.borrow(), 0, "other topics stay quiet");
        store.close().await;
    }
}
