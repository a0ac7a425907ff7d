//! `dutyduck backup --to FILE`: a consistent snapshot taken with `VACUUM INTO`, safe while the
//! server writes (it reads one snapshot of the WAL database).

use super::output::outln;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Kind, Result};
use crate::store::{Create, open_migrated};

#[derive(Args)]
pub struct BackupArgs {
    /// File to write; must not exist yet.
    #[arg(long)]
    to: PathBuf,
}

/// `serve` flags for scheduled backups.
#[derive(Args)]
pub struct ScheduleArgs {
    /// Write a backup of the database this often (e.g. 24h, 6h); none unless given. The first
    /// one is written at start if the folder has none, else one interval after the newest.
    #[arg(long, env = "DUTYDUCK_BACKUP_EVERY", value_parser = parse_interval)]
    backup_every: Option<std::time::Duration>,
    /// How many scheduled backups to keep; older ones are deleted.
    #[arg(long, env = "DUTYDUCK_BACKUP_KEEP", default_value_t = 7,
          value_parser = clap::value_parser!(u16).range(1..), requires = "backup_every")]
    backup_keep: u16,
    /// Folder for scheduled backups [default: <data-dir>/backups]. Best on another disk.
    #[arg(long, env = "DUTYDUCK_BACKUP_DIR", requires = "backup_every")]
    backup_dir: Option<PathBuf>,
}

impl ScheduleArgs {
    pub fn schedule(self, data_dir: &Path) -> Option<crate::backups::Schedule> {
        Some(crate::backups::Schedule {
            every: self.backup_every?,
            keep: usize::from(self.backup_keep),
            dir: self.backup_dir.unwrap_or_else(|| data_dir.join("backups")),
        })
    }
}

/// At least a minute: a shorter interval would back up continuously.
fn parse_interval(raw: &str) -> std::result::Result<std::time::Duration, String> {
    let every = humantime::parse_duration(raw).map_err(|e| e.to_string())?;
    if every < std::time::Duration::from_secs(60) {
        return Err("use at least 1m, e.g. 24h".into());
    }
    Ok(every)
}

pub fn run(data_dir: &Path, args: BackupArgs) -> Result<()> {
    if args.to.exists() {
        return Err(Error::conflict(
            "file_exists",
            format!("{} already exists; choose a new file", args.to.display()),
        ));
    }
    let folder = match args.to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(Error::new(
            Kind::NotFound,
            "not_found",
            format!(
                "the folder {} does not exist: create it first or choose another --to",
                folder.display()
            ),
        ));
    }
    let conn = open_migrated(data_dir, Create::No)?;
    let size = crate::store::backup::write_copy(&conn, &args.to)?;
    outln!("Backup written to {} ({size} bytes).", args.to.display());
    Ok(())
}
