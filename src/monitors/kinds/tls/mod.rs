//! The TLS kind: any TLS endpoint (host:port, optionally after STARTTLS for SMTP, IMAP or POP3)
//! is up when the handshake succeeds, the certificate is valid for the server name (unless
//! `verifyChain` is false) and the negotiated version is at least `minTlsVersion`. The leaf's
//! notAfter drives the certificate-expiry warning incident; the certificate and the session
//! (subject, issuer, dates, names, version, cipher suite) are kept as the result's details.
//! Settings and their validation here, the handshake in `check`, the plain-text prelude in
//! `starttls`, the trust anchors and the recording verifier in `verifier`, the leaf's fields and
//! the words for a refused one in `certificate`, what a check keeps in `details`.

mod certificate;
mod check;
mod details;
mod starttls;
mod verifier;

use std::time::Duration;

use rustls::pki_types::ServerName;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use self::check::TlsChecker;
use super::CheckKind;
use super::endpoint::{self, HOST_PATTERN, MAX_HOST};
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;

/// The port checked when `tlsPort` is not given (HTTPS).
pub const DEFAULT_PORT: u16 = 443;
/// What `minTlsVersion` takes: rustls speaks nothing older than TLS 1.2.
pub const TLS_VERSIONS: [&str; 2] = ["1.2", "1.3"];
/// What `starttls` takes (null: TLS from the first byte).
pub const STARTTLS_PROTOCOLS: [&str; 3] = ["smtp", "imap", "pop3"];
/// The longest `caCertificate`: a few PEM certificates.
pub const MAX_CA_PEM: usize = limits::TEXT;

/// The plain-text protocol spoken before the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Starttls {
    Smtp,
    Imap,
    Pop3,
}

impl Starttls {
    fn parse(value: &str) -> Option<Starttls> {
        match value.trim().to_ascii_lowercase().as_str() {
            "smtp" => Some(Starttls::Smtp),
            "imap" => Some(Starttls::Imap),
            "pop3" => Some(Starttls::Pop3),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Starttls::Smtp => "SMTP",
            Starttls::Imap => "IMAP",
            Starttls::Pop3 => "POP3",
        }
    }
}

/// The TLS fields a user may send. For create, absent fields take their defaults; for PATCH,
/// absent fields keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsInput {
    /// Host name or IP address to connect to; required on create.
    #[schemars(length(min = 1, max = MAX_HOST), regex(pattern = HOST_PATTERN))]
    pub tls_host: Option<String>,
    /// 1 to 65535; default 443.
    #[schemars(range(min = 1, max = 65535))]
    pub tls_port: Option<u32>,
    /// The name sent as SNI and that the certificate must be valid for; null: `tlsHost`.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(min = 1, max = MAX_HOST), regex(pattern = HOST_PATTERN))]
    pub server_name: Option<Option<String>>,
    /// "smtp", "imap" or "pop3": upgrade a plain-text connection with STARTTLS (STLS for
    /// POP3); null (default): TLS from the first byte.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(extend("enum" = ["smtp", "imap", "pop3", null]))]
    pub starttls: Option<Option<String>>,
    /// Check the chain up to a trusted root, the validity dates and the server name; default
    /// true. With false any certificate is accepted, and still shown and watched for expiry.
    pub verify_chain: Option<bool>,
    /// PEM certificate(s) of the CA the chain must lead to, instead of the bundled public roots
    /// (a private CA); null: the public roots.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = MAX_CA_PEM), regex(pattern = limits::MULTILINE))]
    pub ca_certificate: Option<Option<String>>,
    /// The lowest TLS version accepted, "1.2" (default) or "1.3".
    #[schemars(extend("enum" = TLS_VERSIONS))]
    pub min_tls_version: Option<String>,
}

/// A TLS monitor's settings, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Shown flat beside the monitor's common fields: the monitor's schema closes the whole object.
#[schemars(extend("additionalProperties" = true))]
pub struct TlsSettings {
    pub tls_host: String,
    pub tls_port: u16,
    pub server_name: Option<String>,
    pub starttls: Option<Starttls>,
    pub verify_chain: bool,
    pub ca_certificate: Option<String>,
    /// "1.2" or "1.3".
    pub min_tls_version: String,
}

