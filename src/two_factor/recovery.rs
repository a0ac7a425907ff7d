//! One-time recovery codes, for a lost authenticator: 10 codes of 80 random bits, shown once,
//! stored as SHA-256 digests (80 random bits need no slow hash), each usable once.

use crate::secret;

pub const COUNT: usize = 10;
const BYTES: usize = 10;

/// New codes, as shown to the user ("abcd-efgh-ijkl-mnop") and their digests, to store.
pub fn generate() -> (Vec<String>, Vec<[u8; 32]>) {
    (0..COUNT)
        .map(|_| {
            let raw = data_encoding::BASE32_NOPAD
                .encode(&secret::generate()[..BYTES])
                .to_lowercase();
            let shown = raw
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
                .collect::<Vec<_>>()
                .join("-");
            (shown, digest(&raw))
        })
        .unzip()
}

/// The digest of a code as typed: case, spaces and dashes do not matter.
pub fn digest(typed: &str) -> [u8; 32] {
    let normalized: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    secret::digest(normalized.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_match_however_typed() {
        let (shown, digests) = generate();
        assert_eq!(shown.len(), COUNT);
        assert_eq!(shown[0].len(), 19, "{}", shown[0]);
        let distinct: std::collections::BTreeSet<_> = digests.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        let typed = format!(" {} ", shown[3].to_uppercase().replace('-', " "));
        assert_eq!(digest(&typed), digests[3]);
        assert_ne!(digest(&shown[3][1..]), digests[3]);
    }
}
