//! What the kinds that reach a host share: checking a host name or address as typed, writing
//! `host:port` in a target URL, and turning connection errors into outcomes.

use std::io;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;

/// The longest DNS name (RFC 1035).
pub const MAX_HOST: usize = 253;
/// A host name or an IP address, as the OpenAPI document states it.
pub const HOST_PATTERN: &str = "^(\\[?[0-9A-Fa-f:.]+\\]?|[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\\.?)$";

/// `value` as a host to reach: an IP address (IPv6 with or without brackets) or a DNS name.
/// Returns it trimmed, without brackets; the error names `field`.
pub fn host(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    let bare = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    if bare.parse::<IpAddr>().is_ok() {
        return Ok(bare.to_owned());
    }
    let name = value.strip_suffix('.').unwrap_or(value);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if value.is_empty() {
        return Err(Error::invalid_field(field, "is required"));
    }
    if value.len() > MAX_HOST || !name.split('.').all(label_ok) {
        return Err(Error::invalid_field(
            field,
            format!("must be a host name or an IP address (at most {MAX_HOST} characters)"),
        ));
    }
    Ok(value.to_owned())
}

/// `host:port` as written in a URL: an IPv6 address in brackets.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Milliseconds since `started`, saturating.
pub fn elapsed_ms(started: Instant) -> u32 {
    u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX)
}

/// The outcome of a connection that could not be opened.
pub fn connect_failed(error: &io::Error, started: Instant) -> CheckOutcome {
    let message = match error.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
        // tokio's lookup_host reports an unknown name as an uncategorized error.
        _ if error.to_string().contains("failed to lookup address") => {
            format!("DNS lookup failed: {error}")
        }
        _ => format!("connection failed: {error}"),
    };
    CheckOutcome::failed(ErrorKind::Connect, message, elapsed_ms(started))
}

/// The outcome of a step that did not finish within the check's timeout.
pub fn timed_out(what: &str, timeout: Duration, started: Instant) -> CheckOutcome {
    CheckOutcome::failed(
        ErrorKind::Timeout,
        format!("{what} within {} ms", timeout.as_millis()),
        elapsed_ms(started),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_as_typed() {
        let cases = [
            ("example.com", Some("example.com")),
            (" db-1.internal. ", Some("db-1.internal.")),
            ("127.0.0.1", Some("127.0.0.1")),
            ("[::1]", Some("::1")),
            ("::1", Some("::1")),
            ("_srv.example", Some("_srv.example")),
            ("", None),
            ("exa mple.com", None),
            ("-bad.example", None),
            ("a..b", None),
            ("http://example.com", None),
        ];
        for (input, expected) in cases {
            let result = host("host", input);
            match expected {
                Some(h) => assert_eq!(result.unwrap(), h, "{input:?}"),
                None => assert!(result.unwrap_err().message.starts_with("host"), "{input:?}"),
            }
        }
        assert!(host("host", &"a.".repeat(130)).is_err());
    }

    #[test]
    fn authorities_bracket_ipv6() {
        assert_eq!(authority("::1", 53), "[::1]:53");
        assert_eq!(authority("example.com", 25), "example.com:25");
    }
}
