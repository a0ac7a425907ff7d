//! 256-bit random secrets (API token keys, session cookies) and their digests. A secret this
//! long needs no slow hash: the database stores SHA-256 of it, and comparisons are constant-time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const SECRET_LEN: usize = 32;

/// 32 bytes from the operating system's CSPRNG.
pub fn generate() -> [u8; SECRET_LEN] {
    let mut bytes = [0u8; SECRET_LEN];
    getrandom::fill(&mut bytes).expect("the OS random number generator is unavailable");
    bytes
}

pub fn digest(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

/// Compares a presented secret with a stored digest without leaking timing information.
pub fn matches(presented: &[u8], stored_digest: &[u8]) -> bool {
    digest(presented).ct_eq(stored_digest).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_differ_and_match_only_their_digest() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert!(matches(&a, &digest(&a)));
        assert!(!matches(&b, &digest(&a)));
        assert!(!matches(&a, &[]));
    }
}
