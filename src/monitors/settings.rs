//! What a user sets on a monitor, and its validation: every error names the field.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits;

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

pub const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
pub const MIN_INTERVAL: u32 = 5;
pub const MAX_INTERVAL: u32 = 86_400;
pub const MAX_TIMEOUT_MS: u32 = 60_000;
pub const MAX_CONFIRMATIONS: u32 = 10;
pub const MAX_TLS_WARNING_DAYS: u32 = 365;
pub const MAX_REQUEST_BODY: usize = 65_536;
pub use crate::limits::URL_PATTERN;
/// "200-299,301": the document's subset of what `StatusRanges::parse` takes (codes, and the
/// ranges of whole classes; a pattern cannot say that a range's start is below its end).
const STATUS_RANGES_PATTERN: &str = "^ *([1-5][0-9][0-9]|100-199|200-299|300-399|400-499|500-599|200-399|100-599) *(, *([1-5][0-9][0-9]|100-199|200-299|300-399|400-499|500-599|200-399|100-599) *)*$";

/// What a user sets on a monitor. For create, absent fields take their defaults; for PATCH,
/// absent fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorInput {
    /// Default: the URL's host.
    #[schemars(length(max = limits::NAME), pattern(limits::LINE_OR_EMPTY))]
    pub name: Option<String>,
    /// http:// or https:// URL; required on create.
    #[schemars(length(min = 1, max = limits::URL), regex(pattern = URL_PATTERN))]
    pub url: Option<String>,
    /// GET (default), HEAD, POST, PUT, PATCH, DELETE or OPTIONS.
    #[schemars(extend("enum" = METHODS))]
    pub method: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "limits::headers_schema")]
    pub request_headers: Option<BTreeMap<String, String>>,
    /// At most 65,536 characters.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = MAX_REQUEST_BODY), regex(pattern = limits::MULTILINE))]
    pub request_body: Option<Option<String>>,
    /// 1 to 60000 ms; default 10000.
    #[schemars(range(min = 1, max = MAX_TIMEOUT_MS))]
    pub request_timeout_ms: Option<u32>,
    /// 5 to 86400 s; default 60.
    #[schemars(range(min = MIN_INTERVAL, max = MAX_INTERVAL))]
    pub interval_seconds: Option<u32>,
    /// 1 to 10 consecutive failures before "down"; default 2.
    #[schemars(range(min = 1, max = MAX_CONFIRMATIONS))]
    pub downtime_confirmation_threshold: Option<u32>,
    /// 1 to 10 consecutive successes before "up" again; default 2.
    #[schemars(range(min = 1, max = MAX_CONFIRMATIONS))]
    pub recovery_confirmation_threshold: Option<u32>,
    /// Codes and ranges, e.g. "200-299,301"; default "200-399".
    #[schemars(length(max = limits::SHORT), regex(pattern = STATUS_RANGES_PATTERN))]
    pub accepted_status_codes: Option<String>,
    pub follow_redirects: Option<bool>,
    pub verify_tls: Option<bool>,
    /// null removes the assertion.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    pub assertion: Option<Option<Assertion>>,
    /// A slower response counts as a failure (1 to 60000 ms); null: no threshold.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(range(min = 1, max = MAX_TIMEOUT_MS))]
    pub response_time_threshold_ms: Option<Option<u32>>,
    /// Open a warning incident this many days (0 to 365) before the certificate expires;
    /// default 14.
    #[schemars(range(max = MAX_TLS_WARNING_DAYS))]
    pub tls_expiry_warning_days: Option<u32>,
    #[serde(default)]
    #[schemars(schema_with = "limits::metadata_schema")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Create paused with false; default true.
    pub is_active: Option<bool>,
    #[serde(flatten)]
    pub routing: crate::notify::routing::RoutingInput,
}

impl crate::http::openapi::OnCreate for MonitorInput {
    const REQUIRED: &'static [&'static str] = &["url"];
}

/// The settings of a monitor, validated.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub name: String,
    pub url: String,
    pub method: String,
    pub request_headers: BTreeMap<String, String>,
    pub request_body: Option<String>,
    pub request_timeout_ms: u32,
    pub interval_seconds: u32,
    pub downtime_confirmation_threshold: u32,
    pub recovery_confirmation_threshold: u32,
    pub accepted_status_codes: String,
    pub follow_redirects: bool,
    pub verify_tls: bool,
    pub assertion: Option<Assertion>,
    pub response_time_threshold_ms: Option<u32>,
    pub tls_expiry_warning_days: u32,
    /// Key → value tags, used as filters.
    pub metadata: BTreeMap<String, String>,
}

impl Settings {
    pub fn defaults(url: String) -> Settings {
        Settings {
            name: String::new(),
            url,
            method: "GET".into(),
            request_headers: BTreeMap::new(),
            request_body: None,
            request_timeout_ms: 10_000,
            interval_seconds: 60,
            downtime_confirmation_threshold: 2,
            recovery_confirmation_threshold: 2,
            accepted_status_codes: StatusRanges::DEFAULT.into(),
            follow_redirects: true,
            verify_tls: true,
            assertion: None,
            response_time_threshold_ms: None,
            tls_expiry_warning_days: 14,
            metadata: BTreeMap::new(),
        }
    }

