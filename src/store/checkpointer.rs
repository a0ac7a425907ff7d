//! Copies the write-ahead log into the database file on a thread and connection of its own.
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 pages of WAL: the
//! writer thread copies those pages into `dutyduck.db` and fsyncs it before it can answer the
//! batch's callers or start the next one, so every write queued meanwhile waits too (the long
//! tail of a burst of pings). The writer turns that off (`wal_autocheckpoint = 0`) and pokes
//! this thread after its commits instead. A PASSIVE checkpoint takes no lock a writer or reader
//! waits on: it copies what no reader still needs, while the writer goes on committing.
//!
//! The WAL is rewritten from its start by the first transaction after a checkpoint that copied
//! everything; under writes without a pause, each checkpoint leaves the frames committed while
//! it ran, so this thread tries again at once, a few times, before waiting for the next poke.
//! Litestream, which reads the WAL, tolerates PASSIVE checkpoints (only RESTART and TRUNCATE
//! ones reset the log behind its back).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::error::Result;

/// A checkpoint waits this long after the commit that asked for it: each costs an fsync of the
/// database file, and pages changed many times over a period are copied once.
const PERIOD: Duration = Duration::from_secs(1);

/// Extra attempts right after a checkpoint the writer outran (see the module's comment).
const CATCH_UP: usize = 3;

/// WAL pages (about 16 MB) past which the writer checkpoints itself between two batches. The
/// log restarts only at a transaction that begins once all of it is copied; under writes
/// without a pause the writer's next transaction always begins before this thread's copy ends,
/// so the log never restarts and keeps growing (170 MB in 16 s of pings). The writer's own
/// checkpoint, between a commit and its next transaction, completes, and costs little once
/// this thread has copied most of the log.
const WAL_LIMIT: i64 = 4_000;

pub struct Checkpointer {
    poke: SyncSender<()>,
    thread: JoinHandle<()>,
    /// The log is past `WAL_LIMIT`: the writer is to checkpoint it.
    behind: Arc<AtomicBool>,
}

impl Checkpointer {
    pub fn spawn(path: &Path) -> Result<Checkpointer> {
        let conn = open(path)?;
        let (poke, pokes) = mpsc::sync_channel(1);
        let behind = Arc::new(AtomicBool::new(false));
        let flag = behind.clone();
        let thread = std::thread::Builder::new()
            .name("dutyduck-checkpoint".into())
            .spawn(move || run(&conn, &pokes, &flag))
            .expect("spawn checkpoint thread");
        Ok(Checkpointer {
            poke,
            thread,
            behind,
        })
    }

    /// Called by the writer between batches, on its own connection: a checkpoint there when
    /// this thread is behind (see `WAL_LIMIT`).
    pub fn catch_up(&self, writer: &Connection) {
        if !self.behind.load(Ordering::Relaxed) {
            return;
        }
        match checkpoint(writer) {
            Ok((true, _)) => self.behind.store(false, Ordering::Relaxed),
            Ok(_) => {}
            Err(e) => log::warn!("could not copy the write-ahead log into the database: {e}"),
        }
    }

    /// Says the writer committed; never waits (a poke already pending is enough).
    pub fn committed(&self) {
        let _ = self.poke.try_send(());
    }

    /// Ends the thread and closes its connection, after the checkpoint in progress if any.
    pub fn stop(self) {
        drop(self.poke);
        let _ = self.thread.join();
    }
}

fn open(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The checkpoint's fsyncs (the WAL before copying, the database after) follow
    // `synchronous`: FULL, as the writer's.
    super::connection::configure(&conn)?;
    Ok(conn)
}

fn run(conn: &Connection, pokes: &mpsc::Receiver<()>, behind: &AtomicBool) {
    while pokes.recv().is_ok() {
        // Let a period's commits gather (pokes meanwhile change nothing); a stop ends the wait.
        let until = Instant::now() + PERIOD;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if let Err(RecvTimeoutError::Disconnected) = pokes.recv_timeout(left) {
                return;
            }
        }
        if let Err(TryRecvError::Disconnected) = pokes.try_recv() {
            return;
        }
        for _ in 0..=CATCH_UP {
            match checkpoint(conn) {
                // Copied whole or not, a long log is the writer's to restart: its next
                // transaction began before this copy ended, so it cannot (see `WAL_LIMIT`).
                Ok((whole, log)) => {
                    behind.store(log > WAL_LIMIT, Ordering::Relaxed);
                    if whole {
                        break;
                    }
                }
                Err(e) => {
                    log::warn!("could not copy the write-ahead log into the database: {e}");
                    break;
                }
            }
        }
    }
}

/// One PASSIVE checkpoint: whether it copied the whole log (the next write restarts it), and
/// the log's length in pages.
fn checkpoint(conn: &Connection) -> rusqlite::Result<(bool, i64)> {
    let (log, copied): (i64, i64) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })?;
    Ok((log == copied, log))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Create, db_path, open_migrated};

    /// How many frames the WAL holds, and how many of them are in the database file.
    fn wal(conn: &Connection) -> (i64, i64) {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(1)?, r.get(2)?))
        })
        .unwrap()
    }

    #[test]
    fn checkpoints_copy_what_no_reader_still_needs() {
        let dir = tempfile::tempdir().unwrap();
        let writer = open_migrated(dir.path(), Create::IfMissing).unwrap();
        writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        let checkpoints = open(&db_path(dir.path())).unwrap();
        writer
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        assert!(checkpoint(&checkpoints).unwrap().0, "the whole log copied");

        // A reader's snapshot keeps the frames committed after it out of the file: the
        // checkpoint says it is not done, so the thread tries again.
        let reader = crate::store::open_read_only(&db_path(dir.path())).unwrap();
        let snapshot = reader.unchecked_transaction().unwrap();
        let _: i64 = snapshot
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        writer.execute_batch("INSERT INTO t VALUES (2);").unwrap();
        assert!(!checkpoint(&checkpoints).unwrap().0);
        drop(snapshot);
        assert!(checkpoint(&checkpoints).unwrap().0);
        let (log, copied) = wal(&writer);
        assert_eq!(log, copied);
    }
}
