//! Password hashing (scrypt, PHC strings) and the strength rule.
//!
//! Only human passwords are hashed with scrypt; API tokens and session cookies are 256-bit random
//! secrets and need no slow hash. Hashing costs 32 MiB and ~80 ms, so at most two run at once:
//! a burst of logins cannot exhaust a small VM's memory.

use scrypt::password_hash::phc::PasswordHash;
use scrypt::password_hash::{PasswordHasher, PasswordVerifier};
use scrypt::{Params, Scrypt};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// N = 2^15, r = 8, p = 1: 32 MiB per hash. The parameters travel in each PHC string, so raising
/// them later keeps old hashes verifiable.
///
/// Debug builds (the test suites' servers and CLIs) hash with N = 2^10 (1 MiB, about 30 times
/// faster): nearly every test creates a user and signs in, and the full cost was a sixth of the
/// integration tests' CPU. Release builds, the only ones packaged, always use 2^15; a hash made by
/// a debug build still verifies in a release build, since its PHC string carries its parameters.
const LOG_N: u8 = if cfg!(debug_assertions) { 10 } else { 15 };
pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 1024;

static HASHING: Semaphore = Semaphore::const_new(2);

fn hasher() -> Scrypt {
    Scrypt::new_with_params(Params::new(LOG_N, 8, 1).expect("valid scrypt parameters"))
}

pub fn hash(password: &str) -> Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

/// True if `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// `hash` off the async runtime, bounded in concurrency.
pub async fn hash_async(password: String) -> Result<String> {
    let _permit = HASHING.acquire().await.map_err(Error::internal)?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(Error::internal)?
}

/// `verify` off the async runtime, bounded in concurrency. With no stored hash (unknown
/// account) it still spends the time of a real check, so response times do not reveal which
/// e-mail addresses have accounts.
pub async fn verify_async(password: String, stored: Option<String>) -> Result<bool> {
    let _permit = HASHING.acquire().await.map_err(Error::internal)?;
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            let _ = hash(&password);
            false
        }
    })
    .await
    .map_err(Error::internal)
}

/// The strength rule, with a message a user can act on. `personal` holds the e-mail and names,
/// which a password must not simply repeat.
pub fn check_strength(password: &str, personal: &[&str]) -> Result<()> {
    let chars = password.chars().count();
    let weak = |why: &str| Err(Error::invalid_field("password", why));
    if chars < MIN_LENGTH {
        return weak(&format!("must be at least {MIN_LENGTH} characters long"));
    }
    if chars > MAX_LENGTH {
        return weak(&format!("must be at most {MAX_LENGTH} characters long"));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return weak("is too repetitive; use at least 5 different characters");
    }
    let lower = password.to_lowercase();
    for word in personal.iter().map(|w| w.to_lowercase()) {
        let local_part = word.split('@').next().unwrap_or(&word);
        for candidate in [word.as_str(), local_part] {
            // Mostly made of the name or e-mail: "lovelace123", not "Lovelace-was-the-first".
            let len = candidate.chars().count();
            if len >= 3 && lower.contains(candidate) && len * 2 >= chars {
                return weak("is too close to your name or e-mail address");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with(&format!("$scrypt$ln={LOG_N},r=8,p=1$")));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn a_release_builds_hash_verifies_with_its_own_parameters() {
        let release = Scrypt::new_with_params(Params::new(15, 8, 1).unwrap())
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(release.starts_with("$scrypt$ln=15,r=8,p=1$"));
        assert!(verify("correct horse battery", &release));
        assert!(!verify("correct horse batterY", &release));
    }

    #[test]
    fn strength_rule() {
        let me = ["ada@example.com", "Ada", "Lovelace"];
        let cases: [(&str, bool); 7] = [
            ("short", false),
            ("aaaaaaaaaaaa", false),
            ("abababababab", false),
            ("lovelace123", false),
            ("ada@example.com", false),
            ("tarte tatin du dimanche", true),
            ("Lovelace-was-the-first-programmer", true),
        ];
        for (password, ok) in cases {
            assert_eq!(check_strength(password, &me).is_ok(), ok, "{password}");
        }
    }
}
