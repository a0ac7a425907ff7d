//! How an HTTP answer is judged: the accepted status codes and the body assertion.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;

/// What an upside-down monitor makes of a check: a failure passes (its reason kept in the
/// details, so the page says why the monitor is up) and a success fails.
pub fn upside_down(outcome: CheckOutcome) -> CheckOutcome {
    if outcome.ok() {
        let what = match outcome.http_code {
            Some(code) => format!("answered HTTP {code}"),
            None => "the check succeeded".to_owned(),
        };
        return CheckOutcome {
            error_kind: ErrorKind::Assertion,
            error: Some(format!(
                "{what}, but this monitor is upside down: it is up only while the check fails"
            )),
            ..outcome
        };
    }
    let failure = outcome.error.clone().unwrap_or_default();
    CheckOutcome {
        error_kind: ErrorKind::None,
        error: None,
        ..outcome
    }
    .with_details(UpsideDown {
        upside_down: true,
        failure,
    })
}

/// The details of an upside-down check that passed because the check failed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpsideDown {
    upside_down: bool,
    /// Why the check failed, which is why the monitor is up.
    failure: String,
}

/// What the response body must satisfy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Assertion {
    BodyContains {
        #[schemars(length(min = 1, max = limits::SHORT))]
        value: String,
    },
    BodyNotContains {
        #[schemars(length(min = 1, max = limits::SHORT))]
        value: String,
    },
    /// The body matches this regular expression (Rust `regex` syntax).
    Regex {
        #[schemars(length(max = limits::SHORT), extend("format" = "regex"))]
        value: String,
    },
    /// The JSON value at this RFC 6901 pointer equals `value`.
    JsonPointer {
        #[schemars(length(max = limits::SHORT), pattern("^(/.*)?$"))]
        pointer: String,
        value: serde_json::Value,
    },
}

impl Assertion {
    pub fn validate(&self) -> Result<()> {
        let field = "assertion";
        let (Assertion::BodyContains { value }
        | Assertion::BodyNotContains { value }
        | Assertion::Regex { value }
        | Assertion::JsonPointer { pointer: value, .. }) = self;
        limits::length(field, value, limits::SHORT)?;
        match self {
            Assertion::BodyContains { value } | Assertion::BodyNotContains { value }
                if value.is_empty() =>
            {
                Err(Error::invalid_field(field, "value must not be empty"))
            }
            Assertion::Regex { value } => regex::Regex::new(value).map(|_| ()).map_err(|e| {
                Error::invalid_field(field, format!("invalid regular expression: {e}"))
            }),
            Assertion::JsonPointer { pointer, .. }
                if !(pointer.is_empty() || pointer.starts_with('/')) =>
            {
                Err(Error::invalid_field(
                    field,
                    "pointer must be empty or start with '/' (RFC 6901)",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Accepted status codes: a list of codes and inclusive ranges, e.g. "200-299,301,418".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRanges(Vec<(u16, u16)>);

impl StatusRanges {
    pub const DEFAULT: &'static str = "200-399";

    pub fn parse(text: &str) -> Result<StatusRanges> {
        let bad = |why: String| Error::invalid_field("acceptedStatusCodes", why);
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (low, high) = match part.split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (part, part),
            };
            let code = |s: &str| s.parse::<u16>().ok().filter(|c| (100..=599).contains(c));
            match (code(low), code(high)) {
                (Some(l), Some(h)) if l <= h => ranges.push((l, h)),
                _ => {
                    return Err(bad(format!(
                        "{part:?} is not a status code (100–599) or a range like 200-299"
                    )));
                }
            }
        }
        if ranges.is_empty() {
            return Err(bad("list at least one status code or range".into()));
        }
        Ok(StatusRanges(ranges))
    }

    pub fn accepts(&self, code: u16) -> bool {
        self.0.iter().any(|(l, h)| (*l..=*h).contains(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upside_down_turns_each_outcome_over() {
        let answered = CheckOutcome {
            http_code: Some(200),
            ..CheckOutcome::passed(12)
        };
        let refused = CheckOutcome::failed(ErrorKind::Connect, "connection refused", 3);
        let rows = [
            (
                answered,
                ErrorKind::Assertion,
                Some(
                    "answered HTTP 200, but this monitor is upside down: it is up only while the check fails",
                ),
                None,
            ),
            (
                CheckOutcome::passed(5),
                ErrorKind::Assertion,
                Some(
                    "the check succeeded, but this monitor is upside down: it is up only while the check fails",
                ),
                None,
            ),
            (
                refused,
                ErrorKind::None,
                None,
                Some(serde_json::json!({"upsideDown": true, "failure": "connection refused"})),
            ),
        ];
        for (outcome, kind, error, details) in rows {
            let turned = upside_down(outcome.clone());
            assert_eq!(
                (turned.error_kind, turned.error.as_deref(), turned.details),
                (kind, error, details),
                "{outcome:?}"
            );
            assert_eq!(turned.response_time_ms, outcome.response_time_ms);
        }
    }

    #[test]
    fn status_ranges() {
        let r = StatusRanges::parse("200-299, 301,418").unwrap();
        for (code, ok) in [
            (200, true),
            (299, true),
            (300, false),
            (301, true),
            (418, true),
            (500, false),
        ] {
            assert_eq!(r.accepts(code), ok, "{code}");
        }
        for bad in ["", "abc", "300-200", "99", "200-600", "2xx"] {
            assert!(StatusRanges::parse(bad).is_err(), "{bad:?}");
        }
    }
}
