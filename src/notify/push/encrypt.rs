//! Message encryption for web push (RFC 8291): the payload is sealed for one browser with the
//! `aes128gcm` content coding (RFC 8188), so the push service that carries it cannot read it.
//!
//! Per message: a fresh P-256 key pair (ring's ephemeral keys: used once, as the RFC wants),
//! ECDH with the subscription's `p256dh` key, HKDF-SHA256 keyed by its `auth` secret, then one
//! AES-128-GCM record. The key derivation is the pure `seal` below, so it is tested apart from
//! the randomness.

use hmac::{KeyInit, Mac};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use ring::rand::{SecureRandom, SystemRandom};

/// The record size announced in the header. One record holds the whole message: push
/// services take at most 4096 bytes of body, so a message never needs a second one.
const RECORD_SIZE: u32 = 4096;
/// The most plaintext one message may carry: 4096 bytes of body less the header (86 bytes),
/// the GCM tag (16) and the padding delimiter (1).
pub const MAX_PLAINTEXT: usize = 4096 - 86 - 16 - 1;

/// A browser's subscription keys: its P-256 public key (65 bytes, uncompressed) and its
/// 16-byte authentication secret.
pub struct BrowserKeys<'a> {
    pub p256dh: &'a [u8],
    pub auth: &'a [u8],
}

/// Encrypts `plaintext` for the browser holding `keys`; the body to POST to its endpoint.
pub fn encrypt(keys: &BrowserKeys<'_>, plaintext: &[u8]) -> Result<Vec<u8>, String> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(format!("the message is over {MAX_PLAINTEXT} bytes"));
    }
    let rng = SystemRandom::new();
    let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng)
        .map_err(|_| "cannot make a key pair".to_owned())?;
    let public = private
        .compute_public_key()
        .map_err(|_| "cannot make a key pair".to_owned())?;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt)
        .map_err(|_| "no randomness available".to_owned())?;
    let peer = UnparsedPublicKey::new(&ECDH_P256, keys.p256dh);
    let secret = agree_ephemeral(private, &peer, |shared| shared.to_vec())
        .map_err(|_| "the subscription's p256dh key is not a P-256 point".to_owned())?;
    Ok(seal(&secret, keys, public.as_ref(), &salt, plaintext))
}

/// Whether `p256dh` is a point a message can be encrypted for (checked when a subscription
/// is saved, so sending never fails on it).
pub fn is_valid_public_key(p256dh: &[u8]) -> bool {
    let keys = BrowserKeys {
        p256dh,
        auth: &[0; 16],
    };
    p256dh.len() == 65 && encrypt(&keys, b"").is_ok()
}

/// RFC 8291 section 3.4 and RFC 8188 section 2, from the ECDH secret on: the header (salt,
/// record size, the server's public key as key id) followed by the one sealed record.
pub fn seal(
    ecdh_secret: &[u8],
    keys: &BrowserKeys<'_>,
    server_public: &[u8],
    salt: &[u8; 16],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(keys.p256dh);
    key_info.extend_from_slice(server_public);
    let ikm = hkdf(keys.auth, ecdh_secret, &key_info, 32);
    let cek = hkdf(salt, &ikm, b"Content-Encoding: aes128gcm\0", 16);
    let nonce = hkdf(salt, &ikm, b"Content-Encoding: nonce\0", 12);

    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek).expect("a 16-byte key"));
    let nonce = Nonce::try_assume_unique_for_key(&nonce).expect("a 12-byte nonce");
    // The last (and only) record ends with the delimiter 2, and no padding.
    let mut record = plaintext.to_vec();
    record.push(2);
    key.seal_in_place_append_tag(nonce, Aad::empty(), &mut record)
        .expect("a record within AES-GCM's limits");

    let mut body = Vec::with_capacity(16 + 4 + 1 + server_public.len() + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(server_public.len() as u8);
    body.extend_from_slice(server_public);
    body.extend_from_slice(&record);
    body
}

/// HKDF-SHA256 (RFC 5869) for at most one block of output, all web push needs.
pub fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let prk = hmac_sha256(salt, &[ikm]);
    let mut okm = hmac_sha256(&prk, &[info, &[1]]);
    okm.truncate(len);
    okm
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5869's test case 1, cut to one block: the HKDF under the key derivation.
    #[test]
    fn hkdf_matches_rfc_5869() {
        let ikm = [0x0b; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        assert_eq!(
            hex::encode(hkdf(&salt, &ikm, &info, 32)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn the_header_names_the_salt_record_size_and_server_key() {
        let (p256dh, auth) = ([4u8; 65], [7u8; 16]);
        let keys = BrowserKeys {
            p256dh: &p256dh,
            auth: &auth,
        };
        let body = seal(&[1; 32], &keys, &[9; 65], &[3; 16], b"hello");
        assert_eq!(&body[..16], &[3; 16]);
        assert_eq!(&body[16..20], &4096u32.to_be_bytes());
        assert_eq!(body[20], 65);
        assert_eq!(&body[21..86], &[9; 65]);
        // "hello", the delimiter and the 16-byte tag.
        assert_eq!(body.len(), 86 + 5 + 1 + 16);
    }

    #[test]
    fn keys_that_are_not_points_are_refused() {
        assert!(!is_valid_public_key(&[4; 65]));
        assert!(!is_valid_public_key(&[4; 10]));
    }
}
