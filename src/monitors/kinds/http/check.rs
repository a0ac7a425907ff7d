//! One HTTP(S) check: send the monitor's request with a shared client, read at most 1 MiB of the
//! answer, and turn whatever happened into a [`CheckOutcome`]. Nothing here panics on user input;
//! every failure is an outcome with an [`ErrorKind`] and a short message saying what was expected.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::HttpSettings;
use super::auth::HttpAuth;
use super::rules::{Assertion, StatusRanges};
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::endpoint::elapsed_ms;
use crate::monitors::model::ErrorKind;

/// Bodies are read up to this size; assertions see only this prefix.
pub const MAX_BODY: usize = 1024 * 1024;
const MAX_REDIRECTS: usize = 10;
const USER_AGENT: &str = concat!("dutyduck/", env!("CARGO_PKG_VERSION"), " (uptime check)");

/// What to send and how to judge the answer; built from validated [`HttpSettings`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    pub timeout: Duration,
    pub follow_redirects: bool,
    pub verify_tls: bool,
    pub accepted: StatusRanges,
    pub assertion: Option<Assertion>,
    pub response_time_threshold: Option<Duration>,
    pub auth: Option<super::auth::HttpAuth>,
}

impl CheckSpec {
    /// `timeout` is the monitor's (a common setting), the rest the HTTP settings.
    pub fn from_settings(s: &HttpSettings, timeout: Duration) -> CheckSpec {
        CheckSpec {
            url: s.url.clone(),
            method: s.method.clone(),
            headers: s.request_headers.clone(),
            body: s.request_body.clone(),
            timeout,
            follow_redirects: s.follow_redirects,
            verify_tls: s.verify_tls,
            accepted: StatusRanges::parse(&s.accepted_status_codes)
                .or_else(|_| StatusRanges::parse(StatusRanges::DEFAULT))
                .expect("the default status ranges parse"),
            assertion: s.assertion.clone(),
            response_time_threshold: s
                .response_time_threshold_ms
                .map(|ms| Duration::from_millis(ms.into())),
            auth: s.auth.clone(),
        }
    }
}

/// Four clients, one per (verify_tls, follow_redirects), built once: each keeps its own
/// connection pool, so a lenient client never hands a connection to a strict one.
pub struct Checker {
    clients: [reqwest::Client; 4],
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

impl Checker {
    pub fn new() -> Checker {
        let build = |verify_tls: bool, follow: bool| {
            crate::outbound::client_builder()
                .user_agent(USER_AGENT)
                .tls_danger_accept_invalid_certs(!verify_tls)
                .tls_info(true)
                .redirect(match follow {
                    true => reqwest::redirect::Policy::limited(MAX_REDIRECTS),
                    false => reqwest::redirect::Policy::none(),
                })
                // A monitor measures the target itself; an environment proxy would turn
                // "refused" into a proxy's 502 and add its latency.
                .no_proxy()
                .build()
                .expect("a static reqwest client configuration builds")
        };
        Checker {
            clients: [
                build(false, false),
                build(false, true),
                build(true, false),
                build(true, true),
            ],
        }
    }

    pub async fn check(&self, spec: &CheckSpec) -> CheckOutcome {
        let client =
            &self.clients[usize::from(spec.verify_tls) * 2 + usize::from(spec.follow_redirects)];
        let started = Instant::now();
        let mut outcome = CheckOutcome {
            error_kind: ErrorKind::None,
            http_code: None,
            response_time_ms: 0,
            error: None,
            tls_expires_at: None,
            answered: false,
            details: None,
        };
        let fail = |mut o: CheckOutcome, kind: ErrorKind, message: String| {
            o.response_time_ms = elapsed_ms(started);
            o.error_kind = kind;
            o.error = Some(message);
            o
        };
        let Ok(method) = reqwest::Method::from_bytes(spec.method.as_bytes()) else {
            return fail(
                outcome,
                ErrorKind::Builder,
                format!("invalid method {:?}", spec.method),
            );
        };
        let mut request = client
            .request(method, spec.url.as_str())
            .timeout(spec.timeout);
        for (name, value) in &spec.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &spec.body {
            request = request.body(body.clone());
        }
        request = match &spec.auth {
            Some(HttpAuth::Basic { username, password }) => {
                request.basic_auth(username, Some(password))
            }
            Some(HttpAuth::Bearer { token }) => request.bearer_auth(token),
            None => request,
        };
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let (kind, message) = classify(&e, spec.timeout);
                return fail(outcome, kind, message);
            }
        };
        let status = response.status().as_u16();
        outcome.http_code = Some(status);
        outcome.answered = true;
        outcome.tls_expires_at = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .and_then(certificate_not_after);
        if !spec.accepted.accepts(status) {
            let mut message = format!(
                "status {status} not accepted ({})",
                ranges_text(&spec.accepted)
            );
            if let Some(location) = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
            {
                message.push_str(&format!("; redirects to {location}"));
            }
            return fail(outcome, ErrorKind::HttpCode, message);
        }
        // Read the body even without an assertion, so the response time includes the transfer;
        // stop at MAX_BODY so an endless body cannot exhaust memory or the timeout.
        let keep = spec.assertion.is_some();
        let (mut body, mut read) = (Vec::new(), 0usize);
        while read < MAX_BODY {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let take = chunk.len().min(MAX_BODY - read);
                    read += take;
                    if keep {
                        body.extend_from_slice(&chunk[..take]);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let (kind, message) = classify(&e, spec.timeout);
                    return fail(outcome, kind, message);
                }
            }
        }
        drop(response);
        outcome.response_time_ms = elapsed_ms(started);
        if let Some(assertion) = &spec.assertion
            && let Err(message) = evaluate(assertion, &String::from_utf8_lossy(&body))
        {
            return CheckOutcome {
                error_kind: ErrorKind::Assertion,
                error: Some(message),
                ..outcome
            };
        }
        if let Some(threshold) = spec.response_time_threshold
            && u128::from(outcome.response_time_ms) > threshold.as_millis()
        {
            let message = format!(
                "response took {} ms, over the {} ms threshold",
                outcome.response_time_ms,
                threshold.as_millis()
            );
            return CheckOutcome {
                error_kind: ErrorKind::Slow,
                error: Some(message),
                ..outcome
            };
        }
        outcome
    }
}

