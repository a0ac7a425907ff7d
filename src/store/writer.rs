//! The single writer. SQLite allows one writer at a time; instead of letting request handlers
//! queue on the file lock, every write goes to one thread that drains whatever is pending and
//! commits it as one transaction. Each job runs in its own savepoint, so one failing job rolls
//! back only itself. Callers hear back only after the commit: an acknowledged write is stored.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::signals::{self, Signals};
use crate::error::{Error, Result};
use std::sync::Arc;

/// Upper bound on jobs per transaction, so one commit never holds the lock for long.
const MAX_BATCH: usize = 512;

/// What a job leaves for after the commit: whether it failed (its savepoint is rolled back) and
/// how to tell its caller the final outcome.
struct Outcome {
    failed: bool,
    complete: Box<dyn FnOnce(Option<Error>) + Send>,
}

type Job = Box<dyn FnOnce(&Connection) -> Outcome + Send>;

pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub fn spawn(conn: Connection, signals: Arc<Signals>) -> (Writer, JoinHandle<()>) {
        let (jobs, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("dutyduck-writer".into())
            .spawn(move || run(conn, rx, &signals))
            .expect("spawn writer thread");
        (Writer { jobs }, thread)
    }

    /// Queues `f`; the returned receiver yields its result once the batch holding it commits.
    pub fn submit<T, F>(&self, f: F) -> oneshot::Receiver<Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            Outcome {
                failed: result.is_err(),
                complete: Box::new(move |commit_error| {
                    let _ = tx.send(match commit_error {
                        Some(e) => Err(e),
                        None => result,
                    });
                }),
            }
        });
        // If the writer has stopped, the job (and its sender) is dropped: the caller's
        // receiver then reports the store as closed.
        let _ = self.jobs.send(job);
        rx
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Job>, signals: &Signals) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&conn, batch, signals);
    }
    log::debug!("writer stopped");
}

/// Runs and commits a batch. Once it is committed, and before any caller hears back, the topics
/// its successful jobs marked are signalled.
fn commit_batch(conn: &Connection, batch: Vec<Job>, signals: &Signals) {
    let marks_before = signals::take();
    debug_assert!(marks_before.is_empty(), "marks left from an earlier batch");
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let error = Error::from(e);
        // The jobs never ran; dropping them tells each caller the write failed.
        log::warn!("cannot start a write transaction: {error}");
        drop(batch);
        return;
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            log::error!("savepoint failed: {e}");
            continue; // dropping the job reports an error to its caller
        }
        let marks = signals::count();
        let result = catch_unwind(AssertUnwindSafe(|| job(conn)));
        if conn.is_autocommit() {
            // Some errors (disk full, I/O) make SQLite roll the whole transaction back. Nothing of
            // this batch is stored: say so to every caller, and run nothing more in it.
            log::error!(
                "SQLite rolled back a write transaction; its {} jobs failed",
                outcomes.len() + 1
            );
            let error =
                Error::unavailable("the database could not store the change; retry shortly");
            if let Ok(outcome) = result {
                outcomes.push(outcome);
            }
            for outcome in outcomes {
                (outcome.complete)(Some(error.clone()));
            }
            signals::take();
            return; // the jobs not run yet are dropped: their callers hear the store failed
        }
        match result {
            Ok(outcome) => {
                if outcome.failed {
                    let _ = conn.execute_batch("ROLLBACK TO job");
                    signals::truncate(marks);
                }
                outcomes.push(outcome);
            }
            Err(_) => {
                log::error!("a write job panicked; its changes were rolled back");
                let _ = conn.execute_batch("ROLLBACK TO job");
                signals::truncate(marks);
            }
        }
        let _ = conn.execute_batch("RELEASE job");
    }
    let commit_error = conn.execute_batch("COMMIT").err().map(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        Error::from(e)
    });
    let marked = signals::take();
    if commit_error.is_none() {
        signals.notify(&marked);
    }
    for outcome in outcomes {
        (outcome.complete)(commit_error.clone());
    }
}
