//! Telling background jobs that the data they wait on changed — after the commit, never before.
//! A write job calls `mark(Topic)`; the writer keeps the marks of the jobs that succeed and, once
//! the batch is committed, bumps each marked topic's watch. A job rolled back leaves no mark, so
//! no one wakes for a change that was not stored, and no one sleeps through one that was.
//!
//! Beside the topics (one watch each, for background jobs), a job says what of an organization
//! changed with `changed(org, Subject)`: after the commit, each distinct change of the batch goes
//! out once on a broadcast, which live pages (the dashboard's event stream, status pages)
//! follow. A batch of 200 check results of one organization is one message, not 200.

use std::cell::RefCell;

use tokio::sync::{broadcast, watch};

use crate::ids::OrgId;

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

/// What of an organization changed, as live pages group it: a page showing monitors re-reads
/// them on `Monitors`, whatever the change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A monitor was created, edited, paused, resumed, deleted or changed status.
    Monitors,
    /// A task was created, edited, deleted or changed status (as when a run starts). A run that
    /// ends in the status the task had is not one, as a check that leaves its monitor's status
    /// is not a `Monitors` change: under a storm of pings or checks, live pages and the status
    /// pages' cache would be woken by every batch.
    Tasks,
    /// An incident was created, changed status, was acknowledged or got a timeline event.
    Incidents,
    Maintenance,
    Silences,
    StatusPages,
}

impl Subject {
    /// The word clients see.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Monitors => "monitors",
            Subject::Tasks => "tasks",
            Subject::Incidents => "incidents",
            Subject::Maintenance => "maintenance",
            Subject::Silences => "silences",
            Subject::StatusPages => "statusPages",
        }
    }
}

/// One committed change, sent once per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Changed {
    pub org: OrgId,
    pub subject: Subject,
}

/// How many changes a slow listener may fall behind before it is told it lagged (and then
/// re-reads everything it shows).
const CHANGES_BUFFER: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Topic(Topic),
    Changed(Changed),
}

thread_local! {
    /// Marks of the batch being written (the writer thread's only).
    static MARKS: RefCell<Vec<Mark>> = const { RefCell::new(Vec::new()) };
}

/// Inside a write job: `topic` changed.
pub fn mark(topic: Topic) {
    MARKS.with(|m| m.borrow_mut().push(Mark::Topic(topic)));
}

/// Inside a write job: `subject` of `org` changed; live pages hear of it after the commit.
pub fn changed(org: OrgId, subject: Subject) {
    MARKS.with(|m| m.borrow_mut().push(Mark::Changed(Changed { org, subject })));
}

/// How many marks there are, to roll a failed job's back with `truncate`.
pub(crate) fn count() -> usize {
    MARKS.with(|m| m.borrow().len())
}

pub(crate) fn truncate(len: usize) {
    MARKS.with(|m| m.borrow_mut().truncate(len));
}

/// Takes the batch's marks.
pub(super) fn take() -> Vec<Mark> {
    MARKS.with(|m| std::mem::take(&mut *m.borrow_mut()))
}

/// One watch per topic; its value counts the commits that marked it. And the broadcast of
/// organizations' changes.
pub struct Signals {
    topics: [watch::Sender<u64>; TOPICS],
    changes: broadcast::Sender<Changed>,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            topics: [
                watch::channel(0).0,
                watch::channel(0).0,
                watch::channel(0).0,
            ],
            changes: broadcast::channel(CHANGES_BUFFER).0,
        }
    }
}

impl Signals {
    pub fn subscribe(&self, topic: Topic) -> watch::Receiver<u64> {
        self.topics[topic as usize].subscribe()
    }

    pub fn changes(&self) -> broadcast::Receiver<Changed> {
        self.changes.subscribe()
    }

    pub(super) fn notify(&self, marks: &[Mark]) {
        let mut sent: Vec<Changed> = Vec::new();
        for mark in marks {
            match *mark {
                Mark::Topic(topic) => {
                    self.topics[topic as usize].send_modify(|n| *n += 1);
                }
                Mark::Changed(change) if !sent.contains(&change) => {
                    sent.push(change);
                    // No receiver is not an error: no page is live.
                    let _ = self.changes.send(change);
                }
                Mark::Changed(_) => {}
            }
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

    #[tokio::test]
    async fn changes_go_out_once_per_batch_after_commit_and_never_for_a_rollback() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut changes = store.changes();
        let (org, other) = (OrgId::generate(), OrgId::generate());
        let failed = store
            .write(move |_| -> crate::error::Result<()> {
                changed(org, Subject::Incidents);
                Err(Error::bad_request("test", "rolled back"))
            })
            .await;
        assert!(failed.is_err());
        store
            .write(move |_| {
                for _ in 0..3 {
                    changed(org, Subject::Monitors);
                }
                changed(other, Subject::Monitors);
                Ok(())
            })
            .await
            .unwrap();
        let mut got = Vec::new();
        while let Ok(change) = changes.try_recv() {
            got.push(change);
        }
        assert_eq!(
            got,
            vec![
                Changed {
                    org,
                    subject: Subject::Monitors
                },
                Changed {
                    org: other,
                    subject: Subject::Monitors
                },
            ],
            "the rolled-back incident change is not sent; three marks of one change are one message"
        );
        store.close().await;
    }
}
