//! A silence as the API shows it, and its pure rules: which sources it covers (matchers) and
//! which ends are acceptable. Tested row by row below.

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, SilenceId, TokenId, UserId};
use crate::limits;

/// The longest a silence may last: past that, a mute is forgotten rather than meant.
pub const LONGEST: Duration = Duration::days(30);

/// Active silences an organization may have at once (each notification asks every one).
pub const MAX_ACTIVE: i64 = 500;

/// A kind as matchers name it: `http`, `tcp`, `dns`, `tls`, `icmp`, `task`, …
pub const KIND_PATTERN: &str = "^[a-z][a-z0-9]{0,19}$";

/// What a silence covers. `all` covers everything (manual incidents too); otherwise a source is
/// covered when it passes every matcher given: its id among `sourceIds`, its kind among `kinds`,
/// and each of `tags`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Matchers {
    /// Every source of the organization; the other matchers must then be empty.
    #[serde(default)]
    pub all: bool,
    /// Monitor or task ids; any of them.
    #[serde(default)]
    #[schemars(length(max = limits::LIST), inner(length(min = 1, max = limits::TASK_ID), regex(pattern = limits::LINE)))]
    pub source_ids: Vec<String>,
    /// Kinds (`http`, `tcp`, `dns`, `tls`, `icmp`, `task`…); any of them.
    #[serde(default)]
    #[schemars(length(max = 20), inner(regex(pattern = KIND_PATTERN)))]
    pub kinds: Vec<String>,
    /// Metadata tags; the source must carry each.
    #[serde(default)]
    #[schemars(length(max = limits::METADATA))]
    pub tags: Vec<TagMatcher>,
}

/// A metadata tag: its key, with this value or (null) any value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagMatcher {
    #[schemars(length(min = 1, max = limits::METADATA_KEY), regex(pattern = limits::LINE))]
    pub key: String,
    /// Null or absent: any value.
    #[serde(default)]
    #[schemars(length(max = limits::METADATA_VALUE), regex(pattern = limits::LINE_OR_EMPTY))]
    pub value: Option<String>,
}

/// A source as matchers see it; a manual incident has no id, kind nor tags.
#[derive(Debug, Clone, Default)]
pub struct Subject<'a> {
    pub source_id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub metadata: Option<&'a BTreeMap<String, String>>,
}

impl Matchers {
    /// Whether these matchers cover `s`.
    pub fn covers(&self, s: &Subject<'_>) -> bool {
        if self.all {
            return true;
        }
        let id_ok = self.source_ids.is_empty()
            || s.source_id
                .is_some_and(|id| self.source_ids.iter().any(|x| x == id));
        let kind_ok =
            self.kinds.is_empty() || s.kind.is_some_and(|k| self.kinds.iter().any(|x| x == k));
        let tags_ok =
            self.tags.iter().all(
                |t| match (s.metadata.and_then(|m| m.get(&t.key)), &t.value) {
                    (Some(_), None) => true,
                    (Some(have), Some(want)) => have == want,
                    (None, _) => false,
                },
            );
        id_ok && kind_ok && tags_ok && !self.is_empty()
    }

    fn is_empty(&self) -> bool {
        !self.all && self.source_ids.is_empty() && self.kinds.is_empty() && self.tags.is_empty()
    }

    /// Checks what serde accepted; every refusal names its field.
    pub fn validate(&self) -> Result<()> {
        if self.is_empty() {
            return Err(Error::invalid_field(
                "matchers",
                "say what to silence: sourceIds, kinds, tags, or all",
            ));
        }
        if self.all
            && !(self.source_ids.is_empty() && self.kinds.is_empty() && self.tags.is_empty())
        {
            return Err(Error::invalid_field(
                "matchers.all",
                "covers everything: leave sourceIds, kinds and tags empty",
            ));
        }
        limits::count("matchers.sourceIds", self.source_ids.len(), limits::LIST)?;
        for (i, id) in self.source_ids.iter().enumerate() {
            limits::required_line(&format!("matchers.sourceIds[{i}]"), id, limits::TASK_ID)?;
        }
        limits::count("matchers.kinds", self.kinds.len(), 20)?;
        for (i, kind) in self.kinds.iter().enumerate() {
            let ok = (1..=20).contains(&kind.len())
                && kind.starts_with(|c: char| c.is_ascii_lowercase())
                && kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !ok {
                return Err(Error::invalid_field(
                    &format!("matchers.kinds[{i}]"),
                    "must be a kind such as http, tcp or task",
                ));
            }
        }
        limits::count("matchers.tags", self.tags.len(), limits::METADATA)?;
        for (i, tag) in self.tags.iter().enumerate() {
            let field = format!("matchers.tags[{i}]");
            if tag.key.is_empty() {
                return Err(Error::invalid_field(&format!("{field}.key"), "is required"));
            }
            limits::line(&format!("{field}.key"), &tag.key, limits::METADATA_KEY)?;
            if let Some(value) = &tag.value {
                limits::line(&format!("{field}.value"), value, limits::METADATA_VALUE)?;
            }
        }
        Ok(())
    }
}

/// An end is acceptable when it is in the future and at most `LONGEST` away.
pub fn check_end(field: &str, now: Timestamp, ends_at: Timestamp) -> Result<Timestamp> {
    if ends_at <= now {
        return Err(Error::invalid_field(field, "must be in the future"));
    }
    if ends_at > now + LONGEST {
        return Err(Error::invalid_field(
            field,
            "must be at most 30 days ahead: a silence always ends",
        ));
    }
    Ok(ends_at)
}

