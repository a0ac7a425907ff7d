//! Copies the write-ahead log into the database file on a thread and connection of its own.
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 pages of WAL: the
//! writer thread copies those pages into `dutyduck.db` and fsyncs it before it can answer the
//! batch's callers or start the next one, so every write queued meanwhile waits too (the long
//! tail of a burst of pings). The writer turns that off (`wal_autocheckpoint = 0`) and pokes
//! this thread after its commits instead. A PASSIVE checkpoint never waits for a lock and
//! blocks neither the writer's commits nor readers' queries; while it copies it holds the
//! WAL's read slot 0 (so the log cannot restart under it), and it copies only what no reader
//! still needs.
//!
//! The WAL is rewritten from its start by the first transaction after a checkpoint that copied
//! everything; under writes without a pause, each checkpoint leaves the frames committed while
//! it ran, so this thread tries again at once, a few times, before waiting for the next poke.
//! The log stays bounded only while no reader holds a snapshot for long: frames a snapshot may
//! still read cannot be copied, nor the log restarted past them. Bounded means a few seconds of
//! writes, not `WAL_LIMIT`: under 9,000 pings/s its file reached 60–85 MB and stayed there.
//! Litestream, which reads the WAL, tolerates PASSIVE checkpoints (only RESTART and TRUNCATE
//! ones reset the log behind its back).

use std::panic::{AssertUnwindSafe, catch_unwind};
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

/// The least time between two of the writer's own checkpoints. While a reader holds an old
/// snapshot no checkpoint can finish the log, which stays long: without this the writer would
/// checkpoint (copy and fsync) after every batch until that reader ends.
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);

/// The least time between two warnings of failed checkpoints: the writer may fail one after
/// every batch, and one line a minute with a count says as much as thousands.
const WARN_EVERY: Duration = Duration::from_secs(60);

pub struct Checkpointer {
    poke: SyncSender<()>,
    thread: JoinHandle<()>,
    /// The log is past `WAL_LIMIT`: the writer is to checkpoint it.
    behind: Arc<AtomicBool>,
    /// When the writer last checkpointed itself.
    caught_up: Option<Instant>,
    warnings: Warnings,
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
            caught_up: None,
            warnings: Warnings::default(),
        })
    }

    /// Called by the writer between batches, on its own connection: a checkpoint there when
    /// this thread is behind (see `WAL_LIMIT`), at most once per `CATCH_UP_EVERY`.
    pub fn catch_up(&mut self, writer: &Connection) {
        if !self.behind.load(Ordering::Relaxed) {
            return;
        }
        let now = Instant::now();
        if !due(self.caught_up, now) {
            return;
        }
        self.caught_up = Some(now);
        match checkpoint(writer) {
            Ok(Passive::Whole { .. }) => self.behind.store(false, Ordering::Relaxed),
            Ok(_) => {}
            Err(e) => {
                self.warnings.failed(now, &e);
            }
        }
    }

    /// Says the writer committed; never waits (a poke already pending is enough).
    pub fn committed(&self) {
        let _ = self.poke.try_send(());
    }

    /// Ends the thread and closes its connection, after the checkpoints in progress if any (up
    /// to `CATCH_UP` + 1 of them).
    pub fn stop(self) {
        drop(self.poke);
        let _ = self.thread.join();
    }
}

/// Whether the writer's own checkpoint is due, the last one having been at `last`.
fn due(last: Option<Instant>, now: Instant) -> bool {
    last.is_none_or(|last| now.saturating_duration_since(last) >= CATCH_UP_EVERY)
}

/// Warnings of failed checkpoints, at most one per `WARN_EVERY`, each with the count of
/// failures since the previous one.
#[derive(Default)]
struct Warnings {
    last: Option<Instant>,
    unsaid: u64,
}

impl Warnings {
    /// Counts a failure; returns the failures the warning to log now covers, if one is due.
    fn failed(&mut self, now: Instant, e: &rusqlite::Error) -> Option<u64> {
        self.unsaid += 1;
        if self
            .last
            .is_some_and(|last| now.saturating_duration_since(last) < WARN_EVERY)
        {
            return None;
        }
        let count = std::mem::take(&mut self.unsaid);
        self.last = Some(now);
        log::warn!(
            "could not copy the write-ahead log into the database ({count} failures since the \
             last warning): {e}"
        );
        Some(count)
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
    let mut warnings = Warnings::default();
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
        // A panic must not end checkpoints for good: the log would grow without bound.
        if catch_unwind(AssertUnwindSafe(|| {
            attempts(conn, behind, &mut warnings);
        }))
        .is_err()
        {
            log::error!("a checkpoint panicked; the next commit asks for another");
        }
    }
}

