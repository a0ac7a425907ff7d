//! One TLS check: connect, speak STARTTLS if asked, then hand the socket to rustls with a
//! certificate verifier that records the server's leaf certificate whatever it decides, so a
//! refused certificate is still described (and its expiry watched). The negotiated version is
//! judged last.
//!
//! The verifier and the trust anchors are in `verifier`, the leaf's fields and what a refused
//! one is said to be in `certificate`, what a check keeps with its result in `details`.

use std::io;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ProtocolVersion, RootCertStore};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout_at;
use tokio_rustls::TlsConnector;

use super::TlsSettings;
use super::certificate::{Certificate, certificate_problem};
use super::details::{Session, TlsDetails};
use super::starttls;
use super::verifier::{Recorder, roots_from_pem};
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::endpoint;
use crate::monitors::model::ErrorKind;

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
        let recorder = Arc::new(Recorder::new(
            chain,
            self.provider.signature_verification_algorithms,
        ));
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
        let seen = recorder.leaf();
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

#[cfg(test)]
mod tests {
    use rustls::CertificateError;

    use super::*;

    #[test]
    fn versions_are_named_and_ordered() {
        assert_eq!(version_name(ProtocolVersion::TLSv1_3), "TLS 1.3");
        assert_eq!(version_name(minimum_version("1.2")), "TLS 1.2");
        assert!(u16::from(minimum_version("1.2")) < u16::from(minimum_version("1.3")));
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
