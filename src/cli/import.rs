//! `dutyduck import uptime-kuma | healthchecks`: another tool's setup brought into an
//! organization as a config document, through `config::plan` (`--dry-run`) or `config::apply`,
//! in one transaction with the imported history. Prints the import's report, then the plan.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::output::outln;
use crate::error::{Error, Kind, Result};
use crate::import::{Imported, healthchecks, kuma};
use crate::store::Create;
use crate::store::lock::DataDirLock;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Bring an Uptime Kuma (1.23 or 2.x) setup: reads its kuma.db (read-only; stop Uptime
    /// Kuma or copy the file first) and brings monitors, push monitors (as tasks),
    /// notifications, maintenance and status pages.
    UptimeKuma {
        /// Uptime Kuma's SQLite database (kuma.db in its data directory).
        path: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Also bring the last N days of heartbeats as the monitors' check history.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=400))]
        history_days: Option<u32>,
    },
    /// Bring Healthchecks checks as tasks, from the output of its GET /api/v3/checks/.
    Healthchecks {
        /// The checks, as `curl -H "X-Api-Key: …" https://healthchecks.io/api/v3/checks/` wrote them.
        file: PathBuf,
        /// The output of GET /api/v3/channels/: listed in the report (it holds no settings).
        #[arg(long, value_name = "CHANNELS.json")]
        channels: Option<PathBuf>,
        /// Keep each check's UUID as its task's ping key, so the existing /ping/<uuid> URLs of
        /// your scripts keep working once they point at dutyduck.
        #[arg(long)]
        keep_ping_urls: bool,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(clap::Args)]
pub struct Common {
    /// The organization to import into (name or display name); needed when there are several.
    #[arg(long)]
    org: Option<String>,
    /// Print the report and the plan; change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(data_dir: &Path, command: ImportCommand) -> Result<()> {
    let now = chrono::Utc::now();
    let common = match &command {
        ImportCommand::UptimeKuma { common, .. } | ImportCommand::Healthchecks { common, .. } => {
            common
        }
    };
    crate::store::require_database(data_dir)?;
    // As `dutyduck apply`: never behind a running server's back (its scheduler would not see
    // the new monitors).
    let _lock = DataDirLock::acquire(data_dir, "import").map_err(|e| match e.kind {
        Kind::Conflict => Error::conflict(
            "data_dir_in_use",
            format!(
                "a dutyduck server is using the data dir {}: stop it, import, then start it again",
                data_dir.display()
            ),
        ),
        _ => e,
    })?;
    let mut conn = crate::store::open_migrated(data_dir, Create::No)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let org = super::config::organization(&tx, common.org.as_deref())?;
    let (imported, beats) = match &command {
        ImportCommand::UptimeKuma {
            path, history_days, ..
        } => kuma::import_with_history(path, org, now, *history_days)?,
        ImportCommand::Healthchecks {
            file,
            channels,
            keep_ping_urls,
            ..
        } => {
            let checks = healthchecks::parse_checks(&read(file)?)?;
            let channels = match channels {
                Some(path) => healthchecks::parse_channels(&read(path)?)?,
                None => Vec::new(),
            };
            let options = healthchecks::Options {
                keep_ping_urls: *keep_ping_urls,
            };
            (healthchecks::map(&checks, &channels, &options), Vec::new())
        }
    };
    let Imported {
        mut document,
        mut report,
    } = imported;
    crate::import::task_ids::keep_own(&tx, org, &mut document, &mut report)?;
    crate::import::ping_keys::keep_free(&tx, org, &mut document, &mut report)?;
    let document: crate::config::Document =
        serde_json::from_value(document).map_err(Error::internal)?;
    let (plan, added) = if common.dry_run {
        (crate::config::plan(&tx, org, &document, false)?, 0)
    } else {
        let plan = crate::config::apply(&tx, org, &document, false, now)?;
        let added = kuma::history::write(&tx, &beats)?;
        // As `dutyduck apply`: an import that changed nothing leaves no entry.
        if !plan.is_empty() || added > 0 {
            let what = ("config", org.to_string());
            crate::audit::by_cli(&tx, Some(org), what, "import", &[], now)?;
        }
        (plan, added)
    };
    if common.dry_run {
        // Dropped without a commit: the plan's writes, if any, are rolled back.
        drop(tx);
    } else {
        tx.commit()?;
    }
    outln!("{report}");
    outln!("{}", plan.to_string().trim_end());
    if common.dry_run {
        outln!("Dry run: nothing was changed.");
    } else if !beats.is_empty() {
        outln!(
            "History: {added} check results added ({} already there).",
            beats.len() - added
        );
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::bad_request(
            "import_source",
            format!("cannot read {}: {e}", path.display()),
        )
    })
}
