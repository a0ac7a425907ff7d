//! Who owns the data dir: `serve` holds an exclusive lock on `<data-dir>/dutyduck.lock` for as
//! long as it runs, and `restore` takes the same lock before replacing the database file.
//!
//! Why a kernel `flock` rather than a probe of SQLite's own locks: between transactions a running
//! server holds only shared locks, which an offline command cannot tell apart from another
//! reader (the admin commands may run next to the server; restore may not). An `flock` says
//! exactly "a server or a restore has this data dir", and the kernel releases it when the
//! process ends, even after a crash or `kill -9`, so a stale lock never blocks a restore.

use std::fs::File;
use std::path::Path;

use rustix::fs::{FlockOperation, flock};

use crate::error::{Error, Result};

pub const LOCK_FILE: &str = "dutyduck.lock";

/// Held while it lives; dropping it releases the lock.
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock of `data_dir`, or says who has it. `purpose` completes "cannot …".
    pub fn acquire(data_dir: &Path, purpose: &str) -> Result<DataDirLock> {
        let path = data_dir.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| unusable(&path, e))?;
        // A lock released a moment ago may still be held for a few milliseconds: a process
        // that was starting a child (a backup, a CLI command) when the lock was taken shares the
        // descriptor until the child's exec closes it. So a busy lock is retried for a second
        // before the data dir is said to be in use.
        let mut result = flock(&file, FlockOperation::NonBlockingLockExclusive);
        for _ in 0..20 {
            if result != Err(rustix::io::Errno::WOULDBLOCK) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            result = flock(&file, FlockOperation::NonBlockingLockExclusive);
        }
        match result {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(rustix::io::Errno::WOULDBLOCK) => Err(Error::conflict(
                "data_dir_in_use",
                format!(
                    "cannot {purpose}: a dutyduck server (or a restore) is using the data dir {}; \
                     stop it first",
                    data_dir.display()
                ),
            )),
            Err(e) => Err(unusable(&path, e)),
        }
    }
}

fn unusable(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(
        crate::error::Kind::Internal,
        "data_dir_unusable",
        format!("cannot lock {}: {e}", path.display()),
    )
}
