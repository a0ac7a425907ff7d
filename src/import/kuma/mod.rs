//! Uptime Kuma (1.23 and 2.x): its SQLite database read directly and read-only (`rows`,
//! `model`), mapped to a configuration document: notifications (`channels`), monitors and push
//! monitors (`monitors`, `kinds`), maintenance (`maintenance`), status pages (`pages`).

#[cfg(test)]
mod bad_input_tests;
#[cfg(test)]
mod channel_tests;
mod channels;
mod content_type;
pub mod history;
mod kinds;
mod maintenance;
pub mod model;
mod monitors;
mod pages;
pub mod rows;
mod tags;
#[cfg(test)]
mod tests;

use std::path::Path;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::import::{Imported, Lists, Report};

pub use monitors::Source;

/// Reads the database at `path` and maps it for `org`. `now` dates what has no date of its
/// own in Uptime Kuma (a manual maintenance in force), to the day so a second import the same
/// day plans nothing.
pub fn import(path: &Path, org: OrgId, now: Timestamp) -> Result<Imported> {
    Ok(import_with_history(path, org, now, None)?.0)
}

/// As `import`, with the heartbeats of the last `history_days` days of the monitors it brings.
pub fn import_with_history(
    path: &Path,
    org: OrgId,
    now: Timestamp,
    history_days: Option<u32>,
) -> Result<(Imported, Vec<history::Beat>)> {
    let conn = rows::open(path)?;
    let kuma = model::read(&conn)?;
    let (mut imported, sources) = map_with_sources(&kuma, org, now);
    let beats = match history_days {
        Some(days) => history::read(&conn, &sources, days, now, &mut imported.report)?,
        None => Vec::new(),
    };
    Ok((imported, beats))
}

pub fn map(kuma: &model::Kuma, org: OrgId, now: Timestamp) -> Imported {
    map_with_sources(kuma, org, now).0
}

/// The document, and what each Kuma monitor became.
fn map_with_sources(
    kuma: &model::Kuma,
    org: OrgId,
    now: Timestamp,
) -> (Imported, std::collections::HashMap<i64, Source>) {
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let mut report = Report::default();
    let mut lists = Lists::default();
    let channels = channels::map(kuma, org, &mut report, &mut lists);
    let sources = monitors::map(kuma, org, &channels, &mut report, &mut lists);
    maintenance::map(kuma, org, &sources, today, &mut report, &mut lists);
    pages::map(kuma, org, &sources, &mut report, &mut lists);
    let imported = Imported {
        document: lists.document(),
        report,
    };
    (imported, sources)
}
