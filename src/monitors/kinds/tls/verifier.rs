//! What a TLS check verifies the server's certificate with: the trust anchors (a monitor's own
//! CA, or the bundled public roots), and a verifier that records the leaf whatever it decides,
//! so that a refused certificate is still described and its expiry watched.

use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The trust anchors of a `caCertificate`: every PEM certificate in it.
pub(super) fn roots_from_pem(pem: &str) -> Result<RootCertStore, String> {
    // Only certificates: the field is shown to everyone who may read the monitor, and a file
    // pasted whole may carry the CA's private key (a section the certificate reader would
    // silently skip).
    let other_section = <(SectionKind, Vec<u8>)>::pem_slice_iter(pem.as_bytes())
        .filter_map(Result::ok)
        .any(|(kind, _)| kind != SectionKind::Certificate);
    if other_section || pem.contains("PRIVATE KEY") {
        return Err(
            "must hold only certificates (-----BEGIN CERTIFICATE-----): remove the private key or any other section"
                .to_owned(),
        );
    }
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

/// Checks the chain with `chain` (or accepts any certificate when it is None), keeping the
/// leaf either way. Handshake signatures are always checked: the server must hold the
/// certificate's key.
#[derive(Debug)]
pub(super) struct Recorder {
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
    seen: Mutex<Option<Vec<u8>>>,
}

impl Recorder {
    pub(super) fn new(
        chain: Option<Arc<WebPkiServerVerifier>>,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Recorder {
        Recorder {
            chain,
            algorithms,
            seen: Mutex::new(None),
        }
    }

    /// The leaf certificate the server showed (DER), if it got that far.
    pub(super) fn leaf(&self) -> Option<Vec<u8>> {
        self.seen.lock().ok().and_then(|seen| seen.clone())
    }
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
