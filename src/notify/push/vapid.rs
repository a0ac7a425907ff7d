//! VAPID (RFC 8292): the server's P-256 key pair, which push services use to know that the
//! messages to a subscription come from the server the browser subscribed with.
//!
//! The pair is made at first start and kept in the data dir as `vapid.key` (PKCS#8 in PEM, mode
//! 0600, written to a temporary file then renamed, so a crash never leaves half a key). It must
//! survive restarts and backups' restores: browsers subscribed with its public key, and a new
//! key would make every subscription refuse our messages.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

use crate::clock::Timestamp;

/// The file in the data dir.
pub const FILE: &str = "vapid.key";
const PEM_LABEL: &str = "PRIVATE KEY";
/// How long a signed token is good for: RFC 8292 allows at most 24 hours; 12 leaves room for
/// a push service's clock being ahead of ours.
const TOKEN_LIFETIME_HOURS: i64 = 12;

pub struct Vapid {
    pair: EcdsaKeyPair,
}

impl Vapid {
    /// Reads `vapid.key` from `data_dir`, making it first if there is none.
    pub fn load_or_create(data_dir: &Path) -> Result<Vapid, String> {
        let path = data_dir.join(FILE);
        let rng = SystemRandom::new();
        let der = match std::fs::read_to_string(&path) {
            Ok(pem) => from_pem(&pem)
                .ok_or_else(|| format!("{} is not a PKCS#8 private key in PEM", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(|_| "cannot make the VAPID key pair".to_owned())?;
                write_private(&path, &to_pem(der.as_ref()))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                der.as_ref().to_vec()
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
            .map_err(|_| format!("{} is not a P-256 key", path.display()))?;
        Ok(Vapid { pair })
    }

    /// The public key, uncompressed (65 bytes), base64url without padding: the
    /// `applicationServerKey` browsers subscribe with, and the `k` of the header.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }

    /// The `Authorization` header for a message to `endpoint`: a JWT signed with ES256 naming
    /// the push service's origin (`aud`), an expiry (`exp`) and who to contact (`sub`).
    pub fn authorization(
        &self,
        endpoint: &url::Url,
        subject: Option<&str>,
        now: Timestamp,
    ) -> Result<String, String> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let mut claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": (now + chrono::Duration::hours(TOKEN_LIFETIME_HOURS)).timestamp(),
        });
        if let Some(subject) = subject {
            claims["sub"] = subject.into();
        }
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signed.as_bytes())
            .map_err(|_| "cannot sign the VAPID token".to_owned())?;
        let token = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()));
        Ok(format!("vapid t={token}, k={}", self.public_key()))
    }
}

/// The `sub` of the tokens: whom a push service's operator contacts about our messages. Apple's
/// refuses a token without one, or with one that is not an https URL or a `mailto:` (with no
/// space or angle brackets), with 403 `BadJwtToken`. `--vapid-subject` when given, else an https
/// `--public-url`, else `mailto:` and the address of `--smtp-from`; none: no `sub`, which other
/// push services take (the server warns at start).
pub fn subject(
    explicit: Option<&str>,
    public_url: Option<&str>,
    smtp_from: Option<&str>,
) -> Option<String> {
    let public_url = public_url
        .filter(|u| u.starts_with("https://"))
        .map(|u| u.trim_end_matches('/').to_owned());
    let sender = smtp_from
        .and_then(|from| from.parse::<lettre::message::Mailbox>().ok())
        .map(|m| format!("mailto:{}", m.email));
    explicit.map(str::to_owned).or(public_url).or(sender)
}

/// `--vapid-subject`: `mailto:` and an address, or an https URL (what Apple's service takes).
pub fn parse_subject(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let ok = match raw.strip_prefix("mailto:") {
        Some(address) => address.parse::<lettre::Address>().is_ok(),
        None => url::Url::parse(raw).is_ok_and(|u| u.scheme() == "https" && u.host().is_some()),
    };
    match ok {
        true => Ok(raw.to_owned()),
        false => Err(format!(
            "{raw:?}: expected mailto:alerts@example.com or an https:// URL"
        )),
    }
}

fn to_pem(der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let lines: Vec<&str> = base64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {PEM_LABEL}-----\n{}\n-----END {PEM_LABEL}-----\n",
        lines.join("\n")
    )
}

fn from_pem(pem: &str) -> Option<Vec<u8>> {
    let body = pem
        .trim()
        .strip_prefix(&format!("-----BEGIN {PEM_LABEL}-----"))?
        .strip_suffix(&format!("-----END {PEM_LABEL}-----"))?;
    let base64: String = body.split_whitespace().collect();
    STANDARD.decode(base64).ok()
}

/// Writes a private key readable by its owner only, whole or not at all.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let temporary = path.with_extension("key.tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = Vapid::load_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Vapid::load_or_create(dir.path()).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(first.public_key()).unwrap().len(),
            65
        );
    }

    #[test]
    fn the_subject_is_the_option_the_https_url_or_the_sender() {
        let from = Some("dutyduck <alerts@example.com>");
        let explicit = Some("mailto:ops@example.com");
        let https = Some("https://duck.example.com/");
        assert_eq!(
            subject(explicit, https, from).unwrap(),
            "mailto:ops@example.com"
        );
        assert_eq!(
            subject(None, https, from).unwrap(),
            "https://duck.example.com"
        );
        let http = Some("http://duck.lan");
        assert_eq!(
            subject(None, http, from).unwrap(),
            "mailto:alerts@example.com"
        );
        assert_eq!(subject(None, http, None), None);
        assert_eq!(
            parse_subject("mailto:a@example.com"),
            Ok("mailto:a@example.com".into())
        );
        assert!(parse_subject("https://duck.example.com").is_ok());
        for bad in [
            "a@example.com",
            "mailto: <a@example.com>",
            "http://duck.lan",
            "mailto:",
        ] {
            assert!(parse_subject(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_damaged_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "not a key").unwrap();
        let e = Vapid::load_or_create(dir.path()).err().unwrap();
        assert!(e.contains("vapid.key"), "{e}");
    }
}
