//! The one path to the database: a single batching writer and a pool of parallel readers.
//! Query functions elsewhere take a plain `&Connection`, so the offline CLI can run the very
//! same queries on its own connection.

pub mod backup;
mod checkpointer;
mod connection;
pub mod deadlines;
pub mod filter;
pub mod health;
pub mod lock;
mod readers;
pub mod signals;
mod sizing;
pub mod tags;
pub mod time;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;

#[cfg(test)]
pub(crate) use connection::migrate_to;
pub use connection::{
    Create, DB_FILE, db_path, migrate, open_for_reading, open_migrated, open_read_only,
    require_database,
};
pub use sizing::Sizing;

use crate::error::{Error, Result};

/// One page of a list: the items, the organization's total, and the number matching the filter.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub filtered: i64,
}

impl<T> Page<T> {
    /// The same page with each item changed (what the caller may see of it).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            filtered: self.filtered,
        }
    }

    /// `map` with a change that may fail (one that reads more).
    pub fn try_map<U>(
        self,
        f: impl FnMut(T) -> crate::error::Result<U>,
    ) -> crate::error::Result<Page<U>> {
        Ok(Page {
            items: self
                .items
                .into_iter()
                .map(f)
                .collect::<crate::error::Result<_>>()?,
            total: self.total,
            filtered: self.filtered,
        })
    }
}

#[derive(Clone)]
pub struct Store(Arc<Inner>);

struct Inner {
    path: PathBuf,
    writer: Mutex<Option<(writer::Writer, JoinHandle<()>)>>,
    readers: readers::Readers,
    signals: Arc<signals::Signals>,
    health: Arc<health::WriteHealth>,
    /// Keeps a restore (or a second server) away until `close`.
    lock: Mutex<Option<lock::DataDirLock>>,
}

impl Store {
    /// Opens (creating and migrating if needed) the database of `data_dir`, sized by default.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Store::open_sized(data_dir, Sizing::default())
    }

    /// `open`, with as many reader connections and as much page cache as `sizing` says.
    pub fn open_sized(data_dir: &Path, sizing: Sizing) -> Result<Store> {
        // Locked before the database is opened: a restore may be replacing it. A data dir that
        // cannot be created is reported by `open_migrated`, which says what is wrong with it.
        let lock = match std::fs::create_dir_all(data_dir) {
            Ok(()) => Some(lock::DataDirLock::acquire(data_dir, "start the server")?),
            Err(_) => None,
        };
        let conn = open_migrated(data_dir, Create::IfMissing)?;
        connection::configure_writer(&conn, sizing.cache_kib)?;
        let path = db_path(data_dir);
        let readers = readers::Readers::open(&path, sizing)?;
        let signals = Arc::new(signals::Signals::default());
        let health = Arc::new(health::WriteHealth::default());
        let checkpointer = checkpointer::Checkpointer::spawn(&path)?;
        let writer = writer::Writer::spawn(conn, checkpointer, signals.clone(), health.clone())?;
        Ok(Store(Arc::new(Inner {
            path,
            writer: Mutex::new(Some(writer)),
            readers,
            signals,
            health,
            lock: Mutex::new(lock),
        })))
    }

    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// Runs read-only queries on one of the parallel readers.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.0.readers.run(f).await
    }

    /// Runs a long read (one that scans an organization's every monitor, tens of milliseconds
    /// at 100,000: the overview) on a blocking thread with a read-only connection of its own,
    /// in one read transaction (one snapshot). The inline readers run on the async workers,
    /// where such a read would hold up every request behind it; at most `LONG_READS` run at
    /// once, so a crowd of dashboards cannot take every core from the checks and the API.
    pub async fn read_long<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        static LONG_READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
        let _turn = LONG_READS.acquire().await.map_err(Error::internal)?;
        let path = self.0.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open_read_only(&path)?;
            let snapshot = conn.unchecked_transaction()?;
            f(&snapshot)
        })
        .await
        .map_err(Error::internal)?
    }

    /// Runs `f` on the single writer, batched with other pending writes; returns after commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let receiver = {
            let guard = self.0.writer.lock().expect("writer lock");
            let (writer, _) = guard.as_ref().ok_or_else(closed)?;
            writer.submit(f)
        };
        receiver.await.map_err(|_| closed())?
    }

    /// Whether the writer is storing changes, or failing and why.
    pub fn write_health(&self) -> health::State {
        self.0.health.state()
    }

    /// Bytes free for dutyduck on the disk holding the database.
    pub fn free_bytes(&self) -> Result<u64> {
        let dir = self.0.path.parent().unwrap_or(&self.0.path);
        let stat = rustix::fs::statvfs(dir).map_err(Error::internal)?;
        Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
    }

    /// After a full disk: whether space is back (then the writer is no longer counted as failing
    /// for lack of space).
    pub fn check_space_freed(&self) -> bool {
        match self.free_bytes() {
            Ok(free) if free >= health::SPACE_TO_RESUME => {
                self.0.health.space_freed();
                true
            }
            _ => false,
        }
    }

    /// Bumped after each commit of a write that marked `topic` (see `signals`).
    pub fn watch(&self, topic: signals::Topic) -> tokio::sync::watch::Receiver<u64> {
        self.0.signals.subscribe(topic)
    }

    /// Every organization's committed changes, once per batch (see `signals::changed`). A
    /// receiver that lags behind gets `Lagged` and should re-read all it shows.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<signals::Changed> {
        self.0.signals.changes()
    }

    /// Stops accepting writes, lets the writer commit what is queued, closes the readers, then
    /// the writer, which merges the write-ahead log into `dutyduck.db` as the last connection.
    pub async fn close(&self) {
        let writer = self.0.writer.lock().expect("writer lock").take();
        self.0.readers.close().await;
        if let Some((writer, thread)) = writer {
            drop(writer);
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        self.0.lock.lock().expect("data dir lock").take();
    }
}

fn closed() -> Error {
    Error::unavailable("the store is closed or the write failed; retry shortly")
}

/// For unit tests of queries: a migrated in-memory database with one organization, Acme,
/// created at the Unix epoch.
#[cfg(test)]
pub fn memory_with_org() -> (rusqlite::Connection, crate::ids::OrgId) {
    let mut conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
    migrate(&mut conn).expect("migrations apply");
    let org =
        crate::accounts::store::insert_organization(&conn, "Acme", chrono::DateTime::UNIX_EPOCH)
            .expect("an organization")
            .id;
    (conn, org)
}
