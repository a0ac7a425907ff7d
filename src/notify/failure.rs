//! A failed send, and when the receiver asked to be tried again. Providers that rate-limit say
//! so: a `Retry-After` header on a 429 or 503 (RFC 9110 §10.2.3: seconds, or an HTTP date), or
//! Telegram's `{"ok":false,"error_code":429,"parameters":{"retry_after":N}}`. Retrying sooner
//! only earns another refusal (and, for some, a longer ban), so the outbox waits at least that
//! long (`outbox::record_attempt`). Read here once for every kind.

use chrono::{DateTime, Duration};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// What went wrong, for the deliveries list and the timeline, and the receiver's retry hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub text: String,
    /// The receiver asked not to be tried again before this long.
    pub retry_after: Option<Duration>,
}

impl From<String> for Failure {
    fn from(text: String) -> Failure {
        Failure {
            text,
            retry_after: None,
        }
    }
}

impl From<&str> for Failure {
    fn from(text: &str) -> Failure {
        Failure::from(text.to_owned())
    }
}

/// A hint longer than this is read as this: the outbox gives up after a day anyway.
const LONGEST_HINT: Duration = Duration::days(1);

/// The wait a refusal asks for: its `Retry-After` header, else a JSON body's
/// `parameters.retry_after` (Telegram Bot API) or `retry_after_ms` (Matrix's
/// `M_LIMIT_EXCEEDED`). Nothing for hints that do not parse.
pub fn retry_hint(headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
    let header = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok());
    let date = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok());
    let hint = match header {
        Some(value) => from_header(value, date),
        None => serde_json::from_slice::<Value>(body).ok().and_then(|json| {
            let telegram = json["parameters"]["retry_after"]
                .as_i64()
                .map(bounded_seconds);
            telegram.or(json["retry_after_ms"]
                .as_i64()
                .map(|ms| Duration::milliseconds(ms.clamp(0, LONGEST_HINT.num_milliseconds()))))
        }),
    };
    hint.filter(|d| *d > Duration::zero())
        .map(|d| d.min(LONGEST_HINT))
}

/// A number of seconds a receiver sent, bounded first: `Duration::seconds` panics past about
/// 292 million years, and a receiver may send any number.
fn bounded_seconds(n: i64) -> Duration {
    Duration::seconds(n.clamp(0, LONGEST_HINT.num_seconds()))
}

/// `Retry-After: 120`, or `Retry-After: <HTTP date>` measured from the answer's own `Date`
/// (both the receiver's clock, so a skew between its clock and ours does not matter; without
/// a `Date` there is nothing to measure from).
fn from_header(value: &str, date: Option<&str>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<i64>() {
        return Some(bounded_seconds(seconds));
    }
    let until = DateTime::parse_from_rfc2822(value).ok()?;
    let now = DateTime::parse_from_rfc2822(date?.trim()).ok()?;
    Some(until.signed_duration_since(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn hints_from_headers_and_telegram_bodies() {
        let telegram = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#;
        let date = "Wed, 21 Oct 2026 07:28:00 GMT";
        let matrix =
            br#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2500}"#;
        let huge = br#"{"parameters":{"retry_after":9223372036854775807}}"#;
        let negative = br#"{"retry_after_ms":-9223372036854775808}"#;
        let cases: [(&[(&'static str, &str)], &[u8], Option<i64>); 12] = [
            (&[], matrix, Some(2)),
            (&[("retry-after", "120")], b"", Some(120)),
            (&[], telegram, Some(35)),
            // The header wins over the body.
            (&[("retry-after", "5")], telegram, Some(5)),
            (
                &[
                    ("retry-after", "Wed, 21 Oct 2026 07:30:00 GMT"),
                    ("date", date),
                ],
                b"",
                Some(120),
            ),
            (
                &[("retry-after", "Wed, 21 Oct 2026 07:30:00 GMT")],
                b"",
                None,
            ),
            (&[("retry-after", "soon")], b"", None),
            (&[("retry-after", "-3")], b"not json", None),
            (&[("retry-after", "999999999")], b"", Some(86_400)),
            // Numbers a Duration cannot hold are bounded, never a panic.
            (&[("retry-after", "99999999999999999")], b"", Some(86_400)),
            (&[], huge, Some(86_400)),
            (&[], negative, None),
        ];
        for (pairs, body, expected) in cases {
            let got = retry_hint(&headers(pairs), body).map(|d| d.num_seconds());
            assert_eq!(got, expected, "{pairs:?}");
        }
    }
}