impl TlsSettings {
    /// The name the certificate must be valid for, sent as SNI when it is a DNS name.
    pub fn effective_server_name(&self) -> &str {
        self.server_name.as_deref().unwrap_or(&self.tls_host)
    }

    fn validate(self) -> Result<TlsSettings> {
        // tlsHost and serverName were checked as hosts when set; what is left is whether the
        // name the certificate is checked against is one rustls takes.
        let field = match self.server_name {
            Some(_) => "serverName",
            None => "tlsHost",
        };
        if ServerName::try_from(self.effective_server_name()).is_err() {
            return Err(Error::invalid_field(
                field,
                "is not a name a certificate can be checked against (a DNS name or an IP address)",
            ));
        }
        if let Some(pem) = &self.ca_certificate {
            verifier::roots_from_pem(pem).map_err(|e| Error::invalid_field("caCertificate", e))?;
        }
        Ok(self)
    }
}

impl CheckKind for TlsSettings {
    type Input = TlsInput;
    type Checker = TlsChecker;
    const REQUIRED: &'static [&'static str] = &["tlsHost"];

    fn create(input: TlsInput) -> Result<TlsSettings> {
        let host = input.tls_host.clone().unwrap_or_default();
        let settings = TlsSettings {
            tls_host: endpoint::host("tlsHost", &host)?,
            tls_port: DEFAULT_PORT,
            server_name: None,
            starttls: None,
            verify_chain: true,
            ca_certificate: None,
            min_tls_version: TLS_VERSIONS[0].to_owned(),
        };
        settings.apply(input)
    }

    fn apply(mut self, input: TlsInput) -> Result<TlsSettings> {
        if let Some(host) = input.tls_host {
            self.tls_host = endpoint::host("tlsHost", &host)?;
        }
        if let Some(port) = input.tls_port {
            self.tls_port = endpoint::port("tlsPort", port)?;
        }
        if let Some(name) = input.server_name {
            self.server_name = match name.filter(|n| !n.trim().is_empty()) {
                Some(name) => Some(endpoint::host("serverName", &name)?),
                None => None,
            };
        }
        if let Some(starttls) = input.starttls {
            self.starttls = match starttls.filter(|s| !s.trim().is_empty()) {
                None => None,
                Some(value) => Some(Starttls::parse(&value).ok_or_else(|| {
                    Error::invalid_field(
                        "starttls",
                        format!(
                            "must be one of {} or null (got {value:?})",
                            STARTTLS_PROTOCOLS.join(", ")
                        ),
                    )
                })?),
            };
        }
        if let Some(verify) = input.verify_chain {
            self.verify_chain = verify;
        }
        if let Some(pem) = input.ca_certificate {
            self.ca_certificate =
                limits::optional("caCertificate", pem, MAX_CA_PEM, limits::multiline)?;
        }
        if let Some(version) = input.min_tls_version {
            let version = version.trim();
            let version = version
                .strip_prefix("TLS")
                .or_else(|| version.strip_prefix("tls"))
                .map_or(version, |v| v.trim_start_matches(['v', ' ']));
            if !TLS_VERSIONS.contains(&version) {
                return Err(Error::invalid_field(
                    "minTlsVersion",
                    format!(
                        "must be \"1.2\" or \"1.3\" (got {version:?}; TLS 1.0 and 1.1 are not spoken)"
                    ),
                ));
            }
            self.min_tls_version = version.to_owned();
        }
        self.validate()
    }

    fn target(&self) -> String {
        format!(
            "tls://{}",
            endpoint::authority(&self.tls_host, self.tls_port)
        )
    }

    /// Nothing secret: a handshake sends no credentials, and a CA certificate is public.
    fn mask(&mut self) {}

    async fn check(&self, checker: &TlsChecker, timeout: Duration) -> CheckOutcome {
        checker.check(self, timeout).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> TlsInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_and_target() {
        let s = TlsSettings::create(input(r#"{"tlsHost": "example.com"}"#)).unwrap();
        assert_eq!(s.tls_port, 443);
        assert_eq!(s.server_name, None);
        assert_eq!(s.effective_server_name(), "example.com");
        assert_eq!(s.starttls, None);
        assert!(s.verify_chain);
        assert_eq!(s.min_tls_version, "1.2");
        assert_eq!(s.target(), "tls://example.com:443");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["tlsHost"], "example.com");
        assert_eq!(json["minTlsVersion"], "1.2");
        assert!(json["starttls"].is_null());

        let s = s
            .apply(input(
                r#"{"tlsHost": "[::1]", "tlsPort": 25, "starttls": "SMTP", "serverName": "mx.example",
                    "minTlsVersion": "TLSv1.3"}"#,
            ))
            .unwrap();
        assert_eq!(s.target(), "tls://[::1]:25");
        assert_eq!(s.starttls, Some(Starttls::Smtp));
        assert_eq!(serde_json::to_value(&s).unwrap()["starttls"], "smtp");
        assert_eq!(s.effective_server_name(), "mx.example");
        assert_eq!(s.min_tls_version, "1.3");
        let reset = s
            .apply(input(r#"{"serverName": null, "starttls": null}"#))
            .unwrap();
        assert_eq!((reset.server_name, reset.starttls), (None, None));
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (r#"{"tlsPort": 443}"#, "tlsHost"),
            (r#"{"tlsHost": "not a host"}"#, "tlsHost"),
            (r#"{"tlsHost": "a.example", "tlsPort": 0}"#, "tlsPort"),
            (r#"{"tlsHost": "a.example", "tlsPort": 65536}"#, "tlsPort"),
            (
                r#"{"tlsHost": "a.example", "serverName": "x y"}"#,
                "serverName",
            ),
            (r#"{"tlsHost": "a.example", "starttls": "ftp"}"#, "starttls"),
            (
                r#"{"tlsHost": "a.example", "minTlsVersion": "1.1"}"#,
                "minTlsVersion",
            ),
            (
                r#"{"tlsHost": "a.example", "minTlsVersion": "2"}"#,
                "minTlsVersion",
            ),
            (
                r#"{"tlsHost": "a.example", "caCertificate": "nope"}"#,
                "caCertificate",
            ),
            (
                r#"{"tlsHost": "a.example", "caCertificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}"#,
                "caCertificate",
            ),
        ];
        for json in [
            r#"{"tlsHost": "db-1.internal."}"#,
            r#"{"tlsHost": "::1"}"#,
            r#"{"tlsHost": "10.0.0.1", "serverName": "mail.example"}"#,
            r#"{"tlsHost": "a.example", "serverName": "", "starttls": "", "caCertificate": null}"#,
        ] {
            assert!(TlsSettings::create(input(json)).is_ok(), "{json}");
        }
        for (json, field) in cases {
            let error = TlsSettings::create(input(json)).unwrap_err();
            assert!(
                error.message.starts_with(field),
                "{json}: {}",
                error.message
            );
        }
    }

    #[test]
    fn a_ca_certificate_is_kept_and_blank_clears_it() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        let s = TlsSettings::create(TlsInput {
            tls_host: Some("a.example".into()),
            ca_certificate: Some(Some(pem.clone())),
            ..TlsInput::default()
        })
        .unwrap();
        assert_eq!(s.ca_certificate.as_deref(), Some(pem.trim()));
        // A file pasted whole, key included, is refused: readers would see the key.
        let with_key = format!("{pem}{}", key.serialize_pem());
        let error = s
            .clone()
            .apply(TlsInput {
                ca_certificate: Some(Some(with_key)),
                ..TlsInput::default()
            })
            .unwrap_err();
        assert!(
            error
                .message
                .starts_with("caCertificate: must hold only certificates"),
            "{error:?}"
        );
        let cleared = s.apply(input(r#"{"caCertificate": "  "}"#)).unwrap();
        assert_eq!(cleared.ca_certificate, None);
    }
}
