//! What a TLS check keeps with its result: the leaf certificate's fields, whether it was
//! verified, and the session the handshake agreed on.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::certificate::Certificate;

/// What the handshake agreed on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Session {
    /// "TLS 1.3" or "TLS 1.2".
    #[serde(rename = "protocolVersion")]
    pub(super) version: Option<String>,
    /// rustls's name of it, e.g. "TLS13_AES_256_GCM_SHA384".
    pub(super) cipher_suite: Option<String>,
}

/// What a TLS check saw, kept with its result: the leaf certificate (when the server showed
/// one), whether it was verified and accepted (false when `verifyChain` is off or the
/// certificate was refused), and the session (when the handshake completed).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TlsDetails {
    #[serde(flatten)]
    pub(super) certificate: Option<CertificateDetails>,
    pub(super) verified: bool,
    #[serde(flatten)]
    pub(super) session: Option<Session>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CertificateDetails {
    subject: String,
    issuer: String,
    serial_number: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    subject_alt_names: Vec<String>,
}

impl TlsDetails {
    pub(super) fn of(c: &Certificate, verified: bool, session: Option<Session>) -> TlsDetails {
        TlsDetails {
            certificate: Some(CertificateDetails {
                subject: c.subject.clone(),
                issuer: c.issuer.clone(),
                serial_number: c.serial_number.clone(),
                not_before: c.not_before,
                not_after: c.not_after,
                subject_alt_names: c.names.clone(),
            }),
            verified,
            session,
        }
    }
}