    /// `base` with the fields of `input` applied, then validated; errors name the field.
    pub fn apply(mut self, input: MonitorInput) -> Result<Settings> {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = input.$field { self.$field = v; })* };
        }
        set!(
            name,
            url,
            method,
            request_headers,
            request_body,
            request_timeout_ms,
            interval_seconds,
            downtime_confirmation_threshold,
            recovery_confirmation_threshold,
            accepted_status_codes,
            follow_redirects,
            verify_tls,
            assertion,
            response_time_threshold_ms,
            tls_expiry_warning_days,
            metadata
        );
        self.validate()
    }

    fn validate(mut self) -> Result<Settings> {
        // Before parsing: the URL parser would drop tabs and line breaks silently.
        limits::line("url", &self.url, limits::URL)?;
        let parsed = url::Url::parse(self.url.trim())
            .map_err(|e| Error::invalid_field("url", format!("is not a valid URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none_or(str::is_empty)
        {
            return Err(Error::invalid_field(
                "url",
                "must be an http:// or https:// URL with a host",
            ));
        }
        self.url = parsed.to_string();
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            self.name = parsed.host_str().unwrap_or_default().to_owned();
        }
        limits::line("name", &self.name, limits::NAME)?;
        self.method = self.method.trim().to_ascii_uppercase();
        if !METHODS.contains(&self.method.as_str()) {
            return Err(Error::invalid_field(
                "method",
                format!("must be one of {}", METHODS.join(", ")),
            ));
        }
        limits::count(
            "requestHeaders",
            self.request_headers.len(),
            limits::HEADERS,
        )?;
        for (name, value) in &self.request_headers {
            if !limits::is_header(name, value) {
                return Err(Error::invalid_field(
                    "requestHeaders",
                    format!(
                        "{name:?} is not a valid header (names up to {} characters, values up to {})",
                        limits::HEADER_NAME,
                        limits::HEADER_VALUE
                    ),
                ));
            }
        }
        if let Some(body) = &self.request_body {
            limits::multiline("requestBody", body, MAX_REQUEST_BODY)?;
        }
        limits::line(
            "acceptedStatusCodes",
            &self.accepted_status_codes,
            limits::SHORT,
        )?;
        limits::range(
            "requestTimeoutMs",
            self.request_timeout_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        limits::range(
            "intervalSeconds",
            self.interval_seconds,
            MIN_INTERVAL,
            MAX_INTERVAL,
        )?;
        limits::range(
            "downtimeConfirmationThreshold",
            self.downtime_confirmation_threshold,
            1,
            MAX_CONFIRMATIONS,
        )?;
        limits::range(
            "recoveryConfirmationThreshold",
            self.recovery_confirmation_threshold,
            1,
            MAX_CONFIRMATIONS,
        )?;
        limits::range(
            "tlsExpiryWarningDays",
            self.tls_expiry_warning_days,
            0,
            MAX_TLS_WARNING_DAYS,
        )?;
        if let Some(ms) = self.response_time_threshold_ms {
            limits::range("responseTimeThresholdMs", ms, 1, MAX_TIMEOUT_MS)?;
        }
        StatusRanges::parse(&self.accepted_status_codes)?;
        if let Some(assertion) = &self.assertion {
            assertion.validate()?;
        }
        limits::metadata("metadata", self.metadata.iter())?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn validation_names_the_field() {
        let cases: [(MonitorInput, Option<&str>); 9] = [
            (
                MonitorInput {
                    url: Some("https://example.com".into()),
                    ..Default::default()
                },
                None,
            ),
            (
                MonitorInput {
                    url: Some("ftp://example.com".into()),
                    ..Default::default()
                },
                Some("url"),
            ),
            (
                MonitorInput {
                    url: Some("not a url".into()),
                    ..Default::default()
                },
                Some("url"),
            ),
            (
                MonitorInput {
                    interval_seconds: Some(4),
                    ..Default::default()
                },
                Some("intervalSeconds"),
            ),
            (
                MonitorInput {
                    request_timeout_ms: Some(60_001),
                    ..Default::default()
                },
                Some("requestTimeoutMs"),
            ),
            (
                MonitorInput {
                    downtime_confirmation_threshold: Some(11),
                    ..Default::default()
                },
                Some("downtimeConfirmationThreshold"),
            ),
            (
                MonitorInput {
                    method: Some("BREW".into()),
                    ..Default::default()
                },
                Some("method"),
            ),
            (
                MonitorInput {
                    accepted_status_codes: Some("2xx".into()),
                    ..Default::default()
                },
                Some("acceptedStatusCodes"),
            ),
            (
                MonitorInput {
                    assertion: Some(Some(Assertion::Regex { value: "(".into() })),
                    ..Default::default()
                },
                Some("assertion"),
            ),
        ];
        for (input, field) in cases {
            let result = Settings::defaults("https://example.com".into()).apply(input);
            match field {
                None => assert!(result.is_ok(), "{result:?}"),
                Some(field) => assert!(result.unwrap_err().message.starts_with(field)),
            }
        }
    }

    #[test]
    fn null_clears_and_absent_keeps() {
        let input = |json: &str| serde_json::from_str::<MonitorInput>(json).unwrap();
        let s = Settings::defaults("https://example.com".into())
            .apply(input(
                r#"{"responseTimeThresholdMs": 500, "requestBody": "{}"}"#,
            ))
            .unwrap();
        let kept = s.clone().apply(input("{}")).unwrap();
        assert_eq!(kept.response_time_threshold_ms, Some(500));
        let cleared = s
            .apply(input(
                r#"{"responseTimeThresholdMs": null, "requestBody": null}"#,
            ))
            .unwrap();
        assert_eq!(
            (cleared.response_time_threshold_ms, cleared.request_body),
            (None, None)
        );
    }

    #[test]
    fn name_defaults_to_the_host_and_urls_are_normalized() {
        let s = Settings::defaults("HTTPS://Example.com".into())
            .apply(MonitorInput::default())
            .unwrap();
        assert_eq!(
            (s.name.as_str(), s.url.as_str()),
            ("example.com", "https://example.com/")
        );
    }
}
