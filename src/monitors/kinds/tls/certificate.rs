//! The server's leaf certificate as a check describes it: its fields (read with x509-parser,
//! peer data clipped to a bounded length), and what is wrong with it when rustls refused it.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use rustls::CertificateError;
use rustls::pki_types::UnixTime;

/// The longest subject, issuer or name kept from a certificate (peer data, shown as is).
const MAX_TEXT: usize = 300;
/// How many of the certificate's names are kept.
const MAX_NAMES: usize = 50;

/// The leaf certificate's fields worth showing.
pub(super) struct Certificate {
    pub(super) subject: String,
    pub(super) issuer: String,
    pub(super) serial_number: String,
    pub(super) not_before: DateTime<Utc>,
    pub(super) not_after: DateTime<Utc>,
    pub(super) names: Vec<String>,
}

fn clip(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

impl Certificate {
    /// None when x509-parser cannot read it (rustls may still have judged it).
    pub(super) fn parse(der: &[u8]) -> Option<Certificate> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let validity = cert.validity();
        let names = match cert.subject_alternative_name() {
            Ok(Some(extension)) => extension
                .value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    x509_parser::extensions::GeneralName::DNSName(dns) => Some(dns.to_string()),
                    x509_parser::extensions::GeneralName::IPAddress(bytes) => ip(bytes),
                    _ => None,
                })
                .take(MAX_NAMES)
                .map(clip)
                .collect(),
            _ => Vec::new(),
        };
        Some(Certificate {
            subject: clip(cert.subject().to_string()),
            issuer: clip(cert.issuer().to_string()),
            serial_number: clip(cert.raw_serial_as_string()),
            not_before: DateTime::from_timestamp(validity.not_before.timestamp(), 0)?,
            not_after: DateTime::from_timestamp(validity.not_after.timestamp(), 0)?,
            names,
        })
    }
}

fn ip(bytes: &[u8]) -> Option<String> {
    let address = match bytes.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?),
        16 => IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?),
        _ => return None,
    };
    Some(address.to_string())
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn from_unix(time: UnixTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(time.as_secs()).ok()?, 0)
}

/// The message for a certificate rustls refused (`error`), with the certificate's own dates,
/// names or issuer when it could be read; `name` is the one it was checked against.
pub(super) fn certificate_problem(
    error: &CertificateError,
    certificate: Option<&Certificate>,
    name: &str,
) -> String {
    let not_after = certificate.map(|c| c.not_after);
    let not_before = certificate.map(|c| c.not_before);
    match error {
        CertificateError::Expired => match not_after {
            Some(at) => format!("certificate expired on {}", day(at)),
            None => "certificate expired".to_owned(),
        },
        CertificateError::ExpiredContext { not_after: at, .. } => {
            match from_unix(*at).or(not_after) {
                Some(at) => format!("certificate expired on {}", day(at)),
                None => "certificate expired".to_owned(),
            }
        }
        CertificateError::NotValidYet => match not_before {
            Some(at) => format!("certificate not valid before {}", day(at)),
            None => "certificate not valid yet".to_owned(),
        },
        CertificateError::NotValidYetContext { not_before: at, .. } => {
            match from_unix(*at).or(not_before) {
                Some(at) => format!("certificate not valid before {}", day(at)),
                None => "certificate not valid yet".to_owned(),
            }
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let names = certificate
                .map(|c| c.names.join(", "))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "no names".to_owned());
            format!("certificate not valid for name {name} (valid for {names})")
        }
        CertificateError::UnknownIssuer => match certificate {
            Some(c) if c.subject == c.issuer => {
                format!("certificate not trusted: self-signed ({})", c.subject)
            }
            Some(c) => format!("certificate not trusted: unknown issuer ({})", c.issuer),
            None => "certificate not trusted: unknown issuer".to_owned(),
        },
        CertificateError::BadSignature => "certificate not trusted: bad signature".to_owned(),
        CertificateError::Revoked => "certificate revoked".to_owned(),
        other => format!("invalid certificate: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_peer_text_is_clipped() {
        assert_eq!(clip("short".into()), "short");
        let long = clip("é".repeat(MAX_TEXT + 5));
        assert_eq!(long.chars().count(), MAX_TEXT + 1);
        assert_eq!(ip(&[127, 0, 0, 1]).as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(&[1, 2, 3]), None);
    }
}
