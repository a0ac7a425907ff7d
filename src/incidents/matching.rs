//! Which incidents a list shows and a bulk action selects: the filters of `GET /incidents`, read
//! from its query string or from a bulk body's `filter`, in one place.

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::Deserialize;

use super::model::{IncidentStatus, Priority, SourceType};
use super::redact;
use super::store::Filter;
use crate::accounts::principal::Principal;
use crate::error::Result;
use crate::http::request::metadata_filter;
use crate::limits;
use crate::serde_util::one_or_many;

/// Longest incident search text.
pub const SEARCH: usize = limits::NAME;

/// The filters of `GET /incidents`, with the same names and meanings.
/// Read from `GET /incidents`'s query (flattened there) and from a bulk body's `filter`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "IncidentFilter")]
pub struct Matching {
    /// Repeat the key; default: ongoing and resolved.
    #[serde(default, deserialize_with = "one_or_many")]
    pub status: Vec<IncidentStatus>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub priority: Vec<Priority>,
    pub source_type: Option<SourceType>,
    #[schemars(length(max = limits::TASK_ID))]
    pub source_id: Option<String>,
    /// RFC 3339.
    pub from_date: Option<DateTime<FixedOffset>>,
    pub to_date: Option<DateTime<FixedOffset>>,
    /// JSON: {"items": {"key": ["value", ...]}}.
    #[schemars(length(max = limits::SHORT), regex(pattern = crate::http::request::METADATA_FILTER_PATTERN))]
    pub metadata_filter: Option<String>,
    /// Text found in the title or the source's name, case-insensitively.
    #[schemars(length(max = SEARCH))]
    pub q: Option<String>,
}

impl Matching {
    /// The store's filter (first page, newest first), checked; what `me` may filter on.
    pub fn filter(self, me: &Principal) -> Result<Filter> {
        limits::length(
            "sourceId",
            self.source_id.as_deref().unwrap_or(""),
            limits::TASK_ID,
        )?;
        limits::length("q", self.q.as_deref().unwrap_or(""), SEARCH)?;
        let statuses = if self.status.is_empty() {
            vec![IncidentStatus::Ongoing, IncidentStatus::Resolved]
        } else {
            self.status
        };
        Ok(Filter {
            statuses,
            priorities: self.priority,
            source_type: self.source_type,
            source_id: self.source_id,
            from: self.from_date.map(|d| d.to_utc()),
            to: self.to_date.map(|d| d.to_utc()),
            metadata: redact::metadata_filter_for(
                me,
                metadata_filter(self.metadata_filter.as_deref())?,
            ),
            search: self.q,
            ..Filter::default()
        })
    }
}
