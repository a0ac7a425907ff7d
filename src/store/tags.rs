//! The `tag` filter of lists and bulk selections: `?tag=key:value` (repeatable, every one must
//! hold) or `?tag=key` (the key with any value), read once here for monitors and tasks alike and
//! turned into bound SQL conditions over a JSON `metadata` column.

use rusqlite::types::Value;

use super::filter::Where;
use crate::error::{Error, Result};
use crate::limits;

/// The document's pattern of one `tag`.
pub const PATTERN: &str = limits::TAG_FILTER;

/// One tag a listed item must carry: the key, with this value or (None) any value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: Option<String>,
}

/// The tags of a query or a bulk body's filter, checked: 422 naming `field` on an empty key, a
/// too long key or value, control characters, or more than a metadata map may hold. The key
/// ends at the first `:`, so values may contain `:` (URLs, times) but keys may not.
pub fn parse(field: &str, raw: &[String]) -> Result<Vec<Tag>> {
    limits::count(field, raw.len(), limits::METADATA)?;
    raw.iter()
        .map(|text| {
            let (key, value) = match text.split_once(':') {
                Some((key, value)) => (key, Some(value)),
                None => (text.as_str(), None),
            };
            if key.trim().is_empty() {
                return Err(Error::invalid_field(
                    field,
                    format!("{text:?}: expected key:value or key, with a key"),
                ));
            }
            limits::line(field, key, limits::METADATA_KEY)?;
            if let Some(value) = value {
                limits::line(field, value, limits::METADATA_VALUE)?;
            }
            Ok(Tag {
                key: key.to_owned(),
                value: value.map(str::to_owned),
            })
        })
        .collect()
}

impl Where {
    /// Every tag must be in the JSON object `column`: its key, with its value when it has one.
    pub fn tags(&mut self, column: &str, tags: &[Tag]) -> &mut Self {
        for tag in tags {
            let key = Value::Text(tag.key.clone());
            match &tag.value {
                None => self.and(
                    format!("EXISTS (SELECT 1 FROM json_each({column}) t WHERE t.key = ?)"),
                    [key],
                ),
                Some(value) => self.and(
                    format!(
                        "EXISTS (SELECT 1 FROM json_each({column}) t WHERE t.key = ? AND t.value = ?)"
                    ),
                    [key, Value::Text(value.clone())],
                ),
            };
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: Option<&str>) -> Tag {
        Tag {
            key: key.to_owned(),
            value: value.map(str::to_owned),
        }
    }

    #[test]
    fn a_tag_is_a_key_then_an_optional_value_after_the_first_colon() {
        let raw = ["team:billing", "env", "url:https://x", "empty:"].map(str::to_owned);
        assert_eq!(
            parse("tag", &raw).unwrap(),
            [
                tag("team", Some("billing")),
                tag("env", None),
                tag("url", Some("https://x")),
                tag("empty", Some("")),
            ]
        );
    }

    #[test]
    fn malformed_tags_name_the_field() {
        let long_key = "k".repeat(limits::METADATA_KEY + 1);
        let long_value = format!("k:{}", "v".repeat(limits::METADATA_VALUE + 1));
        for bad in [":value", "", "  ", "a\u{0}b", &long_key, &long_value] {
            let err = parse("tag", &[bad.to_owned()]).unwrap_err();
            assert!(err.to_string().starts_with("tag"), "{bad:?}: {err}");
        }
        let many = vec!["k".to_owned(); limits::METADATA + 1];
        assert!(parse("tag", &many).is_err());
    }

    #[test]
    fn the_document_pattern_agrees_with_the_parser() {
        let re = regex::Regex::new(PATTERN).unwrap();
        for good in ["team:billing", "env", "empty:", "url:https://x"] {
            assert!(re.is_match(good) && parse("tag", &[good.to_owned()]).is_ok());
        }
        for bad in [":value", "", "  :v", "a\u{0}b", "k:v\u{202e}"] {
            assert!(!re.is_match(bad) && parse("tag", &[bad.to_owned()]).is_err());
        }
    }

    #[test]
    fn each_tag_is_one_bound_condition() {
        let mut w = Where::default();
        w.tags("m.metadata", &[tag("env", None), tag("team", Some("ops"))]);
        assert_eq!(w.sql().matches("json_each(m.metadata)").count(), 2);
        assert_eq!(
            w.args(),
            [
                Value::Text("env".into()),
                Value::Text("team".into()),
                Value::Text("ops".into())
            ]
        );
    }
}
