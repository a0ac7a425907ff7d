//! `dutyduck export` and `dutyduck apply`: an organization's setup as a document
//! (src/config/format.md), read from and written to the data dir directly.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::output::outln;
use super::{in_read_transaction, in_transaction};
use crate::accounts::store as accounts;
use crate::config::{self, export, yaml};
use crate::error::{Error, Kind, Result};
use crate::ids::OrgId;
use crate::store::Create;
use crate::store::lock::DataDirLock;

#[derive(Clone, Copy, Default, ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The organization, by name; may be left out when the instance has only one.
    #[arg(long)]
    org: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
}

#[derive(Args)]
pub struct ApplyArgs {
    /// The document, YAML or JSON; `-` reads standard input.
    #[arg(short = 'f', long = "file")]
    file: PathBuf,
    /// The organization, by name; may be left out when the instance has only one.
    #[arg(long)]
    org: Option<String>,
    /// Also delete the monitors, tasks, channels, policies, windows and pages the document
    /// does not list.
    #[arg(long)]
    prune: bool,
    /// Print the plan and change nothing.
    #[arg(long)]
    dry_run: bool,
}

/// The organization named, or the only one.
pub(super) fn organization(conn: &rusqlite::Connection, name: Option<&str>) -> Result<OrgId> {
    if let Some(name) = name {
        return accounts::organization_named(conn, name)?
            .map(|o| o.id)
            .ok_or_else(|| {
                Error::new(
                    Kind::NotFound,
                    "not_found",
                    format!("no organization named {name:?}"),
                )
            });
    }
    match accounts::organizations(conn)?.as_slice() {
        [only] => Ok(only.id),
        [] => Err(Error::new(
            Kind::NotFound,
            "not_found",
            "the instance has no organization yet",
        )),
        many => Err(Error::invalid_field(
            "--org",
            format!(
                "is required: the instance has {} organizations ({})",
                many.len(),
                many.iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

pub fn export(data_dir: &Path, args: ExportArgs) -> Result<()> {
    let exported = in_read_transaction(data_dir, |c| {
        let org = organization(c, args.org.as_deref())?;
        export::export(c, org)
    })?;
    match args.format {
        Format::Yaml => outln!("{}", yaml::to_yaml(&exported.document).trim_end()),
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&exported.document).map_err(Error::internal)?
        ),
    }
    if !exported.secrets.is_empty() {
        eprintln!(
            "Secrets are written as references; set them in the environment before applying: {}",
            exported.secrets.join(", ")
        );
    }
    Ok(())
}

pub fn apply(data_dir: &Path, args: ApplyArgs) -> Result<()> {
    let text = read(&args.file)?;
    let document = config::parse(&text)?;
    crate::store::require_database(data_dir)?;
    // A running server schedules monitors in memory: it would not see rows written behind its
    // back, so the document goes to it instead.
    let _lock = DataDirLock::acquire(data_dir, "apply").map_err(|e| match e.kind {
        Kind::Conflict => Error::conflict(
            "data_dir_in_use",
            format!(
                "a dutyduck server is using the data dir {}: send the document to it instead, \
                 `curl -X PUT --data-binary @FILE -H 'Content-Type: application/yaml' \
                 -H 'X-Api-Token-Id: …' -H 'X-Api-Token-Secret-Key: …' URL/config` \
                 (POST URL/config/plan for a dry run), or stop it first",
                data_dir.display()
            ),
        ),
        _ => e,
    })?;
    let plan = in_transaction(data_dir, Create::No, |c| {
        let org = organization(c, args.org.as_deref())?;
        if args.dry_run {
            return config::plan(c, org, &document, args.prune);
        }
        let now = chrono::Utc::now();
        let plan = config::apply(c, org, &document, args.prune, now)?;
        if !plan.is_empty() {
            crate::audit::by_cli(c, Some(org), ("config", org.to_string()), "apply", &[], now)?;
        }
        Ok(plan)
    })?;
    outln!("{}", plan.to_string().trim_end());
    if args.dry_run {
        outln!("Dry run: nothing was changed.");
    } else if !plan.is_empty() {
        outln!("Applied.");
    }
    Ok(())
}

fn read(file: &Path) -> Result<String> {
    let mut text = String::new();
    let read = if file == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(drop)
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    read.map_err(|e| {
        Error::new(
            Kind::NotFound,
            "not_found",
            format!("cannot read {}: {e}", file.display()),
        )
    })?;
    Ok(text)
}
