//! The HTTP(S) kind: a request (URL, method, headers, body) judged by its status code, an
//! optional body assertion and an optional response-time threshold. Settings and their
//! validation here, the request itself in `check`, the judging rules in `rules`.

pub mod auth;
pub mod check;
pub mod rules;

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use self::auth::HttpAuth;
use self::rules::{Assertion, StatusRanges};
use super::CheckKind;
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;
use crate::monitors::redact::{HIDDEN, mask_url};
use crate::monitors::settings::{MAX_TIMEOUT_MS, URL_PATTERN};

pub const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
pub const MAX_REQUEST_BODY: usize = 65_536;
/// "200-299,301": the document's subset of what `StatusRanges::parse` takes (codes, and the
/// ranges of whole classes; a pattern cannot say that a range's start is below its end).
const STATUS_RANGES_PATTERN: &str = "^ *([1-5][0-9][0-9]|100-199|200-299|300-399|400-499|500-599|200-399|100-599) *(, *([1-5][0-9][0-9]|100-199|200-299|300-399|400-499|500-599|200-399|100-599) *)*$";

/// The HTTP fields a user may send. For create, absent fields take their defaults; for PATCH,
/// absent fields keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpInput {
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
    /// Basic or Bearer credentials; null sends none. Hidden from those who may not edit.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    pub auth: Option<Option<HttpAuth>>,
    /// Up when the check fails (a page that must stay unreachable, an endpoint that must
    /// answer an error); default false.
    pub upside_down: Option<bool>,
}

/// An HTTP monitor's settings, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Shown flat beside the monitor's common fields: the monitor's schema closes the whole object.
#[schemars(extend("additionalProperties" = true))]
pub struct HttpSettings {
    pub url: String,
    pub method: String,
    pub request_headers: BTreeMap<String, String>,
    pub request_body: Option<String>,
    pub accepted_status_codes: String,
    pub follow_redirects: bool,
    pub verify_tls: bool,
    pub assertion: Option<Assertion>,
    pub response_time_threshold_ms: Option<u32>,
    // Both added after the first release: rows stored before them read as none and false.
    #[serde(default)]
    pub auth: Option<HttpAuth>,
    #[serde(default)]
    pub upside_down: bool,
}

impl HttpSettings {
    pub fn defaults(url: String) -> HttpSettings {
        HttpSettings {
            url,
            method: "GET".into(),
            request_headers: BTreeMap::new(),
            request_body: None,
            accepted_status_codes: StatusRanges::DEFAULT.into(),
            follow_redirects: true,
            verify_tls: true,
            assertion: None,
            response_time_threshold_ms: None,
            auth: None,
            upside_down: false,
        }
    }

    fn validate(mut self) -> Result<HttpSettings> {
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
        if let Some(ms) = self.response_time_threshold_ms {
            limits::range("responseTimeThresholdMs", ms, 1, MAX_TIMEOUT_MS)?;
        }
        StatusRanges::parse(&self.accepted_status_codes)?;
        if let Some(assertion) = &self.assertion {
            assertion.validate()?;
        }
        if let Some(auth) = &self.auth {
            auth.validate()?;
            // The client would send the URL's credentials as a second Authorization header.
            if !parsed.username().is_empty() || parsed.password().is_some() {
                return Err(Error::invalid_field(
                    "auth",
                    "cannot be set beside credentials in the URL (user:password@): keep one of them",
                ));
            }
            if self
                .request_headers
                .keys()
                .any(|name| name.eq_ignore_ascii_case("authorization"))
            {
                return Err(Error::invalid_field(
                    "auth",
                    "cannot be set beside an Authorization request header: keep one of them",
                ));
            }
        }
        Ok(self)
    }
}

impl CheckKind for HttpSettings {
    type Input = HttpInput;
    type Checker = check::Checker;
    const REQUIRED: &'static [&'static str] = &["url"];

    fn create(input: HttpInput) -> Result<HttpSettings> {
        let url = input
            .url
            .clone()
            .ok_or_else(|| Error::invalid_field("url", "is required"))?;
        HttpSettings::defaults(url).apply(input)
    }

    fn apply(mut self, input: HttpInput) -> Result<HttpSettings> {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = input.$field { self.$field = v; })* };
        }
        set!(
            url,
            method,
            request_headers,
            request_body,
            accepted_status_codes,
            follow_redirects,
            verify_tls,
            assertion,
            response_time_threshold_ms,
            auth,
            upside_down
        );
        self.validate()
    }

    fn target(&self) -> String {
        self.url.clone()
    }

    /// Request headers and bodies often carry credentials (`Authorization: Bearer …`): readers
    /// see the header names only.
    fn mask(&mut self) {
        for value in self.request_headers.values_mut() {
            *value = HIDDEN.into();
        }
        if self.request_body.is_some() {
            self.request_body = Some(HIDDEN.into());
        }
        if let Some(auth) = &mut self.auth {
            auth.mask();
        }
        self.url = mask_url(&self.url);
    }

    async fn check(&self, checker: &check::Checker, timeout: Duration) -> CheckOutcome {
        let outcome = checker
            .check(&check::CheckSpec::from_settings(self, timeout))
            .await;
        if self.upside_down {
            rules::upside_down(outcome)
        } else {
            outcome
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> HttpInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (r#"{"url": "https://example.com"}"#, None),
            (r#"{}"#, Some("url")),
            (r#"{"url": "ftp://example.com"}"#, Some("url")),
            (r#"{"url": "not a url"}"#, Some("url")),
            (
                r#"{"url": "https://a.example", "method": "BREW"}"#,
                Some("method"),
            ),
            (
                r#"{"url": "https://a.example", "acceptedStatusCodes": "2xx"}"#,
                Some("acceptedStatusCodes"),
            ),
            (
                r#"{"url": "https://a.example", "assertion": {"kind": "regex", "value": "("}}"#,
                Some("assertion"),
            ),
            (
                r#"{"url": "https://a.example", "responseTimeThresholdMs": 0}"#,
                Some("responseTimeThresholdMs"),
            ),
        ];
        for (json, field) in cases {
            let result = HttpSettings::create(input(json));
            match field {
                None => assert!(result.is_ok(), "{result:?}"),
                Some(field) => assert!(result.unwrap_err().message.starts_with(field), "{json}"),
            }
        }
    }

    #[test]
    fn null_clears_and_absent_keeps() {
        let s = HttpSettings::create(input(
            r#"{"url": "https://example.com", "responseTimeThresholdMs": 500, "requestBody": "{}"}"#,
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
    fn readers_see_header_names_and_a_masked_url() {
        let mut s = HttpSettings::create(input(
            r#"{"url": "https://u:p@example.com/?token=t", "method": "POST",
                "requestHeaders": {"Authorization": "Bearer x"}, "requestBody": "secret"}"#,
        ))
        .unwrap();
        s.mask();
        assert_eq!(s.url, "https://(hidden)@example.com/?token=(hidden)");
        assert_eq!(s.request_headers["Authorization"], HIDDEN);
        assert_eq!(s.request_body.as_deref(), Some(HIDDEN));
    }
}
