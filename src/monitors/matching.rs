//! Which monitors a list shows and a bulk action selects: the filters of `GET /monitors`, read
//! from its query string (flattened there) or from a bulk body's `filter`, in one place.

use schemars::JsonSchema;
use serde::Deserialize;

use super::kinds::Kind;
use super::model::MonitorStatus;
use super::redact;
use super::store::Filter;
use crate::accounts::principal::Principal;
use crate::error::Result;
use crate::http::request::metadata_filter;
use crate::limits;
use crate::serde_util::one_or_many;
use crate::store::tags;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "MonitorFilter")]
pub struct Matching {
    /// Statuses to include (repeat the key); default: all but archived.
    #[serde(default, deserialize_with = "one_or_many")]
    pub include: Vec<MonitorStatus>,
    /// Kinds to include (repeat the key, e.g. `kind=tcp&kind=dns`); default: every kind.
    #[serde(default, deserialize_with = "one_or_many")]
    pub kind: Vec<Kind>,
    /// Text found in the name or URL.
    #[schemars(length(max = limits::SHORT))]
    pub query: Option<String>,
    /// JSON: {"items": {"key": ["value", ...]}}.
    #[schemars(length(max = limits::SHORT), regex(pattern = crate::http::request::METADATA_FILTER_PATTERN))]
    pub metadata_filter: Option<String>,
    /// Tags every monitor must carry: `key:value`, or `key` for any value (repeat the key: all
    /// must hold).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(length(max = limits::METADATA), inner(length(min = 1, max = limits::METADATA_TAG), regex(pattern = tags::PATTERN)))]
    pub tag: Vec<String>,
}

impl Matching {
    /// The store's filter (first page, by name), checked. `http_only`: the original clients'
    /// path, `/http-monitors`, which knows HTTP monitors only.
    pub fn filter(self, me: &Principal, http_only: bool) -> Result<Filter> {
        limits::length("query", self.query.as_deref().unwrap_or(""), limits::SHORT)?;
        Ok(Filter {
            statuses: self.include,
            kinds: if http_only {
                vec![Kind::Http]
            } else {
                self.kind
            },
            query: self.query,
            search_masked_url: !redact::sees_secrets(me),
            metadata: metadata_filter(self.metadata_filter.as_deref())?,
            tags: tags::parse("tag", &self.tag)?,
            ..Filter::default()
        })
    }
}
