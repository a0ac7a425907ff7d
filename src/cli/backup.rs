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
    let conn = open_migrated(data_dir, Create::No)?;
    let size = crate::store::backup::write_copy(&conn, &args.to)?;
    println!("Backup written to {} ({size} bytes).", args.to.display());
    Ok(())
}
