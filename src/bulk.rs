//! Bulk actions, whatever they act on (incidents, monitors, tasks): a selection is explicit ids
//! (at most [`MAX_IDS`]) or everything a list's filter matches (at most [`MAX_MATCHING`]); it is
//! applied in batches of [`BATCH`], one write each, so a 10,000-item action never holds the single
//! writer for long and other requests' writes go in between; the answer counts what matched,
//! what changed and what was skipped and why. Each feature keeps its own rules (the very ones of
//! its single-item routes) and hands this module the outcome of each item.

use std::fmt::Display;
use std::future::Future;

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{Error, Result};

/// Explicit ids in one request.
pub const MAX_IDS: usize = 1000;
/// Items a filter may select at once ("all matching"); narrow the filter past it.
pub const MAX_MATCHING: usize = 100_000;
/// Items changed in one write.
pub const BATCH: usize = 200;
/// Ids listed per skip reason and for ids not found, so the answer stays small.
const IDS_SHOWN: usize = 50;

/// Explicit ids, or a filter.
pub enum Selection<Id, F> {
    Ids(Vec<Id>),
    Filter(F),
}

/// Exactly one of `ids` (1 to [`MAX_IDS`], repeats counted once) and `filter`.
pub fn selection<Id: PartialEq, F>(
    ids: Option<Vec<Id>>,
    filter: Option<F>,
) -> Result<Selection<Id, F>> {
    match (ids, filter) {
        (Some(_), Some(_)) => Err(Error::invalid_field(
            "ids",
            "give either ids or filter, not both",
        )),
        (None, None) => Err(Error::invalid_field(
            "ids",
            "give the ids to act on, or a filter",
        )),
        (None, Some(filter)) => Ok(Selection::Filter(filter)),
        (Some(ids), None) => {
            if ids.is_empty() {
                return Err(Error::invalid_field("ids", "must not be empty"));
            }
            crate::limits::count("ids", ids.len(), MAX_IDS)?;
            let mut distinct: Vec<Id> = Vec::with_capacity(ids.len());
            for id in ids {
                if !distinct.contains(&id) {
                    distinct.push(id);
                }
            }
            Ok(Selection::Ids(distinct))
        }
    }
}

/// What a filter matched, refused past [`MAX_MATCHING`] (read with a limit one above it).
pub fn within_bound<Id>(matched: Vec<Id>) -> Result<Vec<Id>> {
    if matched.len() > MAX_MATCHING {
        return Err(Error::invalid_field(
            "filter",
            format!("matches more than {MAX_MATCHING} items; narrow it"),
        ));
    }
    Ok(matched)
}

/// What became of one selected item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    /// Left as it was, with why (camelCase, e.g. `alreadyResolved`).
    Skipped(&'static str),
    /// Not in the caller's organization (deleted meanwhile, mistyped, or another's).
    NotFound,
}

#[derive(Debug, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "BulkSkipped")]
pub struct Skipped {
    /// Why, e.g. `alreadyResolved`, `alreadyAcknowledged`, `alreadyPaused`, `archived`.
    pub reason: String,
    pub count: u64,
    /// The first 50 of them.
    pub ids: Vec<String>,
}

/// What a bulk action did: `matched` = `changed` + `skipped`.
#[derive(Debug, Default, Serialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "BulkReport")]
pub struct Report {
    /// Items selected and found in the organization.
    pub matched: u64,
    pub changed: u64,
    pub skipped: u64,
    /// Skipped items by reason.
    pub skipped_by: Vec<Skipped>,
    /// Given ids not found in the organization (the first 50).
    pub not_found: Vec<String>,
    /// Action `silence`: the one silence created over the selection's sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silence_id: Option<String>,
    /// Action `maintenance`: the one maintenance window created over the selection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_id: Option<String>,
}

