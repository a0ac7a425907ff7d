//! What one check of any kind ends with: a [`CheckOutcome`]. The checks themselves live with
//! their kind in `kinds` (the HTTP one in `kinds::http::check`).

use chrono::{DateTime, Utc};

use crate::monitors::model::ErrorKind;

/// The HTTP kind's spec and checker, under the names callers used before kinds existed.
pub use super::kinds::http::check::{CheckSpec, Checker};

#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// `ErrorKind::None` when the check passed.
    pub error_kind: ErrorKind,
    /// The answer's status code (HTTP kinds only).
    pub http_code: Option<u16>,
    /// How long the check took, as the kind measures it (HTTP: from sending the request to the
    /// end of the body read, or to the response headers when the status code is rejected).
    pub response_time_ms: u32,
    /// Short human message; `None` when the check passed.
    pub error: Option<String>,
    /// notAfter of the server's leaf certificate, when the kind saw one (drives the
    /// certificate-expiry warning incident).
    pub tls_expires_at: Option<DateTime<Utc>>,
}

impl CheckOutcome {
    pub fn ok(&self) -> bool {
        self.error_kind == ErrorKind::None
    }
}
