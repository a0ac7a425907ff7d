//! What one check of any kind ends with: a [`CheckOutcome`]. The checks themselves live with
//! their kind in `kinds` (the HTTP one in `kinds::http::check`).

use chrono::{DateTime, Utc};
use serde::Serialize;

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
    /// Whether the target answered, so that `response_time_ms` is a response time worth
    /// charting (a refused connection or a timeout measures nothing).
    pub answered: bool,
    /// What the kind saw beyond pass or fail, shown on the monitor page and kept with the
    /// result: a DNS answer, a ping's loss and round trips, a certificate. None for HTTP.
    pub details: Option<serde_json::Value>,
}

impl CheckOutcome {
    pub fn ok(&self) -> bool {
        self.error_kind == ErrorKind::None
    }

    /// The response time, when there was a response to time.
    pub fn answered_in_ms(&self) -> Option<u32> {
        self.answered.then_some(self.response_time_ms)
    }

    /// A failure: `kind` with a message saying what was expected, after `elapsed_ms`.
    pub fn failed(kind: ErrorKind, error: impl Into<String>, elapsed_ms: u32) -> CheckOutcome {
        CheckOutcome {
            error_kind: kind,
            http_code: None,
            response_time_ms: elapsed_ms,
            error: Some(error.into()),
            tls_expires_at: None,
            answered: false,
            details: None,
        }
    }

    /// A pass that took `elapsed_ms`.
    pub fn passed(elapsed_ms: u32) -> CheckOutcome {
        CheckOutcome {
            error_kind: ErrorKind::None,
            error: None,
            answered: true,
            ..CheckOutcome::failed(ErrorKind::None, "", elapsed_ms)
        }
    }

    /// The same outcome, keeping `details`.
    pub fn with_details(self, details: impl Serialize) -> CheckOutcome {
        CheckOutcome {
            details: serde_json::to_value(details).ok(),
            ..self
        }
    }
}