/// Every error of the source chain, looking inside `io::Error`s too: their `source()` skips the
/// wrapped error, and that is where tokio-rustls puts the `rustls::Error`.
fn chain<'a>(e: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next.take()
        && out.len() < 32
    {
        out.push(err);
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    out
}

/// Maps a reqwest error to a kind and message. Order matters: a timeout or a TLS failure also
/// counts as a connect error for reqwest, and the more specific cause is the useful one.
fn classify(e: &reqwest::Error, timeout: Duration) -> (ErrorKind, String) {
    let errors = chain(e);
    let root = errors.last().map(|r| r.to_string()).unwrap_or_default();
    let io_kind = errors
        .iter()
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    if e.is_builder() {
        return (ErrorKind::Builder, format!("invalid request: {root}"));
    }
    if e.is_timeout() {
        return (
            ErrorKind::Timeout,
            format!("timed out after {} ms", timeout.as_millis()),
        );
    }
    if let Some(tls) = errors
        .iter()
        .find_map(|e| e.downcast_ref::<rustls::Error>())
    {
        return (ErrorKind::Tls, format!("TLS: {tls}"));
    }
    if e.is_redirect() {
        return (
            ErrorKind::Redirect,
            format!("too many redirects (more than {MAX_REDIRECTS})"),
        );
    }
    use std::io::ErrorKind as Io;
    match io_kind {
        Some(Io::ConnectionRefused) => return (ErrorKind::Connect, "connection refused".into()),
        Some(Io::ConnectionReset | Io::ConnectionAborted) => {
            return (ErrorKind::Connect, "connection reset".into());
        }
        _ => {}
    }
    if e.is_dns() {
        return (ErrorKind::Connect, format!("DNS lookup failed: {root}"));
    }
    if e.is_connect() {
        return (ErrorKind::Connect, format!("connection failed: {root}"));
    }
    if e.is_decode() {
        return (
            ErrorKind::Decode,
            format!("could not decode the body: {root}"),
        );
    }
    if e.is_body() {
        return (ErrorKind::Body, format!("could not read the body: {root}"));
    }
    (ErrorKind::Request, format!("request failed: {root}"))
}

fn certificate_not_after(der: &[u8]) -> Option<DateTime<Utc>> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
}

/// "200-399" or "200-299,301": rebuilt from `accepts`, as `StatusRanges` keeps its list private.
fn ranges_text(ranges: &StatusRanges) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut code = 100u16;
    while code <= 599 {
        if !ranges.accepts(code) {
            code += 1;
            continue;
        }
        let start = code;
        while code < 599 && ranges.accepts(code + 1) {
            code += 1;
        }
        parts.push(if start == code {
            start.to_string()
        } else {
            format!("{start}-{code}")
        });
        code += 1;
    }
    parts.join(",")
}

