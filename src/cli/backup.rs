//! `dutyduck backup --to FILE`: a consistent snapshot taken with `VACUUM INTO`, safe while the
//! server writes (it reads one snapshot of the WAL database).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Result};
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
    let conn = open_migrated(data_dir, Create::No)?;
    conn.execute("VACUUM INTO ?1", [target])
        .map_err(|e| Error::internal(format!("backup to {} failed: {e}", args.to.display())))?;
    let size = std::fs::metadata(&args.to).map(|m| m.len()).unwrap_or(0);
    println!("Backup written to {} ({size} bytes).", args.to.display());
    Ok(())
}
