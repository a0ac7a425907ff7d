//! Opening the SQLite file: pragmas, migrations, and the refusal of databases from the future.
//! The server and the offline CLI both open the data dir through here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Kind, Result};

mod embedded {
    refinery::embed_migrations!("migrations");
}

pub const DB_FILE: &str = "dutyduck.db";

/// How long a connection waits for another writer (e.g. the CLI while the server runs).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DB_FILE)
}

/// Whether the data dir should be created when missing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// `serve` and `user create`: a fresh VM just works.
    IfMissing,
    /// Other admin commands: a typo in `--data-dir` must not silently create an empty database.
    No,
}

/// The database of `data_dir` exists, or an error saying how to make one (for the commands
/// that change an existing instance, before they take the data dir's lock).
pub fn require_database(data_dir: &Path) -> Result<()> {
    let path = db_path(data_dir);
    if !path.exists() {
        return Err(Error::new(
            Kind::NotFound,
            "not_found",
            format!(
                "database {} not found: start `dutyduck serve` or run `dutyduck user create` first, \
                 or check --data-dir",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Opens the database of `data_dir` for writing and brings its schema up to date.
pub fn open_migrated(data_dir: &Path, create: Create) -> Result<Connection> {
    let path = db_path(data_dir);
    check_is_dir(data_dir)?;
    if create == Create::No {
        require_database(data_dir)?;
    }
    std::fs::create_dir_all(data_dir).map_err(|e| {
        let problem = match e.kind() {
            std::io::ErrorKind::PermissionDenied => format!(
                "cannot create it: the user running dutyduck may not write to {}; create the \
                 directory for that user or choose another --data-dir",
                nearest_existing(data_dir).display()
            ),
            std::io::ErrorKind::NotADirectory => format!(
                "cannot create it: {} is a file, not a directory",
                nearest_existing(data_dir).display()
            ),
            _ => format!("cannot create it: {e}"),
        };
        unusable(data_dir, problem)
    })?;
    let _one_at_a_time = super::lock::MigrationLock::acquire(data_dir).map_err(|e| {
        if e.read_only {
            unusable(data_dir, READ_ONLY_DIR)
        } else {
            e.error
        }
    })?;
    let mut conn = Connection::open(&path).map_err(|e| {
        unusable(
            &path,
            format!("cannot open it ({e}): the user running dutyduck needs read and write access"),
        )
    })?;
    configure(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
                unusable(data_dir, READ_ONLY_DIR)
            }
            _ => e.into(),
        })?;
    migrate(&mut conn)?;
    Ok(conn)
}

const READ_ONLY_DIR: &str = "is read-only for the user running dutyduck: it needs write access \
                             to the directory and to the dutyduck.db* files in it";

const READ_ONLY: OpenFlags =
    OpenFlags::SQLITE_OPEN_READ_ONLY.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);
/// A data dir the process cannot use is the operator's to fix, not a bug: the message names the
/// path and the problem (`Error::internal` would hide both).
fn unusable(path: &Path, problem: impl std::fmt::Display) -> Error {
    Error::new(
        Kind::Unavailable,
        "data_dir_unusable",
        format!("{}: {problem}", path.display()),
    )
}

/// A data dir that exists must be a directory (a file there would otherwise be reported as
/// "database not found" or "File exists").
fn check_is_dir(data_dir: &Path) -> Result<()> {
    match std::fs::metadata(data_dir) {
        Ok(meta) if !meta.is_dir() => Err(unusable(
            data_dir,
            "is not a directory: --data-dir names the directory holding dutyduck.db \
             (created if missing)",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(unusable(
            data_dir,
            "permission denied: the user running dutyduck may not reach it",
        )),
        // Missing (created later, or reported as such) or a directory.
        _ => Ok(()),
    }
}

/// The closest ancestor of `path` that exists: where `create_dir_all` needed write access.
fn nearest_existing(path: &Path) -> &Path {
    path.ancestors()
        .skip(1)
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"))
}

/// A read-only connection to an already migrated database (the server's readers).
pub fn open_read_only(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, READ_ONLY)?;
    configure(&conn)?;
    Ok(conn)
}

/// A read-only connection that takes no locks and never looks for a WAL: for a database on a
/// read-only disk only.
fn open_immutable(path: &Path) -> Result<Connection> {
    let raw = path.to_string_lossy();
    let mut uri = String::from("file:");
    for c in raw.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3F"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Ok(Connection::open_with_flags(
        uri,
        READ_ONLY.union(OpenFlags::SQLITE_OPEN_URI),
    )?)
}

pub(super) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // FULL: a write acknowledged to a client survives a power cut. The writer batches
    // transactions, so the extra fsync is paid once per batch, not once per request.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Plans that do not depend on the values bound. Without this, SQLite plans a statement with
    // `LIMIT ?` (or a parameter it compares with a partial index's constant) for the values
    // of its first run, and prepares it again at every run with new values: the statement
    // cache then saves nothing. Queries meant for a partial index spell its constants out.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Caps the connection's page cache at `kib` KiB (SQLite's own default is about 2 MiB). Pages
/// are cached as they are read and kept until the cap, so a long-running server's connections
/// all grow to it: the server's memory at rest is this times its connections. Pages past the
/// cap are read again from the file, which the kernel caches anyway (a system call, no disk).
pub fn size_cache(conn: &Connection, kib: u32) -> Result<()> {
    conn.pragma_update(None, "cache_size", -i64::from(kib.max(1)))?;
    Ok(())
}

/// Prepared statements the writer keeps (each a few KiB, made at first use).
const WRITER_STATEMENTS: usize = 64;

/// The server's writer: its page cache, and savepoint journals kept in memory. The writer runs
/// each job in a savepoint (and check results in one of their own); a savepoint's journal, the
/// pages it may have to restore, spills to a temporary file past 64 KiB, which a batch of jobs
/// reaches as soon as they touch the same pages: every page then costs a write system call.
/// In memory it holds one batch's pages at most, freed at the commit.
///
/// Its prepared statements: every feature's writes go through it, more distinct statements than
/// rusqlite's default cache of 16 holds, and a statement pushed out is parsed again at its
/// next use; a ping alone runs a dozen.
pub fn configure_writer(conn: &Connection, cache_kib: u32) -> Result<()> {
    size_cache(conn, cache_kib)?;
    conn.set_prepared_statement_cache_capacity(WRITER_STATEMENTS);
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Opens the database of `data_dir` for commands that only read (`user list`, `token list`):
/// read-only, so they also work on a read-only data dir or disk. A database whose schema is
/// behind this binary is migrated first (that needs write access, as any upgrade does); one
/// from a newer dutyduck is refused, as everywhere.
pub fn open_for_reading(data_dir: &Path) -> Result<Connection> {
    let path = db_path(data_dir);
    if !path.exists() {
        return open_migrated(data_dir, Create::No);
    }
    let mut conn = Connection::open_with_flags(&path, READ_ONLY)?;
    let probe = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    });
    if let Err(e) = probe {
        // A WAL database needs its `-shm` index, which SQLite cannot create in a read-only dir.
        // With no WAL file nobody is writing and the file is complete (a clean stop merges the
        // WAL): it can be read as immutable, without that index.
        let wal = path.with_file_name(format!("{DB_FILE}-wal"));
        if e.sqlite_error_code() != Some(rusqlite::ErrorCode::CannotOpen) || wal.exists() {
            return Err(e.into());
        }
        conn = open_immutable(&path)?;
    }
    configure(&conn)?;
    let (applied, known) = schema_versions(&conn)?;
    // Behind: migrated first. Ahead: refused there, the file untouched.
    if applied != known {
        drop(conn);
        return open_migrated(data_dir, Create::No);
    }
    Ok(conn)
}

