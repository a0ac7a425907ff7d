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
/// Taken, blocking, by whoever brings the schema up to date (see `MigrationLock`).
pub const MIGRATION_LOCK_FILE: &str = "dutyduck.migration.lock";

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

/// Held while one process migrates the database. A first start is often two processes at once
/// (`serve` started by systemd while the admin runs `user create`): both find the schema empty,
/// and the second to apply a migration would fail on a table the first just created. Whoever
/// comes second waits here, then finds nothing left to apply.
pub struct MigrationLock {
    _file: File,
}

/// Why the migration lock could not be taken; `read_only` lets the caller say so plainly.
pub struct MigrationLockError {
    pub error: Error,
    pub read_only: bool,
}

impl MigrationLock {
    pub fn acquire(data_dir: &Path) -> std::result::Result<MigrationLock, MigrationLockError> {
        let path = data_dir.join(MIGRATION_LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| MigrationLockError {
                read_only: matches!(
                    e.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                ),
                error: unusable(&path, e),
            })?;
        flock(&file, FlockOperation::LockExclusive).map_err(|e| MigrationLockError {
            error: unusable(&path, e),
            read_only: false,
        })?;
        Ok(MigrationLock { _file: file })
    }
}

fn unusable(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(
        crate::error::Kind::Internal,
        "data_dir_unusable",
        format!("cannot lock {}: {e}", path.display()),
    )
}
