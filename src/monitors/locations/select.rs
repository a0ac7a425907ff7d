//! A monitor's `locations` setting: "local" (this server) and/or label selectors `key=value`,
//! each selecting every probe carrying that label; and its `quorum`.

use std::collections::BTreeMap;

use rusqlite::types::Value as SqlValue;
use schemars::{Schema, SchemaGenerator, json_schema};

use crate::error::{Error, Result};

/// The location meaning this server.
pub const LOCAL: &str = "local";
pub const MAX_LOCATIONS: usize = 10;
pub const MAX_QUORUM: u32 = 20;
/// One entry of `locations`: what `crate::limits::parse_label` accepts, or "local".
pub fn pattern() -> String {
    use crate::limits::{LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN};
    let bare = |p: &'static str| p.trim_start_matches('^').trim_end_matches('$');
    format!(
        "^(local|{}={})$",
        bare(LABEL_KEY_PATTERN),
        bare(LABEL_VALUE_PATTERN)
    )
}

pub fn default_locations() -> Vec<String> {
    vec![LOCAL.to_owned()]
}

/// The document's schema for `locations` (null: the default).
pub fn schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["array", "null"],
        "minItems": 1,
        "maxItems": MAX_LOCATIONS,
        "uniqueItems": true,
        "items": {"type": "string", "pattern": pattern()},
    })
}

/// 1 to 10 distinct entries, each "local" or a label; a quorum of 1 to 20.
pub fn validate(locations: &[String], quorum: Option<u32>) -> Result<()> {
    if locations.is_empty() {
        return Err(Error::invalid_field(
            "locations",
            "needs at least one entry (\"local\" for this server, or a probe label key=value)",
        ));
    }
    crate::limits::count("locations", locations.len(), MAX_LOCATIONS)?;
    for (i, entry) in locations.iter().enumerate() {
        if entry != LOCAL {
            crate::limits::parse_label("locations", entry)?;
        }
        if locations[..i].contains(entry) {
            return Err(Error::invalid_field(
                "locations",
                format!("{entry:?} is listed twice"),
            ));
        }
    }
    if let Some(q) = quorum {
        crate::limits::range("quorum", q, 1, MAX_QUORUM)?;
    }
    Ok(())
}

/// Whether any entry selects probes: such a monitor's status comes from the quorum.
pub fn has_selector(locations: &[String]) -> bool {
    locations.iter().any(|l| l != LOCAL)
}

pub fn includes_local(locations: &[String]) -> bool {
    locations.iter().any(|l| l == LOCAL)
}

/// The selectors of `locations` that a probe with `labels` matches.
pub fn matching<'a>(
    locations: &'a [String],
    labels: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = &'a str> + 'a {
    locations.iter().map(String::as_str).filter(|entry| {
        entry
            .split_once('=')
            .is_some_and(|(k, v)| labels.get(k).is_some_and(|have| have == v))
    })
}

/// Whether `locations` selects a probe with `labels`.
pub fn selects(locations: &[String], labels: &BTreeMap<String, String>) -> bool {
    matching(locations, labels).next().is_some()
}

/// The column: NULL for the default (this server only), so the probes' queries skip those
/// monitors in SQL.
pub fn to_column(locations: &[String]) -> SqlValue {
    if has_selector(locations) || locations.is_empty() {
        SqlValue::Text(serde_json::to_string(locations).expect("strings serialize"))
    } else {
        SqlValue::Null
    }
}

pub fn from_column(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(default_locations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|e| (*e).to_owned()).collect()
    }

    #[test]
    fn validation_names_the_field() {
        let rows: [(&[&str], Option<u32>, Option<&str>); 11] = [
            (&["local"], None, None),
            (&["local", "region=eu-west"], Some(2), None),
            (&["region=eu-west", "tier=Edge_1.b"], None, None),
            (&[], None, Some("locations")),
            (&["local", "local"], None, Some("locations")),
            (&["Region=eu"], None, Some("locations")),
            (&["region="], None, Some("locations")),
            (&["region"], None, Some("locations")),
            (&["region=-x"], None, Some("locations")),
            (&["local"], Some(0), Some("quorum")),
            (&["local"], Some(21), Some("quorum")),
        ];
        for (entries, quorum, field) in rows {
            let result = validate(&list(entries), quorum);
            match field {
                None => assert!(result.is_ok(), "{entries:?}: {result:?}"),
                Some(f) => {
                    let e = result.unwrap_err();
                    assert!(e.message.starts_with(f), "{entries:?}: {e:?}");
                }
            }
        }
        let eleven: Vec<String> = (0..11).map(|i| format!("n={i}")).collect();
        assert!(validate(&eleven, None).is_err());
    }

    #[test]
    fn the_pattern_says_what_validation_does() {
        let re = regex::Regex::new(&pattern()).unwrap();
        for entry in [
            "local",
            "region=eu-west",
            "a=B",
            "Region=x",
            "r=",
            "=x",
            "r=_x",
            "x=y=z",
        ] {
            assert_eq!(
                re.is_match(entry),
                validate(&list(&[entry]), None).is_ok(),
                "{entry}"
            );
        }
    }

    #[test]
    fn selectors_select_probes_by_label() {
        let labels: BTreeMap<String, String> = [
            ("region".into(), "eu-west".into()),
            ("tier".into(), "edge".into()),
        ]
        .into();
        assert!(selects(&list(&["local", "region=eu-west"]), &labels));
        assert!(!selects(&list(&["local", "region=us-east"]), &labels));
        assert!(!selects(&list(&["local"]), &labels));
        let both = list(&["region=eu-west", "tier=edge"]);
        assert_eq!(matching(&both, &labels).count(), 2);
        assert_eq!(to_column(&list(&["local"])), SqlValue::Null);
        assert_eq!(from_column(None), list(&["local"]));
        let column = to_column(&both);
        let SqlValue::Text(text) = column else {
            panic!()
        };
        assert_eq!(from_column(Some(text)), both);
    }
}
