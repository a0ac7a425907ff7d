//! What a client may send: the length of every kind of text, the size of every list and map, and
//! which characters text may hold. The validation of every body and the OpenAPI document both
//! read these constants (`#[schemars(length(max = limits::NAME))]`, `regex(pattern = limits::LINE)`),
//! so the document states what the server checks.

use schemars::{Schema, SchemaGenerator, json_schema};

use crate::error::{Error, Result};

/// Names and titles: monitors, tasks, incidents.
pub const NAME: usize = 200;
/// Short labels: API tokens, notification channels, people and organizations.
pub const LABEL: usize = 100;
/// Task ids.
pub const TASK_ID: usize = 200;
/// Any URL: monitors, webhooks, ntfy servers.
pub const URL: usize = 2048;
/// Cron expressions.
pub const CRON: usize = 200;
/// IANA time zone names (the longest is 32 characters).
pub const TIME_ZONE: usize = 64;
/// Descriptions of tasks.
pub const DESCRIPTION: usize = 4000;
/// Comments, incident descriptions, error messages and other longer text.
pub const TEXT: usize = 10_000;
/// Short technical strings: status-code lists, JSON pointers, secrets, tokens, search text.
pub const SHORT: usize = 1000;
/// Request headers of a monitor or webhook: entries, and the length of a name and of a value.
pub const HEADERS: usize = 50;
pub const HEADER_NAME: usize = 100;
pub const HEADER_VALUE: usize = 4000;
/// Metadata tags of monitors and incidents: entries, and the length of a key and of a value.
pub const METADATA: usize = 50;
pub const METADATA_KEY: usize = 100;
pub const METADATA_VALUE: usize = 200;
/// A tag selection, `key` or `key=value`.
pub const METADATA_TAG: usize = METADATA_KEY + 1 + METADATA_VALUE;
/// Lists of ids, e-mail recipients, scopes.
pub const LIST: usize = 100;
/// Monitors a monitor or task depends on: a handful of routers, gateways and databases.
pub const UPSTREAMS: usize = 20;

// The characters `line` refuses, and those `multiline` refuses (tabs and line breaks are text),
// as regular-expression ranges.
macro_rules! not_in_line {
    () => {
        "\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
    };
}
macro_rules! not_in_text {
    () => {
        "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
    };
}

/// `line`, with at least one character that is not a space (the document's pattern).
pub const LINE: &str = concat!(
    "^[^",
    not_in_line!(),
    "]*[^\\s",
    not_in_line!(),
    "][^",
    not_in_line!(),
    "]*$"
);
/// A tag selection (`key` or `key=value`): a line starting with a key (not a space nor `=`).
pub const TAG: &str = concat!("^[^=\\s", not_in_line!(), "][^", not_in_line!(), "]*$");
/// A list's tag filter (`key:value` or `key`, `store::tags`): a key that is not blank and holds
/// no `:`, then optionally `:` and a value, on one line.
pub const TAG_FILTER: &str = concat!(
    "^[^:",
    not_in_line!(),
    "]*[^:\\s",
    not_in_line!(),
    "][^:",
    not_in_line!(),
    "]*(:[^",
    not_in_line!(),
    "]*)?$"
);
/// `line`, possibly empty or blank.
pub const LINE_OR_EMPTY: &str = concat!("^[^", not_in_line!(), "]*$");
/// `multiline`.
pub const MULTILINE: &str = concat!("^[^", not_in_text!(), "]*$");
/// `multiline`, with at least one character that is not a space.
pub const MULTILINE_REQUIRED: &str = concat!(
    "^[^",
    not_in_text!(),
    "]*[^\\s",
    not_in_text!(),
    "][^",
    not_in_text!(),
    "]*$"
);

/// The document's URL: a subset of what the server takes (any URL `url` parses as http(s) with
/// a host), simple enough for clients to generate.
pub const URL_PATTERN: &str = "^https?://[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,4})?(/[A-Za-z0-9._~/?&=%-]*)?$";

