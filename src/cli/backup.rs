//! `dutyduck backup --to FILE`: a consistent snapshot taken with `VACUUM INTO`, safe while the
//! server writes (it reads one snapshot of the WAL database).

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

pub fn run(data_dir: &Path, args: BackupArgs) -> Result<()> {
    if args.to.exists() {
        return Err(Error::conflict(
            "file_exists",
            format!("{} already exists; choose a new file", args.to.display()),
        ));
    }
    let target = args
        .to
        .to_str()
        .ok_or_else(|| Error::bad_request("invalid_path", "the backup path must be UTF-8"))?;
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
    conn.execute("VACUUM INTO ?1", [target]).map_err(|e| {
        Error::unavailable(format!(
            "cannot write the backup to {} ({e}): check that the user running dutyduck may \
             write to {}",
            args.to.display(),
            folder.display()
        ))
    })?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    println!("Backup written to {} ({size} bytes).", args.to.display());
    Ok(())
}
