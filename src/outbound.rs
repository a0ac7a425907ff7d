//! Outbound HTTPS, one way for every client the binary builds (checks, notifications, the
//! `run` wrapper): reqwest is compiled without a crypto provider, so ring is installed here, and
//! the CA roots are bundled (a scratch container has no system trust store).

/// The User-Agent of every outbound request.
pub const USER_AGENT: &str = concat!("dutyduck/", env!("CARGO_PKG_VERSION"));

/// A client builder with the crypto provider installed, the bundled roots and our User-Agent.
pub fn client_builder() -> reqwest::ClientBuilder {
    // "Already installed" (by another caller, or by a test) is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok());
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .tls_certs_only(roots)
}

/// reqwest's own message ("error sending request for url …") hides the useful part, the
/// innermost cause ("Connection refused (os error 111)").
pub fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}
