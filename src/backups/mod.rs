//! Scheduled backups (`serve --backup-every`): a consistent copy of the database into a folder
//! every interval, named by its time, keeping the newest N. The copy is the one `dutyduck
//! backup` writes, taken on a read-only connection of its own, so checks and API writes go on.

pub mod routes;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::{Clock, Timestamp};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::backup::io_error;

/// Backup files are `dutyduck-<UTC time>.db`: sorting the names sorts them by time.
const PREFIX: &str = "dutyduck-";
const SUFFIX: &str = ".db";
const STAMP: &str = "%Y%m%dT%H%M%SZ";
/// A failed backup is tried again after this long (or the interval, if shorter).
const RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

#[derive(Clone, Debug)]
pub struct Schedule {
    pub every: Duration,
    /// How many backups to keep (at least 1).
    pub keep: usize,
    pub dir: PathBuf,
}

/// What administrators and `/metrics` see.
#[derive(Clone, Default)]
pub struct Status {
    pub last_backup_at: Option<Timestamp>,
    pub last_file: Option<PathBuf>,
    pub last_error: Option<(Timestamp, String)>,
    pub failures_total: u64,
    pub next_backup_at: Option<Timestamp>,
}

#[derive(Default)]
pub struct Backups {
    pub schedule: Option<Schedule>,
    status: Mutex<Status>,
}

impl Backups {
    pub fn new(schedule: Option<Schedule>) -> Backups {
        Backups {
            schedule,
            status: Mutex::default(),
        }
    }

    pub fn status(&self) -> Status {
        self.status.lock().expect("backup status").clone()
    }

    fn update(&self, f: impl FnOnce(&mut Status)) {
        f(&mut self.status.lock().expect("backup status"));
    }

    /// Backs up on schedule until `stopped`. The first backup is due one interval after the
    /// newest one already in the folder (at once if there is none), so restarts neither skip
    /// nor repeat one.
    pub async fn run(
        self: std::sync::Arc<Self>,
        store: Store,
        clock: Clock,
        mut stopped: watch::Receiver<bool>,
    ) {
        let Some(schedule) = self.schedule.clone() else {
            return;
        };
        let every = chrono::Duration::from_std(schedule.every).unwrap_or(chrono::Duration::days(1));
        let retry = chrono::Duration::from_std(RETRY_AFTER.min(schedule.every))
            .unwrap_or(chrono::Duration::minutes(10));
        let newest = existing(&schedule.dir)
            .ok()
            .and_then(|files| files.last().cloned());
        if let Some(newest) = &newest {
            self.update(|s| {
                s.last_backup_at = Some(newest.0);
                s.last_file = Some(newest.1.clone());
            });
        }
        let mut next = newest.map_or_else(|| clock.now(), |(at, _)| at + every);
        loop {
            self.update(|s| s.next_backup_at = Some(next));
            tokio::select! {
                _ = clock.sleep_until(next) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            let now = clock.now();
            let path = store.path().to_owned();
            let job = schedule.clone();
            let done = tokio::task::spawn_blocking(move || back_up(&path, &job, now))
                .await
                .map_err(Error::internal)
                .and_then(|r| r);
            match done {
                Ok(file) => {
                    log::info!("backup written to {}", file.display());
                    self.update(|s| {
                        s.last_backup_at = Some(now);
                        s.last_file = Some(file);
                        s.last_error = None;
                    });
                    next = now + every;
                }
                Err(e) => {
                    log::warn!("scheduled backup failed (retrying in {retry}): {e}");
                    self.update(|s| {
                        s.last_error = Some((now, e.message.clone()));
                        s.failures_total += 1;
                    });
                    next = now + retry;
                }
            }
        }
    }
}

/// Writes one backup of the database at `db` into the schedule's folder, then prunes it to the
/// newest `keep`. Written under a temporary name first: a half-written file is never taken
/// for a backup, nor counted when pruning.
fn back_up(db: &Path, schedule: &Schedule, now: Timestamp) -> Result<PathBuf> {
    std::fs::create_dir_all(&schedule.dir).map_err(|e| io_error(&schedule.dir, e))?;
    let name = format!("{PREFIX}{}{SUFFIX}", now.format(STAMP));
    let file = schedule.dir.join(&name);
    let partial = schedule.dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&partial);
    let conn = crate::store::open_read_only(db)?;
    if let Err(e) = crate::store::backup::write_copy(&conn, &partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &file).map_err(|e| io_error(&file, e))?;
    let files = existing(&schedule.dir)?;
    let surplus = files.len().saturating_sub(schedule.keep.max(1));
    for (_, old) in &files[..surplus] {
        if let Err(e) = std::fs::remove_file(old) {
            log::warn!("could not remove the old backup {}: {e}", old.display());
        }
    }
    Ok(file)
}

/// The backups in `dir` with their times, oldest first.
fn existing(dir: &Path) -> Result<Vec<(Timestamp, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut files: Vec<_> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
            let at = chrono::NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
            Some((at.and_utc(), path))
        })
        .collect();
    files.sort();
    Ok(files)
}