/// The document's e-mail address: a subset of what the server takes (RFC 5322 addresses), with
/// parts short enough for every rule on lengths (a local part of at most 64 characters).
pub const EMAIL_PATTERN: &str = "^[a-z0-9]{1,15}([._-][a-z0-9]{1,15}){0,3}@[a-z0-9]{1,15}(-[a-z0-9]{1,15}){0,2}(\\.[a-z0-9]{1,15}(-[a-z0-9]{1,15}){0,2}){0,3}\\.[a-z]{2,10}$";

/// Characters that reorder the text around them: a name holding them can display as something
/// else than it is (a link, a file name, another monitor's name).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn check_chars(field: &str, value: &str, allowed: &[char]) -> Result<()> {
    match value
        .chars()
        .find(|c| (c.is_control() && !allowed.contains(c)) || is_bidi_control(*c))
    {
        Some(c) => Err(Error::invalid_field(
            field,
            format!("must not contain control or bidirectional control characters (found {c:?})"),
        )),
        None => Ok(()),
    }
}

/// At most `max` characters (search text, where any character is fine).
pub fn length(field: &str, value: &str, max: usize) -> Result<()> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid_field(
            field,
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    Ok(())
}

/// Names, labels, titles, ids, URLs: at most `max` characters on one line, no control or bidi
/// control characters. Emptiness is the caller's rule (some default to another value).
pub fn line(field: &str, value: &str, max: usize) -> Result<()> {
    length(field, value, max)?;
    check_chars(field, value, &[])
}

/// `line`, trimmed and required.
pub fn required_line(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid_field(field, "is required"));
    }
    line(field, value, max)?;
    Ok(value.to_owned())
}

/// Descriptions, comments, messages: like `line`, but tabs and line breaks are text too.
pub fn multiline(field: &str, value: &str, max: usize) -> Result<()> {
    length(field, value, max)?;
    check_chars(field, value, &['\n', '\r', '\t'])
}

/// Optional text, trimmed: blank is none, anything else is checked with `check` (`line` or
/// `multiline`).
pub fn optional(
    field: &str,
    value: Option<String>,
    max: usize,
    check: fn(&str, &str, usize) -> Result<()>,
) -> Result<Option<String>> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if let Some(v) = &value {
        check(field, v, max)?;
    }
    Ok(value)
}

/// A header a monitor or a webhook may send: a valid HTTP name and value, within `HEADER_NAME`
/// and `HEADER_VALUE`.
pub fn is_header(name: &str, value: &str) -> bool {
    warp::http::HeaderName::from_bytes(name.as_bytes()).is_ok()
        && warp::http::HeaderValue::from_str(value).is_ok()
        && name.len() <= HEADER_NAME
        && value.chars().count() <= HEADER_VALUE
}

/// A list or map of at most `max` entries.
pub fn count(field: &str, len: usize, max: usize) -> Result<()> {
    if len > max {
        return Err(Error::invalid_field(
            field,
            format!("at most {max} entries (got {len})"),
        ));
    }
    Ok(())
}

/// A number between `low` and `high` inclusive.
pub fn range(field: &str, value: u32, low: u32, high: u32) -> Result<()> {
    if !(low..=high).contains(&value) {
        return Err(Error::invalid_field(
            field,
            format!("must be between {low} and {high} (got {value})"),
        ));
    }
    Ok(())
}

/// A map of tags: at most `METADATA` entries, keys (not empty) and values on one line.
pub fn metadata<'a>(
    field: &str,
    entries: impl ExactSizeIterator<Item = (&'a String, &'a String)>,
) -> Result<()> {
    count(field, entries.len(), METADATA)?;
    for (key, value) in entries {
        if key.is_empty() {
            return Err(Error::invalid_field(field, "keys must not be empty"));
        }
        line(&format!("{field}.{key}"), key, METADATA_KEY)?;
        line(&format!("{field}.{key}"), value, METADATA_VALUE)?;
    }
    Ok(())
}

/// The document's schema for `metadata` maps (nullable: absent and null mean "none").
pub fn metadata_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["object", "null"],
        "maxProperties": METADATA,
        "propertyNames": {"minLength": 1, "maxLength": METADATA_KEY, "pattern": LINE},
        "additionalProperties": {"type": "string", "maxLength": METADATA_VALUE, "pattern": LINE_OR_EMPTY},
    })
}