/// The schema version of `conn`'s database, and the newest this binary knows.
pub fn schema_versions(conn: &Connection) -> Result<(i64, i64)> {
    let known = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0);
    Ok((applied_version(conn)?, known))
}

/// Applies pending migrations; refuses a database that a newer dutyduck has migrated further.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let (applied, known) = schema_versions(conn)?;
    if applied > known {
        return Err(Error::new(
            crate::error::Kind::Internal,
            "database_too_new",
            format!(
                "this database was written by a newer dutyduck (schema version {applied}, this binary knows up to {known}); \
                 run the newer binary or restore a backup. Nothing was changed."
            ),
        ));
    }
    embedded::migrations::runner()
        .run(conn)
        .map_err(|e| Error::internal(format!("migration failed: {e}")))?;
    Ok(())
}

/// The schema as it was at `version`: for tests of what a later migration does to old data.
#[cfg(test)]
pub(crate) fn migrate_to(conn: &mut Connection, version: i32) -> Result<()> {
    embedded::migrations::runner()
        .set_target(refinery::Target::Version(version))
        .run(conn)
        .map_err(|e| Error::internal(format!("migration failed: {e}")))?;
    Ok(())
}

fn applied_version(conn: &Connection) -> Result<i64> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement with `LIMIT ?` (every paged list, every purge in batches) is prepared once,
    /// not again at each run with a new value.
    #[test]
    fn statements_with_bound_limits_are_not_prepared_again_at_each_run() {
        let conn = Connection::open_in_memory().unwrap();
        configure(&conn).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);")
            .unwrap();
        for limit in 1..=3 {
            let mut statement = conn
                .prepare_cached("SELECT x FROM t WHERE x >= ?1 ORDER BY x LIMIT ?2")
                .unwrap();
            let rows: Vec<i64> = statement
                .query_map([1, limit], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(rows.len(), limit as usize);
            let again = statement.get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(again, 0, "prepared again at run {limit}");
        }
    }

    /// `serve` and `user create` started together on a fresh VM: neither may fail because the
    /// other created a table first. Several rounds, as the race needs both to look at once.
    #[test]
    fn processes_opening_a_fresh_data_dir_at_once_both_succeed() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let dir = dir.path().to_owned();
                    std::thread::spawn(move || open_migrated(&dir, Create::IfMissing).map(drop))
                })
                .collect();
            for opener in openers {
                opener
                    .join()
                    .unwrap()
                    .expect("opening a fresh data dir at once");
            }
        }
    }
}
