//! `dutyduck restore --from FILE`: put a backup back in place of the database, offline.

use super::output::outln;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::clock::Clock;
use crate::error::Result;

#[derive(Args)]
pub struct RestoreArgs {
    /// Backup file to restore (from `dutyduck backup` or a scheduled backup).
    #[arg(long)]
    from: PathBuf,
}

pub fn run(data_dir: &Path, args: RestoreArgs) -> Result<()> {
    let restored = crate::store::backup::restore(data_dir, &args.from, Clock::system().now())?;
    outln!(
        "Restored {} into {}.",
        args.from.display(),
        crate::store::db_path(data_dir).display()
    );
    if restored.version != restored.from_version {
        outln!(
            "Its schema was brought from version {} to {}.",
            restored.from_version,
            restored.version
        );
    }
    if let Some(aside) = restored.kept_aside {
        outln!("The previous database was kept as {}.", aside.display());
    }
    Ok(())
}
