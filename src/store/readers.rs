//! Read-only connections used in parallel. WAL mode lets them read while the writer commits.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::connection::open_read_only;
use crate::error::{Error, Result};

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Readers {
    pub fn open(path: &Path, count: usize) -> Result<Readers> {
        let conns = (0..count)
            .map(|_| open_read_only(path))
            .collect::<Result<Vec<_>>>()?;
        Ok(Readers {
            path: path.to_owned(),
            idle: Mutex::new(conns),
            permits: Semaphore::new(count),
        })
    }

    /// Runs `f` on an idle connection, inside one read transaction so that its queries see a
    /// single consistent snapshot.
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
            None => open_read_only(&self.path)?,
        };
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = in_read_transaction(&conn, f);
            (conn, result)
        })
        .await
        .map_err(|e| Error::internal(format!("read task failed: {e}")))?;
        self.idle.lock().expect("readers lock").push(conn);
        result
    }
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
