//! Check results recorded together: the results of the checks that end within `WINDOW` of
//! each other go to the writer as one job, so they cost one commit (one fsync, one write of
//! each page they share) instead of one each. With 1,000 monitors every 20 s, results arrive
//! 50 a second, one every 20 ms: recorded one by one, the commits were most of the server's
//! CPU time. A result reaches the database at most `WINDOW` later than it would alone; its
//! recorded time is still when its check ended.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot, watch};

use super::check::CheckOutcome;
use super::record::record_check;
use crate::clock::Timestamp;
use crate::error::{Error, Kind, Result};
use crate::ids::MonitorId;
use crate::store::{Store, signals};

/// How long the first result of a batch waits for others.
const WINDOW: Duration = Duration::from_millis(250);
/// A batch this large goes at once.
const MAX_BATCH: usize = 128;

/// What `record_check` returns: the next due time, or None if the check no longer decides it.
pub type Recorded = Result<Option<Timestamp>>;

/// One check's result waiting for its batch.
pub struct Pending {
    pub id: MonitorId,
    pub due: Timestamp,
    pub outcome: CheckOutcome,
    pub now: Timestamp,
    pub done: oneshot::Sender<Recorded>,
}

/// Gathers the results sent on `results` into batches and records each batch in one write,
/// until `stopped` (once no check is running any more); then records the results already sent
/// and ends.
pub async fn run(
    store: Store,
    mut results: mpsc::UnboundedReceiver<Pending>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let first = tokio::select! {
            first = results.recv() => first,
            _ = stopped.wait_for(|s| *s) => None,
        };
        let Some(first) = first else {
            let mut rest = Vec::new();
            while let Ok(pending) = results.try_recv() {
                rest.push(pending);
            }
            if !rest.is_empty() {
                record(&store, rest).await;
            }
            return;
        };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + WINDOW;
        while batch.len() < MAX_BATCH {
            match tokio::time::timeout_at(deadline, results.recv()).await {
                Ok(Some(pending)) => batch.push(pending),
                Ok(None) | Err(_) => break,
            }
        }
        record(&store, batch).await;
    }
}

async fn record(store: &Store, batch: Vec<Pending>) {
    let (waiting, results): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|p| (p.done, (p.id, p.due, p.outcome, p.now)))
        .unzip();
    let written = store
        .write(move |c| {
            results
                .iter()
                .map(|(id, due, outcome, now)| {
                    one(c, |c| record_check(c, *id, *due, outcome, *now))
                })
                .collect::<Result<Vec<Recorded>>>()
        })
        .await;
    match written {
        Ok(recorded) => {
            for (done, result) in waiting.into_iter().zip(recorded) {
                let _ = done.send(result);
            }
        }
        Err(e) => {
            for done in waiting {
                let _ = done.send(Err(e.clone()));
            }
        }
    }
}

/// One result in its own savepoint: a result that fails alone (a bug, a constraint, a panic) is
/// rolled back with its signal marks and retried alone, and the other results of the batch are
/// stored. A failure that ends the whole transaction (SQLite rolled it back) or says the disk is
/// full fails the batch, so the writer counts it against the store's health and every result of
/// the batch is retried.
fn one(conn: &Connection, record: impl FnOnce(&Connection) -> Recorded) -> Result<Recorded> {
    let marks = signals::count();
    conn.execute_batch("SAVEPOINT check_result")?;
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| record(conn)))
        .unwrap_or_else(|_| Err(Error::internal("recording a check result panicked")));
    if conn.is_autocommit() {
        return Err(result.err().unwrap_or_else(|| {
            Error::unavailable("the database could not store the change; retry shortly")
        }));
    }
    match result {
        Err(e) if e.kind == Kind::InsufficientStorage => Err(e),
        Err(e) => {
            conn.execute_batch("ROLLBACK TO check_result; RELEASE check_result")?;
            signals::truncate(marks);
            Ok(Err(e))
        }
        Ok(next) => {
            conn.execute_batch("RELEASE check_result")?;
            Ok(Ok(next))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrgId;
    use crate::store::signals::{Changed, Subject};

    /// Stores `n` and says its organization's monitors changed, as a check result does.
    fn store_row(c: &Connection, n: i64, org: OrgId) -> Recorded {
        c.execute("INSERT INTO temp.results (n) VALUES (?1)", [n])?;
        signals::changed(org, Subject::Monitors);
        Ok(None)
    }

    #[tokio::test]
    async fn a_result_that_fails_or_panics_is_rolled_back_alone_with_its_marks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut changes = store.changes();
        let orgs = [(); 4].map(|_| OrgId::generate());
        let recorded = store
            .write(move |c| {
                c.execute_batch("CREATE TEMP TABLE results (n INTEGER)")?;
                Ok(vec![
                    one(c, |c| store_row(c, 1, orgs[0]))?,
                    one(c, |c| {
                        store_row(c, 2, orgs[1])?;
                        panic!("a bug while recording")
                    })?,
                    one(c, |c| {
                        store_row(c, 3, orgs[2])?;
                        Err(Error::internal("a constraint"))
                    })?,
                    one(c, |c| store_row(c, 4, orgs[3]))?,
                ])
            })
            .await
            .unwrap();
        let failed: Vec<bool> = recorded.iter().map(|r| r.is_err()).collect();
        assert_eq!(failed, [false, true, true, false]);
        let stored = store
            .write(|c| {
                let mut rows = c.prepare("SELECT n FROM temp.results ORDER BY n")?;
                let stored = rows.query_map([], |r| r.get::<_, i64>(0))?;
                Ok(stored.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
            .unwrap();
        assert_eq!(stored, [1, 4], "the others of the batch are stored");
        let mut sent = Vec::new();
        while let Ok(change) = changes.try_recv() {
            sent.push(change);
        }
        let expected = [orgs[0], orgs[3]].map(|org| Changed {
            org,
            subject: Subject::Monitors,
        });
        assert_eq!(sent, expected, "a result rolled back leaves no mark");
        store.close().await;
    }
}