impl Report {
    pub fn add(&mut self, id: &impl Display, outcome: Outcome) {
        match outcome {
            Outcome::Changed => {
                self.matched += 1;
                self.changed += 1;
            }
            Outcome::Skipped(reason) => {
                self.matched += 1;
                self.skipped += 1;
                let at = match self.skipped_by.iter().position(|s| s.reason == reason) {
                    Some(at) => at,
                    None => {
                        self.skipped_by.push(Skipped {
                            reason: reason.to_owned(),
                            count: 0,
                            ids: Vec::new(),
                        });
                        self.skipped_by.len() - 1
                    }
                };
                let entry = &mut self.skipped_by[at];
                entry.count += 1;
                if entry.ids.len() < IDS_SHOWN {
                    entry.ids.push(id.to_string());
                }
            }
            Outcome::NotFound => {
                if self.not_found.len() < IDS_SHOWN {
                    self.not_found.push(id.to_string());
                }
            }
        }
    }
}

/// Applies `batch` to `ids`, [`BATCH`] at a time, each batch awaited (one write) before the next
/// is submitted. It runs detached from the request: a client hanging up mid-way does not stop
/// it between batches (a side effect told after a commit, such as rescheduling, is not lost).
pub async fn run<Id, F, Fut>(ids: Vec<Id>, mut batch: F) -> Result<Report>
where
    Id: Display + Clone + Send + Sync + 'static,
    F: FnMut(Vec<Id>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<(Id, Outcome)>>> + Send,
{
    tokio::spawn(async move {
        let mut report = Report::default();
        for chunk in ids.chunks(BATCH) {
            for (id, outcome) in batch(chunk.to_vec()).await? {
                report.add(&id, outcome);
            }
        }
        Ok(report)
    })
    .await
    .map_err(Error::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_is_ids_or_a_filter() {
        let rows: [(Option<Vec<u32>>, Option<()>, Option<&str>); 5] = [
            (Some(vec![1, 2, 1]), None, None),
            (None, Some(()), None),
            (Some(vec![1]), Some(()), Some("ids")),
            (None, None, Some("ids")),
            (Some(vec![]), None, Some("ids")),
        ];
        for (ids, filter, refused) in rows {
            match (selection(ids.clone(), filter), refused) {
                (Ok(Selection::Ids(ids)), None) => assert_eq!(ids, [1, 2]),
                (Ok(Selection::Filter(())), None) => {}
                (Err(e), Some(field)) => assert!(e.message.starts_with(field), "{}", e.message),
                (_, refused) => panic!("{ids:?}: expected refusal {refused:?}"),
            }
        }
        let too_many: Vec<usize> = (0..=MAX_IDS).collect();
        assert!(selection::<_, ()>(Some(too_many), None).is_err());
    }

    #[tokio::test]
    async fn a_selection_is_applied_in_batches_one_after_the_other() {
        let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let ids: Vec<u32> = (0..450).collect();
        let report = run(ids, move |batch| {
            seen.lock().unwrap().push(batch.len());
            async move { Ok(batch.into_iter().map(|id| (id, Outcome::Changed)).collect()) }
        })
        .await
        .unwrap();
        assert_eq!(*sizes.lock().unwrap(), [BATCH, BATCH, 50]);
        assert_eq!((report.matched, report.changed), (450, 450));
    }

    #[test]
    fn the_report_counts_each_outcome() {
        let mut report = Report::default();
        report.add(&"a", Outcome::Changed);
        report.add(&"b", Outcome::Skipped("alreadyResolved"));
        report.add(&"c", Outcome::Skipped("alreadyResolved"));
        report.add(&"d", Outcome::NotFound);
        assert_eq!((report.matched, report.changed, report.skipped), (3, 1, 2));
        assert_eq!(report.skipped_by[0].reason, "alreadyResolved");
        assert_eq!(report.skipped_by[0].count, 2);
        assert_eq!(report.skipped_by[0].ids, ["b", "c"]);
        assert_eq!(report.not_found, ["d"]);
    }
}
