//! Consistent copies of the database (`dutyduck backup`, the server's scheduled backups) and
//! putting one back (`dutyduck restore`).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::connection::{DB_FILE, db_path, migrate, schema_versions};
use super::lock::DataDirLock;
use crate::clock::Timestamp;
use crate::error::{Error, Kind, Result};

/// Writes a consistent snapshot of `conn`'s database to `to` (which must not exist) with
/// `VACUUM INTO`: it reads one snapshot of the WAL database, so it is safe while the server
/// writes, and works from a read-only connection. Returns the size written.
pub fn write_copy(conn: &Connection, to: &Path) -> Result<u64> {
    let target = to
        .to_str()
        .ok_or_else(|| Error::bad_request("invalid_path", "the backup path must be UTF-8"))?;
    conn.execute("VACUUM INTO ?1", [target]).map_err(|e| {
        let folder = to.parent().unwrap_or(Path::new("."));
        Error::unavailable(format!(
            "cannot write the backup to {} ({e}): check that the user running dutyduck may \
             write to {}",
            to.display(),
            folder.display()
        ))
    })?;
    Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
}

/// What a restore did.
pub struct Restored {
    /// Where the database that was replaced now is (none if the data dir had none).
    pub kept_aside: Option<PathBuf>,
    /// The backup's schema version, and the version it was migrated to.
    pub from_version: i64,
    pub version: i64,
}

/// Replaces the database of `data_dir` with the backup `from`, which is checked first (a
/// dutyduck database, intact, not from a newer dutyduck) and brought up to this binary's schema
/// on a copy. Until the final renames nothing in the data dir changes; the replaced database is
/// kept next to it as `dutyduck.db.before-restore-<time>`. Refused while a server runs.
pub fn restore(data_dir: &Path, from: &Path, now: Timestamp) -> Result<Restored> {
    if !from.is_file() {
        return Err(Error::not_found(&format!("backup file {}", from.display())));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| io_error(data_dir, e))?;
    let _lock = DataDirLock::acquire(data_dir, "restore")?;
    let incoming = data_dir.join(format!("{DB_FILE}.restoring"));
    remove_with_journals(&incoming);
    std::fs::copy(from, &incoming).map_err(|e| io_error(&incoming, e))?;
    let checked = prepare(&incoming, from);
    let (from_version, version) = match checked {
        Ok(versions) => versions,
        Err(e) => {
            remove_with_journals(&incoming);
            return Err(e);
        }
    };
    let current = db_path(data_dir);
    let kept_aside = if current.exists() {
        Some(set_aside(&current, now)?)
    } else {
        None
    };
    std::fs::rename(&incoming, &current).map_err(|e| io_error(&current, e))?;
    // Make the renames durable before saying it is done.
    if let Ok(dir) = std::fs::File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(Restored {
        kept_aside,
        from_version,
        version,
    })
}

/// Checks the copy `path` of the backup `from` and migrates it; returns (its version, the new).
fn prepare(path: &Path, from: &Path) -> Result<(i64, i64)> {
    let not_ours = |why: &str| {
        Error::bad_request(
            "not_a_dutyduck_database",
            format!(
                "{} is not a dutyduck database ({why}); nothing was changed",
                from.display()
            ),
        )
    };
    let mut conn = Connection::open(path).map_err(|e| io_error(path, e))?;
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| not_ours(&e.to_string()))?;
    if integrity != ["ok"] {
        return Err(not_ours(&format!(
            "the integrity check failed: {}",
            integrity.join("; ")
        )));
    }
    let has_users: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users')",
        [],
        |r| r.get(0),
    )?;
    let (applied, _) = schema_versions(&conn)?;
    if applied == 0 || !has_users {
        return Err(not_ours("it has no dutyduck tables"));
    }
    migrate(&mut conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let (version, _) = schema_versions(&conn)?;
    // Closing the only connection merges its WAL: the file is complete on its own.
    conn.close().map_err(|(_, e)| Error::from(e))?;
    Ok((applied, version))
}

/// Merges the WAL of the database being replaced into it (if a crash left one), then renames
/// it to `dutyduck.db.before-restore-<time>`.
fn set_aside(current: &Path, now: Timestamp) -> Result<PathBuf> {
    if let Ok(conn) = Connection::open(current) {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let _ = conn.close();
    }
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut aside = current.with_file_name(format!("{DB_FILE}.before-restore-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = current.with_file_name(format!("{DB_FILE}.before-restore-{stamp}-{n}"));
    }
    std::fs::rename(current, &aside).map_err(|e| io_error(current, e))?;
    // A WAL that could not be merged belongs to the file set aside, not to the restored one.
    for suffix in ["-wal", "-shm"] {
        let journal = with_suffix(current, suffix);
        if journal.exists() {
            std::fs::rename(&journal, with_suffix(&aside, suffix))
                .map_err(|e| io_error(&journal, e))?;
        }
    }
    Ok(aside)
}

fn remove_with_journals(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(
        Kind::Unavailable,
        "io_error",
        format!("{}: {e}", path.display()),
    )
}