fn attempts(conn: &Connection, behind: &AtomicBool, warnings: &mut Warnings) {
    for _ in 0..=CATCH_UP {
        match checkpoint(conn) {
            // Copied whole or not, a long log is the writer's to restart: its next
            // transaction began before this copy ended, so it cannot (see `WAL_LIMIT`).
            Ok(Passive::Whole { log }) => {
                behind.store(log > WAL_LIMIT, Ordering::Relaxed);
                break;
            }
            Ok(Passive::Part { log }) => behind.store(log > WAL_LIMIT, Ordering::Relaxed),
            // Another connection (the writer's catch-up, Litestream) is checkpointing: the
            // log's length is unknown, and what `behind` says stays true.
            Ok(Passive::Busy) => break,
            Err(e) => {
                warnings.failed(Instant::now(), &e);
                break;
            }
        }
    }
}

/// What one PASSIVE checkpoint did.
#[derive(Debug, PartialEq, Eq)]
enum Passive {
    /// It copied the whole log, of `log` pages: a transaction that begins after it restarts
    /// the log.
    Whole { log: i64 },
    /// It copied part of a log of `log` pages.
    Part { log: i64 },
    /// Another connection was checkpointing: it did nothing, and the log's length is unknown.
    Busy,
}

impl Passive {
    /// From the pragma's row: busy, pages in the log, pages copied (both -1 when busy).
    fn from_row(busy: i64, log: i64, copied: i64) -> Passive {
        if busy != 0 || log < 0 {
            Passive::Busy
        } else if log == copied {
            Passive::Whole { log }
        } else {
            Passive::Part { log }
        }
    }
}

fn checkpoint(conn: &Connection) -> rusqlite::Result<Passive> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok(Passive::from_row(r.get(0)?, r.get(1)?, r.get(2)?))
    })
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
        assert!(
            matches!(checkpoint(&checkpoints).unwrap(), Passive::Whole { .. }),
            "the whole log copied"
        );

        // A reader's snapshot keeps the frames committed after it out of the file: the
        // checkpoint says it is not done, so the thread tries again.
        let reader = crate::store::open_read_only(&db_path(dir.path())).unwrap();
        let snapshot = reader.unchecked_transaction().unwrap();
        let _: i64 = snapshot
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        writer.execute_batch("INSERT INTO t VALUES (2);").unwrap();
        assert!(matches!(
            checkpoint(&checkpoints).unwrap(),
            Passive::Part { .. }
        ));
        drop(snapshot);
        assert!(matches!(
            checkpoint(&checkpoints).unwrap(),
            Passive::Whole { .. }
        ));
        let (log, copied) = wal(&writer);
        assert_eq!(log, copied);
    }

    #[test]
    fn a_busy_checkpoint_is_not_a_whole_copy() {
        // SQLite answers (1, -1, -1) when another connection holds the checkpoint lock.
        assert_eq!(Passive::from_row(1, -1, -1), Passive::Busy);
        assert_eq!(Passive::from_row(0, 7, 7), Passive::Whole { log: 7 });
        assert_eq!(Passive::from_row(0, 7, 3), Passive::Part { log: 7 });
    }

    #[test]
    fn the_writer_catches_up_at_most_once_a_second() {
        let start = Instant::now();
        assert!(due(None, start));
        assert!(!due(Some(start), start + Duration::from_millis(999)));
        assert!(due(Some(start), start + CATCH_UP_EVERY));
    }

    #[test]
    fn failed_checkpoints_warn_once_a_minute_with_a_count() {
        let start = Instant::now();
        let e = rusqlite::Error::InvalidQuery;
        let mut warnings = Warnings::default();
        assert_eq!(warnings.failed(start, &e), Some(1));
        for s in 1..60 {
            assert_eq!(warnings.failed(start + Duration::from_secs(s), &e), None);
        }
        assert_eq!(warnings.failed(start + WARN_EVERY, &e), Some(60));
    }

    #[test]
    fn checkpoints_and_the_writer_sync_fully() {
        let dir = tempfile::tempdir().unwrap();
        let writer = open_migrated(dir.path(), Create::IfMissing).unwrap();
        let checkpoints = open(&db_path(dir.path())).unwrap();
        for conn in [&writer, &checkpoints] {
            let synchronous: i64 = conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap();
            assert_eq!(synchronous, 2, "FULL");
        }
    }
}
