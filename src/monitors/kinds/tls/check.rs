//! One TLS check: connect, speak STARTTLS if asked, then hand the socket to rustls with a
//! certificate verifier that records the server's leaf certificate whatever it decides, so a
//! refused certificate is still described (and its expiry watched). The negotiated version is
//! judged last.

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, ProtocolVersion, RootCertStore,
    SignatureScheme,
};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout_at;
use tokio_rustls::TlsConnector;

use super::TlsSettings;
use super::starttls;
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::endpoint;
use crate::monitors::model::ErrorKind;

/// The longest subject, issuer or name kept from a certificate (peer data, shown as is).
const MAX_TEXT: usize = 300;
/// How many of the certificate's names are kept.
const MAX_NAMES: usize = 50;

/// What TLS checks share: the crypto provider, and the verifier for the bundled public roots,
/// built on the first check that needs it.
pub struct TlsChecker {
    provider: Arc<CryptoProvider>,
    public: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
}

impl Default for TlsChecker {
    fn default() -> Self {
        TlsChecker {
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            public: OnceLock::new(),
        }
    }
}

/// The trust anchors of a `caCertificate`: every PEM certificate in it.
pub(super) fn roots_from_pem(pem: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for (i, cert) in CertificateDer::pem_slice_iter(pem.as_bytes()).enumerate() {
        let cert = cert.map_err(|e| format!("is not valid PEM: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("certificate {} cannot be a trust anchor: {e}", i + 1))?;
    }
    if roots.is_empty() {
        return Err(
            "must hold at least one PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned(),
        );
    }
    Ok(roots)
}

impl TlsChecker {
    /// What checks the chain: the bundled public roots, or the monitor's own CA.
    fn chain_verifier(&self, settings: &TlsSettings) -> Result<Arc<WebPkiServerVerifier>, String> {
        let build = |roots: RootCertStore| {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                .build()
                .map_err(|e| format!("no usable trust anchors: {e}"))
        };
        match &settings.ca_certificate {
            Some(pem) => build(roots_from_pem(pem).map_err(|e| format!("caCertificate {e}"))?),
            None => self
                .public
                .get_or_init(|| {
                    let mut roots = RootCertStore::empty();
                    roots.add_parsable_certificates(
                        webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
                    );
                    build(roots)
                })
                .clone(),
        }
    }

    pub async fn check(&self, settings: &TlsSettings, timeout: Duration) -> CheckOutcome {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + timeout;
        let setup_failed = |message: String| CheckOutcome::failed(ErrorKind::Tls, message, 0);
        let chain = match settings.verify_chain {
            true => match self.chain_verifier(settings) {
                Ok(verifier) => Some(verifier),
                Err(message) => return setup_failed(message),
            },
            false => None,
        };
        let name = settings.effective_server_name();
        let Ok(server_name) = ServerName::try_from(name.to_owned()) else {
            return setup_failed(format!("{name:?} is not a valid TLS server name"));
        };
        let recorder = Arc::new(Recorder {
            chain,
            algorithms: self.provider.signature_verification_algorithms,
            seen: Mutex::new(None),
        });
        // Every version rustls speaks is offered, so that a server below the minimum is told
        // apart from one that fails the handshake.
        let config = match ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        {
            Ok(builder) => builder
                .dangerous()
                .with_custom_certificate_verifier(recorder.clone())
                .with_no_client_auth(),
            Err(e) => return setup_failed(format!("TLS configuration: {e}")),
        };

        let mut stream = match timeout_at(
            deadline,
            TcpStream::connect((settings.tls_host.as_str(), settings.tls_port)),
        )
        .await
        {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return endpoint::connect_failed(&e, started),
            Err(_) => return endpoint::timed_out("no connection", timeout, started),
        };
        if let Some(protocol) = settings.starttls
            && let Err(failure) = starttls::upgrade(&mut stream, protocol, deadline).await
        {
            return failure.outcome(timeout, started);
        }

        let handshake = timeout_at(
            deadline,
            TlsConnector::from(Arc::new(config)).connect(server_name, stream),
        )
        .await;
        let elapsed = endpoint::elapsed_ms(started);
        let seen = recorder.seen.lock().ok().and_then(|seen| seen.clone());
        let certificate = seen.as_deref().and_then(Certificate::parse);
        let failed = |message: String| {
            let outcome = CheckOutcome {
                // The server answered when it showed its certificate.
                answered: seen.is_some(),
                tls_expires_at: certificate.as_ref().map(|c| c.not_after),
                ..CheckOutcome::failed(ErrorKind::Tls, message, elapsed)
            };
            match &certificate {
                Some(c) => outcome.with_details(TlsDetails::of(c, false, None)),
                None => outcome,
            }
        };
        let mut tls = match handshake {
            Err(_) => return endpoint::timed_out("no TLS handshake", timeout, started),
            Ok(Err(e)) => return failed(handshake_failure(&e, certificate.as_ref(), name)),
            Ok(Ok(tls)) => tls,
        };

        let (_, connection) = tls.get_ref();
        let version = connection.protocol_version();
        let session = Session {
            version: version.map(version_name),
            cipher_suite: connection
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite())),
        };
        // Polite, and bounded: the close_notify is one write.
        let _ = timeout_at(deadline, tls.shutdown()).await;

        let verified = settings.verify_chain;
        let outcome = CheckOutcome {
            tls_expires_at: certificate.as_ref().map(|c| c.not_after),
            ..CheckOutcome::passed(elapsed)
        };
        let outcome = match &certificate {
            Some(c) => outcome.with_details(TlsDetails::of(c, verified, Some(session))),
            None => outcome.with_details(TlsDetails {
                certificate: None,
                verified,
                session: Some(session),
            }),
        };
        let minimum = minimum_version(&settings.min_tls_version);
        match version {
            Some(v) if u16::from(v) < u16::from(minimum) => CheckOutcome {
                error_kind: ErrorKind::Tls,
                error: Some(format!(
                    "negotiated {}, at least {} required",
                    version_name(v),
                    settings.min_tls_version
                )),
                ..outcome
            },
            _ => outcome,
        }
    }
}

