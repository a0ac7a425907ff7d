//! The single writer. SQLite allows one writer at a time; instead of letting request handlers
//! queue on the file lock, every write goes to one thread that drains whatever is pending and
//! commits it as one transaction. Each job runs in its own savepoint, so one failing job rolls
//! back only itself. Callers hear back only after the commit: an acknowledged write is stored.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::checkpointer::Checkpointer;
use super::health::WriteHealth;
use super::signals::{self, Signals};
use crate::error::{Error, Kind, Result};
use std::sync::Arc;

/// Upper bound on jobs per transaction, so one commit never holds the lock for long.
const MAX_BATCH: usize = 512;

/// What a job leaves for after the commit: its error if it failed (its savepoint is rolled
/// back) and how to tell its caller the final outcome.
struct Outcome {
    error: Option<Error>,
    complete: Box<dyn FnOnce(Option<Error>) + Send>,
}

impl Outcome {
    /// A job whose caller already heard back.
    fn answered() -> Outcome {
        Outcome {
            error: None,
            complete: Box::new(|_| {}),
        }
    }
}

/// A queued write: given the connection it runs; given an error (no transaction could be
/// started, or SQLite rolled back the batch before its turn) it answers its caller with it.
type Job = Box<dyn FnOnce(std::result::Result<&Connection, &Error>) -> Outcome + Send>;

pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`, with its checkpoints left to `checkpointer`.
    pub fn spawn(
        conn: Connection,
        checkpointer: Checkpointer,
        signals: Arc<Signals>,
        health: Arc<WriteHealth>,
    ) -> Result<(Writer, JoinHandle<()>)> {
        // No checkpoint inside a commit (see `checkpointer`).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("dutyduck-writer".into())
            .spawn(move || run(conn, rx, checkpointer, &signals, &health))
            .expect("spawn writer thread");
        Ok((Writer { jobs }, thread))
    }

    /// Queues `f`; the returned receiver yields its result once the batch holding it commits.
    pub fn submit<T, F>(&self, f: F) -> oneshot::Receiver<Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let conn = match conn {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = tx.send(Err(e.clone()));
                    return Outcome::answered();
                }
            };
            let result = f(conn);
            Outcome {
                error: result.as_ref().err().cloned(),
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

fn run(
    conn: Connection,
    rx: mpsc::Receiver<Job>,
    mut checkpointer: Checkpointer,
    signals: &Signals,
    health: &WriteHealth,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if commit_batch(&conn, batch, signals, health) {
            checkpointer.committed();
        }
        checkpointer.catch_up(&conn);
    }
    // Its connection closed first, so that this one is the last (see below).
    checkpointer.stop();
    // Copy everything from the WAL into the database file, so that `dutyduck.db` alone is the
    // whole database once stopped (someone may copy just that file). Closing the last
    // connection does it too; asking explicitly logs why it could not (another process, such
    // as an admin command, is reading).
    let busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
        row.get::<_, i64>(0)
    });
    match busy {
        Ok(0) => {}
        Ok(_) => log::warn!(
            "the write-ahead log could not be fully merged into the database file: another \
             process has it open; it will be merged when that process or the next start closes it"
        ),
        Err(e) => log::warn!("could not merge the write-ahead log into the database file: {e}"),
    }
    drop(conn);
    log::debug!("writer stopped");
}

/// Runs one of the statements that frame the jobs (begin, savepoint, release, commit), prepared
/// once: they run several times per job, and parsing them again each time was a visible part
/// of the writer's time under many small writes.
fn control(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Runs and commits a batch. Once it is committed, and before any caller hears back, the topics
/// its successful jobs marked are signalled and the store's health is updated (so a caller told
/// "storage full" finds `/healthz` saying so). A failure of the batch itself (no transaction, a
/// rollback forced by SQLite, a failed commit) or a job refused for lack of space counts against
/// the store's health; other job errors (a conflict, a bad field) do not.
/// True when the batch committed changes.
fn commit_batch(
    conn: &Connection,
    batch: Vec<Job>,
    signals: &Signals,
    health: &WriteHealth,
) -> bool {
    let changes = conn.total_changes();
    let marks_before = signals::take();
    debug_assert!(marks_before.is_empty(), "marks left from an earlier batch");
    if let Err(e) = control(conn, "BEGIN IMMEDIATE") {
        let error = Error::from(e);
        log::warn!("cannot start a write transaction: {error}");
        health.failed(&error);
        for job in batch {
            job(Err(&error));
        }
        return false;
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    // A job refused for lack of space says the store is failing, even if the rest commits.
    let mut full = None;
    let mut jobs = batch.into_iter();
    while let Some(job) = jobs.next() {
        if let Err(e) = control(conn, "SAVEPOINT job") {
            let error = Error::from(e);
            log::error!("savepoint failed: {error}");
            health.failed(&error);
            job(Err(&error));
            continue;
        }
        let marks = signals::count();
        let result = catch_unwind(AssertUnwindSafe(|| job(Ok(conn))));
        if conn.is_autocommit() {
            // Some errors (disk full, I/O) make SQLite roll the whole transaction back. Nothing of
            // this batch is stored: say so to every caller, and run nothing more in it.
            log::error!(
                "SQLite rolled back a write transaction; its {} jobs failed",
                outcomes.len() + 1
            );
            let cause = result.as_ref().ok().and_then(|o| o.error.clone());
            let error = match cause {
                Some(e) if e.kind == Kind::InsufficientStorage => e,
                _ => Error::unavailable("the database could not store the change; retry shortly"),
            };
            outcomes.extend(result.ok());
            health.failed(&error);
            for outcome in outcomes {
                (outcome.complete)(Some(error.clone()));
            }
            for job in jobs {
                job(Err(&error));
            }
            signals::take();
            return false;
        }
        match result {
            Ok(outcome) => {
                if let Some(e) = outcome
                    .error
                    .as_ref()
                    .filter(|e| e.kind == Kind::InsufficientStorage)
                {
                    full.get_or_insert_with(|| e.clone());
                }
                if outcome.error.is_some() {
                    let _ = control(conn, "ROLLBACK TO job");
                    signals::truncate(marks);
                }
                outcomes.push(outcome);
            }
            Err(_) => {
                log::error!("a write job panicked; its changes were rolled back");
                let _ = control(conn, "ROLLBACK TO job");
                signals::truncate(marks);
            }
        }
        let _ = control(conn, "RELEASE job");
    }
    let commit_error = control(conn, "COMMIT").err().map(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        Error::from(e)
    });
    let marked = signals::take();
    if commit_error.is_none() {
        signals.notify(&marked);
    }
    let stored = commit_error.is_none() && conn.total_changes() > changes;
    match commit_error.as_ref().or(full.as_ref()) {
        Some(e) => health.failed(e),
        // Only a batch that stored something shows that writes work again: an empty one
        // commits even on a full disk.
        None if stored => health.committed(),
        None => {}
    }
    for outcome in outcomes {
        (outcome.complete)(commit_error.clone());
    }
    stored
}