/// Who made a silence.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Maker {
    /// Null once the user is deleted.
    pub user_id: Option<UserId>,
    /// "First Last", empty once the user is deleted.
    pub name: String,
    /// The API token used; absent when made from the dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_id: Option<TokenId>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    pub id: SilenceId,
    pub organization_id: OrgId,
    pub matchers: Matchers,
    /// Why (may be empty).
    pub reason: String,
    /// When it ends (or ended); an early end moves it to that moment.
    pub ends_at: Timestamp,
    /// Someone ended it before its planned end.
    pub ended_early: bool,
    /// Whether it is in force now.
    pub active: bool,
    pub created_at: Timestamp,
    pub created_by: Maker,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn tag(key: &str, value: Option<&str>) -> TagMatcher {
        TagMatcher {
            key: key.into(),
            value: value.map(Into::into),
        }
    }

    /// Which sources a silence covers, row by row: (matchers, source id, kind, tags, covered).
    #[test]
    fn coverage_table() {
        let prod = tags(&[("env", "prod"), ("team", "web")]);
        let staging = tags(&[("env", "staging")]);
        let ids = |ids: &[&str]| Matchers {
            source_ids: ids.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let kinds = |k: &[&str]| Matchers {
            kinds: k.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let with_tags = |t: Vec<TagMatcher>| Matchers {
            tags: t,
            ..Default::default()
        };
        let all = Matchers {
            all: true,
            ..Default::default()
        };
        let http_prod = Matchers {
            kinds: vec!["http".into()],
            tags: vec![tag("env", Some("prod"))],
            ..Default::default()
        };
        let rows: Vec<(
            Matchers,
            Option<&str>,
            Option<&str>,
            Option<&BTreeMap<_, _>>,
            bool,
        )> = vec![
            (all.clone(), Some("m1"), Some("http"), Some(&prod), true),
            (all.clone(), None, None, None, true),
            (ids(&["m1", "m2"]), Some("m2"), Some("tcp"), None, true),
            (ids(&["m1"]), Some("m3"), Some("http"), Some(&prod), false),
            (ids(&["m1"]), None, None, None, false),
            (kinds(&["task"]), Some("backup"), Some("task"), None, true),
            (
                kinds(&["http", "tcp"]),
                Some("m1"),
                Some("dns"),
                None,
                false,
            ),
            (
                with_tags(vec![tag("env", None)]),
                Some("m1"),
                Some("http"),
                Some(&staging),
                true,
            ),
            (
                with_tags(vec![tag("env", Some("prod"))]),
                Some("m1"),
                Some("http"),
                Some(&staging),
                false,
            ),
            (
                with_tags(vec![tag("env", Some("prod")), tag("team", None)]),
                Some("m1"),
                Some("http"),
                Some(&prod),
                true,
            ),
            (
                with_tags(vec![tag("env", Some("prod")), tag("db", None)]),
                Some("m1"),
                Some("http"),
                Some(&prod),
                false,
            ),
            (with_tags(vec![tag("env", None)]), None, None, None, false),
            (
                http_prod.clone(),
                Some("m1"),
                Some("http"),
                Some(&prod),
                true,
            ),
            (
                http_prod.clone(),
                Some("m1"),
                Some("tcp"),
                Some(&prod),
                false,
            ),
            (
                http_prod.clone(),
                Some("m1"),
                Some("http"),
                Some(&staging),
                false,
            ),
            (
                Matchers::default(),
                Some("m1"),
                Some("http"),
                Some(&prod),
                false,
            ),
        ];
        for (i, (m, source_id, kind, metadata, expected)) in rows.into_iter().enumerate() {
            let s = Subject {
                source_id,
                kind,
                metadata,
            };
            assert_eq!(m.covers(&s), expected, "row {i}: {m:?} {s:?}");
        }
    }

    #[test]
    fn refusals_name_the_field() {
        let rows = [
            (Matchers::default(), "matchers"),
            (
                Matchers {
                    all: true,
                    kinds: vec!["http".into()],
                    ..Default::default()
                },
                "matchers.all",
            ),
            (
                Matchers {
                    kinds: vec!["HTTP".into()],
                    ..Default::default()
                },
                "matchers.kinds[0]",
            ),
            (
                Matchers {
                    source_ids: vec!["m1".into(), " ".into()],
                    ..Default::default()
                },
                "matchers.sourceIds[1]",
            ),
            (
                Matchers {
                    tags: vec![tag("", None)],
                    ..Default::default()
                },
                "matchers.tags[0].key",
            ),
            (
                Matchers {
                    tags: vec![tag("env", Some("a\nb"))],
                    ..Default::default()
                },
                "matchers.tags[0].value",
            ),
        ];
        for (m, field) in rows {
            let e = m.validate().unwrap_err();
            assert!(e.message.starts_with(field), "{m:?}: {}", e.message);
        }
    }

    /// Ends, row by row: (offset from now, accepted).
    #[test]
    fn ends_table() {
        let now: Timestamp = "2026-12-06T12:00:00Z".parse().unwrap();
        let rows = [
            (Duration::seconds(-1), false),
            (Duration::zero(), false),
            (Duration::seconds(1), true),
            (Duration::hours(1), true),
            (LONGEST, true),
            (LONGEST + Duration::seconds(1), false),
        ];
        for (offset, ok) in rows {
            assert_eq!(
                check_end("endsAt", now, now + offset).is_ok(),
                ok,
                "{offset}"
            );
        }
    }
}