/// The document's schema for header maps (nullable).
pub fn headers_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["object", "null"],
        "maxProperties": HEADERS,
        "propertyNames": {"minLength": 1, "maxLength": HEADER_NAME, "pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
        "additionalProperties": {"type": "string", "maxLength": HEADER_VALUE, "pattern": "^[\\x20-\\x7e\\t]*$"},
    })
}

/// A label `key=value` (a probe's, or a monitor's location selecting probes by it): `key`
/// `[a-z0-9][a-z0-9_.-]{0,31}`, `value` `[A-Za-z0-9][A-Za-z0-9_.-]{0,63}`, so labels read the
/// same in a URL, a command line and a config file.
pub fn parse_label(field: &str, s: &str) -> Result<(String, String)> {
    let bad = || {
        Error::invalid_field(
            field,
            format!(
                "{s:?} is not a label key=value (key: lowercase letters, digits, _ . -, at most 32; \
                 value: letters, digits, _ . -, at most 64; both start with a letter or digit)"
            ),
        )
    };
    let (key, value) = s.split_once('=').ok_or_else(bad)?;
    let part = |t: &str, max: usize, upper: bool| {
        let mut chars = t.chars();
        let first_ok = chars.next().is_some_and(|c| {
            c.is_ascii_digit() || c.is_ascii_lowercase() || (upper && c.is_ascii_uppercase())
        });
        first_ok
            && t.len() <= max
            && t.chars().all(|c| {
                c.is_ascii_digit()
                    || c.is_ascii_lowercase()
                    || (upper && c.is_ascii_uppercase())
                    || matches!(c, '_' | '.' | '-')
            })
    };
    if !part(key, 32, false) || !part(value, 64, true) {
        return Err(bad());
    }
    Ok((key.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_patterns_say_what_the_checks_do() {
        let line_re = regex::Regex::new(LINE_OR_EMPTY).unwrap();
        let multi_re = regex::Regex::new(MULTILINE).unwrap();
        let samples = [
            "backup",
            "Été 2026 ☀",
            "a\u{0}b",
            "a\u{1}",
            "\u{7f}",
            "x\u{85}",
            "tab\there",
            "two\nlines",
            "cr\r",
            "evil\u{202e}txt",
            "\u{2066}x",
            "x\u{200f}",
            "\u{061c}",
            " a ",
        ];
        for s in samples {
            assert_eq!(line_re.is_match(s), line("f", s, 100).is_ok(), "line {s:?}");
            assert_eq!(
                multi_re.is_match(s),
                multiline("f", s, 100).is_ok(),
                "multiline {s:?}"
            );
        }
        let (line_required, text_required) = (
            regex::Regex::new(LINE).unwrap(),
            regex::Regex::new(MULTILINE_REQUIRED).unwrap(),
        );
        for blank in ["", "  ", "\t\n"] {
            assert!(!line_required.is_match(blank));
            assert!(!text_required.is_match(blank));
        }
        assert!(line_required.is_match(" a "));
    }

    #[test]
    fn optional_text_is_trimmed_and_blank_is_none() {
        assert_eq!(optional("f", None, 5, line).unwrap(), None);
        assert_eq!(optional("f", Some("  ".into()), 5, line).unwrap(), None);
        assert_eq!(
            optional("f", Some(" a\nb ".into()), 5, multiline).unwrap(),
            Some("a\nb".to_owned())
        );
        let e = optional("f", Some("a\nb".into()), 5, line).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("f"));
        assert!(optional("f", Some("abcdef".into()), 5, line).is_err());
    }

    #[test]
    fn headers() {
        assert!(is_header("X-Trace", "a b"));
        for (name, value) in [
            ("Bad Name", "v"),
            ("X-A", "line\nbreak"),
            (&*"x".repeat(HEADER_NAME + 1), "v"),
            ("X-A", &*"v".repeat(HEADER_VALUE + 1)),
        ] {
            assert!(!is_header(name, value), "{name:?}: {value:?}");
        }
    }

    #[test]
    fn lengths_count_characters() {
        assert!(line("name", &"é".repeat(200), NAME).is_ok());
        let e = line("name", &"é".repeat(201), NAME).unwrap_err();
        assert_eq!(e.message, "name: must be at most 200 characters (got 201)");
    }
}