/// Checks the (at most 1 MiB) body; the error says what was expected.
pub fn evaluate(assertion: &Assertion, body: &str) -> Result<(), String> {
    match assertion {
        Assertion::BodyContains { value } if !body.contains(value.as_str()) => {
            Err(format!("body does not contain {value:?}"))
        }
        Assertion::BodyNotContains { value } if body.contains(value.as_str()) => {
            Err(format!("body contains {value:?}, expected it not to"))
        }
        Assertion::Regex { value } => match regex::Regex::new(value) {
            Ok(re) if re.is_match(body) => Ok(()),
            Ok(_) => Err(format!(
                "body does not match the regular expression {value:?}"
            )),
            Err(e) => Err(format!("invalid regular expression {value:?}: {e}")),
        },
        Assertion::JsonPointer { pointer, value } => {
            let json: serde_json::Value = serde_json::from_str(body.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("body is not JSON ({e}); expected {value} at {pointer:?}"))?;
            match json.pointer(pointer) {
                None => Err(format!(
                    "JSON pointer {pointer:?} not found in the body; expected {value}"
                )),
                Some(actual) if json_matches(actual, value) => Ok(()),
                Some(actual) => Err(format!("JSON at {pointer:?} is {actual}, expected {value}")),
            }
        }
        _ => Ok(()),
    }
}

/// Equal values match; an expected string also matches a scalar whose JSON text it is, so a
/// form-entered "42" or "true" matches the number 42 or the boolean true.
fn json_matches(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (actual, expected) {
        (Value::Number(_) | Value::Bool(_) | Value::Null, Value::String(s)) => {
            serde_json::to_string(actual).is_ok_and(|text| text == *s)
        }
        _ => actual == expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assertions() {
        let body = r#"{"status":"ok","n":42,"up":true,"list":[1,{"a":"b"}]}"#;
        let contains = |v: &str| Assertion::BodyContains { value: v.into() };
        let not_contains = |v: &str| Assertion::BodyNotContains { value: v.into() };
        let regex = |v: &str| Assertion::Regex { value: v.into() };
        let pointer = |p: &str, v: serde_json::Value| Assertion::JsonPointer {
            pointer: p.into(),
            value: v,
        };
        let cases: Vec<(Assertion, &str, Result<(), &str>)> = vec![
            (contains("\"ok\""), body, Ok(())),
            (
                contains("down"),
                body,
                Err(r#"body does not contain "down""#),
            ),
            (not_contains("error"), body, Ok(())),
            (
                not_contains("ok"),
                body,
                Err(r#"body contains "ok", expected it not to"#),
            ),
            (regex(r#""n":\d+"#), body, Ok(())),
            (
                regex("^x"),
                body,
                Err(r#"body does not match the regular expression "^x""#),
            ),
            (regex("("), body, Err("invalid regular expression \"(\"")),
            (pointer("/status", json!("ok")), body, Ok(())),
            (pointer("/n", json!(42)), body, Ok(())),
            (pointer("/n", json!("42")), body, Ok(())),
            (pointer("/up", json!("true")), body, Ok(())),
            (pointer("/list/1/a", json!("b")), body, Ok(())),
            (
                pointer(
                    "",
                    json!({"status":"ok","n":42,"up":true,"list":[1,{"a":"b"}]}),
                ),
                body,
                Ok(()),
            ),
            (
                pointer("/n", json!(43)),
                body,
                Err(r#"JSON at "/n" is 42, expected 43"#),
            ),
            (
                pointer("/status", json!(1)),
                body,
                Err(r#"JSON at "/status" is "ok", expected 1"#),
            ),
            (
                pointer("/nope", json!(1)),
                body,
                Err(r#"JSON pointer "/nope" not found in the body; expected 1"#),
            ),
            (pointer("/n", json!(1)), "<html>", Err("body is not JSON")),
        ];
        for (assertion, body, expected) in cases {
            let got = evaluate(&assertion, body);
            match expected {
                Ok(()) => assert_eq!(got, Ok(()), "{assertion:?}"),
                Err(prefix) => assert!(
                    got.as_ref().is_err_and(|m| m.starts_with(prefix)),
                    "{assertion:?}: {got:?}"
                ),
            }
        }
    }

    #[test]
    fn ranges_are_spelled_back() {
        for (text, spelled) in [
            ("200-399", "200-399"),
            ("200-299, 301,418", "200-299,301,418"),
            ("100-599", "100-599"),
            ("599", "599"),
        ] {
            assert_eq!(ranges_text(&StatusRanges::parse(text).unwrap()), spelled);
        }
    }

    #[test]
    fn the_chain_looks_inside_io_errors() {
        let tls = rustls::Error::General("bad certificate".into());
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls.clone());
        let found = chain(&io)
            .iter()
            .find_map(|e| e.downcast_ref::<rustls::Error>())
            .cloned();
        assert_eq!(found, Some(tls));
    }

    #[test]
    fn spec_from_settings() {
        let mut s = HttpSettings::defaults("https://example.com/".into());
        s.response_time_threshold_ms = Some(250);
        s.accepted_status_codes = "not validated".into();
        let spec = CheckSpec::from_settings(&s, Duration::from_secs(10));
        assert_eq!(
            (spec.timeout, spec.response_time_threshold),
            (Duration::from_secs(10), Some(Duration::from_millis(250)))
        );
        assert_eq!(
            spec.accepted,
            StatusRanges::parse(StatusRanges::DEFAULT).unwrap()
        );
    }
}
