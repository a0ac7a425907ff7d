//! Read-only connections used in parallel. WAL mode lets them read while the writer commits.
//!
//! Reads run inline on the calling async worker thread. Every read of the API is an indexed
//! lookup or a bounded page, which SQLite answers in microseconds; handing each one to a
//! blocking thread cost more than the query itself (measured with `cargo bench --bench http`:
//! token verification 62 µs with `spawn_blocking`, 8 µs inline; /users/me throughput ×2.7).
//! A read that may scan much must not come here: give it to the writer or a blocking task.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::Sizing;
use super::connection::{open_read_only, size_cache};
use crate::error::{Error, Result};

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    count: usize,
    cache_kib: u32,
}

impl Readers {
    pub fn open(path: &Path, sizing: Sizing) -> Result<Readers> {
        let count = sizing.readers.max(1);
        let open = || open_sized(path, sizing.cache_kib);
        let conns = (0..count).map(|_| open()).collect::<Result<Vec<_>>>()?;
        Ok(Readers {
            path: path.to_owned(),
            idle: Mutex::new(conns),
            permits: Semaphore::new(count),
            count,
            cache_kib: sizing.cache_kib,
        })
    }

    /// Runs `f` on an idle connection, inside one read transaction so that its queries see a
    /// single consistent snapshot. By default there are as many connections as worker threads
    /// (`Sizing`), so the permit only waits when more reads are in flight than threads can run.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::unavailable("store closed"))?;
        // A connection is missing only if a reader panicked; replace it.
        let idle = self.idle.lock().expect("readers lock").pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_sized(&self.path, self.cache_kib)?,
        };
        let result = in_read_transaction(&conn, f);
        self.idle.lock().expect("readers lock").push(conn);
        result
    }

    /// Waits for the reads in flight, then closes every connection; later reads are refused.
    /// SQLite merges the WAL into the database file only when its last connection closes, and
    /// a read-only connection cannot do it: the readers must be gone before the writer closes.
    pub async fn close(&self) {
        let all = u32::try_from(self.count).unwrap_or(u32::MAX);
        if let Ok(permits) = self.permits.acquire_many(all).await {
            permits.forget();
        }
        self.permits.close();
        self.idle.lock().expect("readers lock").clear();
    }
}

fn open_sized(path: &Path, cache_kib: u32) -> Result<Connection> {
    let conn = open_read_only(path)?;
    size_cache(&conn, cache_kib)?;
    Ok(conn)
}

fn in_read_transaction<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
    let result = f(conn);
    conn.prepare_cached("COMMIT")?.execute([])?;
    result
}
