//! What one client may cost the server: time allowed for each part of a request, connections
//! held, and the size of a request head. Past a limit the client gets a JSON 408, 414 or 431, or
//! its connection is closed; the server's memory and file descriptors stay bounded.

use std::net::IpAddr;
use std::time::Duration;

use warp::http::HeaderMap;

use crate::error::{Error, Kind};

#[derive(Clone, Debug)]
pub struct Limits {
    /// From the connection's start (or the first byte of a keep-alive request) to the end of
    /// its headers; past it the connection is closed without an answer.
    pub header_timeout: Duration,
    /// Reading the whole body of a request; past it the client gets 408.
    pub body_timeout: Duration,
    /// A keep-alive connection with no request in progress is closed after this long.
    pub idle_timeout: Duration,
    /// Connections held at once; `None` derives it from the file-descriptor limit at start.
    /// Past it, the oldest connection without a request in progress is closed to make room.
    pub max_connections: Option<usize>,
    /// Connections held at once from one client address; past it new ones are closed at once.
    pub max_connections_per_address: usize,
    /// Request headers; past it 431.
    pub max_headers: usize,
    /// Bytes of header names and values together; past it 431.
    pub max_header_bytes: usize,
    /// Bytes of path and query string; past it 414.
    pub max_url_bytes: usize,
    /// `&`-separated query parameters; past it 414 (they are part of the URL).
    pub max_query_params: usize,
    /// Bytes buffered, over all connections, for request heads not yet complete (counted as
    /// received, plus the 8 KiB hyper allocates at a head's first byte; hyper's buffer may be
    /// up to twice what it holds). Past it the connection whose head has been arriving the
    /// longest is closed, so clients that trickle large headers cannot grow the server's
    /// memory with their number. A normal head is complete in its first read and released at
    /// once, so this only ever fills with unfinished heads.
    pub max_pending_head_bytes: usize,
    /// Bytes of request bodies held at once, over all requests (received, until the request is
    /// done). Past it the client gets 503 with Retry-After: many clients are sending large
    /// bodies slowly, and each of them is bounded by the body timeout.
    pub max_pending_body_bytes: usize,
    /// Reverse proxies (`--trusted-proxy`): their one address carries every client's
    /// connections, so the per-address cap does not apply to them.
    pub trusted_proxies: crate::http::client_addr::TrustedProxies,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: None,
            max_connections_per_address: 256,
            max_headers: 100,
            max_header_bytes: 16 * 1024,
            max_url_bytes: 8 * 1024,
            max_query_params: 256,
            max_pending_head_bytes: 8 * 1024 * 1024,
            max_pending_body_bytes: 64 * 1024 * 1024,
            trusted_proxies: Default::default(),
        }
    }
}

impl Limits {
    /// Whether `max_connections_per_address` applies to a client: to every address but a
    /// trusted reverse proxy's.
    pub fn per_address_cap_applies(&self, ip: IpAddr) -> bool {
        !self.trusted_proxies.contains(ip)
    }

    /// hyper's own bound on the request head, just above ours: a head within our limits always
    /// reaches `check_head` (and gets a JSON answer), while anything far beyond is refused by
    /// hyper with a bare 431 before it is buffered.
    pub fn hyper_max_head_bytes(&self) -> usize {
        // Request line, ": " and CRLF around each header, and some slack.
        self.max_url_bytes + self.max_header_bytes + 4 * self.hyper_max_headers() + 1024
    }

    /// hyper's own bound on the header count, just above ours (see `hyper_max_head_bytes`).
    pub fn hyper_max_headers(&self) -> usize {
        self.max_headers + self.max_headers / 4 + 8
    }

    /// Refuses a request head over the limits, before routing or reading the body.
    pub fn check_head(&self, path: &str, query: &str, headers: &HeaderMap) -> Result<(), Error> {
        let url = path.len() + query.len();
        let params = query.split('&').filter(|p| !p.is_empty()).count();
        let header_bytes: usize = headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        let uri_too_long = (Kind::UriTooLong, "uri_too_long");
        let too_large = (Kind::HeaderFieldsTooLarge, "header_fields_too_large");
        let checks = [
            (uri_too_long, "the URL is", url, "bytes", self.max_url_bytes),
            (
                uri_too_long,
                "the query has",
                params,
                "parameters",
                self.max_query_params,
            ),
            (
                too_large,
                "the request has",
                headers.len(),
                "headers",
                self.max_headers,
            ),
            (
                too_large,
                "the headers are",
                header_bytes,
                "bytes",
                self.max_header_bytes,
            ),
        ];
        for ((kind, code), what, n, unit, max) in checks {
            if n > max {
                let message = format!("{what} {n} {unit}; at most {max} are accepted");
                return Err(Error::new(kind, code, message));
            }
        }
        Ok(())
    }
}
