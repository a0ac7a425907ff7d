//! Which tasks a list shows and a bulk action selects: the filters of `GET /tasks`, read from
//! its query string (flattened there) or from a bulk body's `filter`, in one place.

use schemars::JsonSchema;
use serde::Deserialize;

use super::status::TaskStatus;
use super::store::Filter;
use crate::error::Result;
use crate::limits;
use crate::serde_util::one_or_many;
use crate::store::tags;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "TaskFilter")]
pub struct Matching {
    /// Statuses to include (repeat the key); default all.
    #[serde(default, deserialize_with = "one_or_many")]
    pub include: Vec<TaskStatus>,
    /// Text found in the id, name or description.
    #[schemars(length(max = limits::SHORT))]
    pub search_query: Option<String>,
    /// Tags every task must carry, as on `GET /monitors`: `key:value` or `key` (repeatable, all
    /// must hold). Tasks carry no tags yet, so a tag selects none.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(length(max = limits::METADATA), inner(length(min = 1, max = limits::METADATA_TAG), regex(pattern = tags::PATTERN)))]
    pub tag: Vec<String>,
}

impl Matching {
    /// The store's filter (first page, by name), checked.
    pub fn filter(self) -> Result<Filter> {
        let search = self.search_query.as_deref().unwrap_or("");
        limits::length("searchQuery", search, limits::SHORT)?;
        Ok(Filter {
            statuses: self.include,
            search: self.search_query,
            tags: tags::parse("tag", &self.tag)?,
            ..Filter::default()
        })
    }
}
