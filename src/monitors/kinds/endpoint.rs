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

// Building blocks of the patterns the OpenAPI document states. Each is a subset of what the
// server accepts (a generated value that fits must be accepted), as close as a pattern gets.
macro_rules! ipv4 {
    () => {
        r"((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
    };
}
macro_rules! ipv6 {
    () => {
        concat!(
            r"(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:",
            r"|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}",
            r"|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}",
            r"|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:(:[0-9a-fA-F]{1,4}){1,6}",
            r"|:((:[0-9a-fA-F]{1,4}){1,7}|:))"
        )
    };
}
/// A DNS name whose last label starts with a letter (so it is never an IPv4 address), labels
/// of 1 to 63 characters, an optional final dot.
macro_rules! dns_name {
    () => {
        r"([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?"
    };
}
macro_rules! port {
    () => {
        r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
    };
}

/// A host name or an IP address (IPv6 with or without brackets), as `host` accepts it.
pub const HOST_PATTERN: &str = concat!(
    "^(",
    ipv4!(),
    "|",
    ipv6!(),
    r"|\[",
    ipv6!(),
    r"\]|",
    dns_name!(),
    ")$"
);
/// A DNS name that is not an IP address.
pub const DNS_NAME_PATTERN: &str = concat!("^", dns_name!(), "$");
/// An IP address with an optional port: `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53`,
/// `[2001:db8::53]:53`.
pub const ADDRESS_PORT_PATTERN: &str = concat!(
    "^(",
    ipv4!(),
    "(:",
    port!(),
    ")?|",
    ipv6!(),
    r"|\[",
    ipv6!(),
    r"\](:",
    port!(),
    ")?)$"
);

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

/// A host as written in a URL: an IPv6 address in brackets.
pub fn url_host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// `host:port` as written in a URL.
pub fn authority(host: &str, port: u16) -> String {
    format!("{}:{port}", url_host(host))
}

/// A port from 1 to 65535 (the API takes a wider number so that 65536 is a 422 naming `field`).
pub fn port(field: &str, port: u32) -> Result<u16> {
    crate::limits::range(field, port, 1, 65535)?;
    Ok(u16::try_from(port).expect("checked range"))
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

    /// What the document's patterns allow, the server accepts (and the other way round for
    /// the usual values): a fuzzer's generated host must never be refused.
    #[test]
    fn the_patterns_allow_only_what_the_server_accepts() {
        let matches =
            |pattern: &str, value: &str| regex::Regex::new(pattern).unwrap().is_match(value);
        let hosts = [
            "example.com",
            "db-1.internal.",
            "127.0.0.1",
            "::1",
            "[::1]",
            "2001:db8::53",
            "_srv.example",
            "localhost",
            "a",
            "0",
            "1.2.3",
            "[24aA54E",
            "999.1.1.1",
            "01.2.3.4",
            "a..b",
            "-a.example",
            "::::",
            "[::1",
            "1:2:3:4:5:6:7:8:9",
            "exa mple",
            "a.b-",
        ];
        for value in hosts {
            if matches(HOST_PATTERN, value) {
                assert!(
                    host("host", value).is_ok(),
                    "{value:?} fits the pattern but is refused"
                );
            }
        }
        for value in [
            "example.com",
            "127.0.0.1",
            "::1",
            "[2001:db8::1]",
            "db-1.internal.",
        ] {
            assert!(matches(HOST_PATTERN, value), "{value:?}");
        }
        assert!(
            !matches(DNS_NAME_PATTERN, "192.0.2.1")
                && matches(DNS_NAME_PATTERN, "www.example.com.")
        );
        let resolvers = [
            "1.1.1.1",
            "1.1.1.1:53",
            "[::1]:5353",
            "::1",
            "1.2",
            "1.1.1.1:0",
            "1.1.1.1:65536",
            "[::1]",
        ];
        for value in resolvers {
            let parses = value
                .parse::<std::net::SocketAddr>()
                .is_ok_and(|a| a.port() != 0)
                || value.trim_matches(['[', ']']).parse::<IpAddr>().is_ok();
            if matches(ADDRESS_PORT_PATTERN, value) {
                assert!(parses, "{value:?} fits the pattern but is refused");
            }
        }
    }

    #[test]
    fn authorities_bracket_ipv6() {
        assert_eq!(authority("::1", 53), "[::1]:53");
        assert_eq!(authority("example.com", 25), "example.com:25");
    }
}