fn minimum_version(setting: &str) -> ProtocolVersion {
    match setting {
        "1.3" => ProtocolVersion::TLSv1_3,
        _ => ProtocolVersion::TLSv1_2,
    }
}

fn version_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLS 1.3".to_owned(),
        ProtocolVersion::TLSv1_2 => "TLS 1.2".to_owned(),
        ProtocolVersion::TLSv1_1 => "TLS 1.1".to_owned(),
        ProtocolVersion::TLSv1_0 => "TLS 1.0".to_owned(),
        other => format!("{other:?}"),
    }
}

/// The message of a failed handshake: what was wrong with the certificate, or with the
/// exchange.
fn handshake_failure(error: &io::Error, certificate: Option<&Certificate>, name: &str) -> String {
    let tls = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidCertificate(e)) => certificate_problem(e, certificate, name),
        Some(e @ rustls::Error::InvalidMessage(_)) => {
            format!("handshake failed: {e} (is this port speaking TLS?)")
        }
        Some(e) => format!("handshake failed: {e}"),
        None => match error.kind() {
            io::ErrorKind::UnexpectedEof => {
                "handshake failed: connection closed by the server".to_owned()
            }
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                "handshake failed: connection reset by the server".to_owned()
            }
            _ => format!("handshake failed: {error}"),
        },
    }
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn from_unix(time: UnixTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(time.as_secs()).ok()?, 0)
}

fn certificate_problem(
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

/// Checks the chain with `chain` (or accepts any certificate when it is None), keeping the
/// leaf either way. Handshake signatures are always checked: the server must hold the
/// certificate's key.
#[derive(Debug)]
struct Recorder {
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
    seen: Mutex<Option<Vec<u8>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(end_entity.as_ref().to_vec());
        }
        match &self.chain {
            Some(chain) => {
                chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The leaf certificate's fields worth showing.
struct Certificate {
    subject: String,
    issuer: String,
    serial_number: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    names: Vec<String>,
}

fn clip(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

impl Certificate {
    /// None when x509-parser cannot read it (rustls may still have judged it).
    fn parse(der: &[u8]) -> Option<Certificate> {
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

/// What the handshake agreed on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    /// "TLS 1.3" or "TLS 1.2".
    #[serde(rename = "protocolVersion")]
    version: Option<String>,
    /// rustls's name of it, e.g. "TLS13_AES_256_GCM_SHA384".
    cipher_suite: Option<String>,
}

/// What a TLS check saw, kept with its result: the leaf certificate (when the server showed
/// one), whether it was verified and accepted (false when `verifyChain` is off or the
/// certificate was refused), and the session (when the handshake completed).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TlsDetails {
    #[serde(flatten)]
    certificate: Option<CertificateDetails>,
    verified: bool,
    #[serde(flatten)]
    session: Option<Session>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CertificateDetails {
    subject: String,
    issuer: String,
    serial_number: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    subject_alt_names: Vec<String>,
}

impl TlsDetails {
    fn of(c: &Certificate, verified: bool, session: Option<Session>) -> TlsDetails {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_named_and_ordered() {
        assert_eq!(version_name(ProtocolVersion::TLSv1_3), "TLS 1.3");
        assert_eq!(version_name(minimum_version("1.2")), "TLS 1.2");
        assert!(u16::from(minimum_version("1.2")) < u16::from(minimum_version("1.3")));
    }

    #[test]
    fn long_peer_text_is_clipped() {
        assert_eq!(clip("short".into()), "short");
        let long = clip("é".repeat(MAX_TEXT + 5));
        assert_eq!(long.chars().count(), MAX_TEXT + 1);
        assert_eq!(ip(&[127, 0, 0, 1]).as_deref(), Some("127.0.0.1"));
        assert_eq!(ip(&[1, 2, 3]), None);
    }

    #[test]
    fn io_errors_of_a_handshake_say_what_happened() {
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "eof");
        assert_eq!(
            handshake_failure(&eof, None, "a.example"),
            "handshake failed: connection closed by the server"
        );
        let alert = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure),
        );
        assert_eq!(
            handshake_failure(&alert, None, "a.example"),
            "handshake failed: received fatal alert: HandshakeFailure"
        );
        let name = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
        );
        assert_eq!(
            handshake_failure(&name, None, "a.example"),
            "certificate not valid for name a.example (valid for no names)"
        );
    }
}
