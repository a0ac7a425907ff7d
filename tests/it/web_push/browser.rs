//! The browser's side of web push, as the test plays it: a subscription's keys (a P-256 key
//! pair and a 16-byte auth secret it keeps), decrypting what the push service received
//! (RFC 8291 with RFC 8188 `aes128gcm`, written here apart from the server's code, with another
//! P-256 library), and checking the VAPID token (RFC 8292) with the server's public key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{KeyInit, Mac};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

pub struct Subscriber {
    secret: p256::SecretKey,
    pub public: Vec<u8>,
    pub auth: [u8; 16],
}

impl Subscriber {
    pub fn new() -> Subscriber {
        let rng = SystemRandom::new();
        let secret = loop {
            let mut bytes = [0u8; 32];
            rng.fill(&mut bytes).unwrap();
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        let public = secret.public_key().to_sec1_bytes().to_vec();
        assert_eq!(public.len(), 65, "uncompressed");
        let mut auth = [0u8; 16];
        rng.fill(&mut auth).unwrap();
        Subscriber {
            secret,
            public,
            auth,
        }
    }

    /// What `PushSubscription.toJSON()` gives, plus a label.
    pub fn subscription(&self, endpoint: &str, label: &str) -> Value {
        json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {"p256dh": B64.encode(&self.public), "auth": B64.encode(self.auth)},
            "label": label,
        })
    }

    /// Decrypts an `aes128gcm` body sealed for this subscription.
    pub fn decrypt(&self, body: &[u8]) -> Vec<u8> {
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert_eq!(record_size, 4096);
        let id_len = body[20] as usize;
        assert_eq!(id_len, 65, "the key id is the server's P-256 public key");
        let server_public = &body[21..21 + id_len];
        let ciphertext = &body[21 + id_len..];
        assert!(ciphertext.len() <= record_size as usize, "one record");

        let server = p256::PublicKey::from_sec1_bytes(server_public).unwrap();
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), server.as_affine());
        let mut key_info = b"WebPush: info\0".to_vec();
        key_info.extend_from_slice(&self.public);
        key_info.extend_from_slice(server_public);
        let ikm = hkdf(
            &self.auth,
            shared.raw_secret_bytes().as_slice(),
            &key_info,
            32,
        );
        let cek = hkdf(salt, &ikm, b"Content-Encoding: aes128gcm\0", 16);
        let nonce = hkdf(salt, &ikm, b"Content-Encoding: nonce\0", 12);
        let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek).unwrap());
        let mut record = ciphertext.to_vec();
        let plain = key
            .open_in_place(
                Nonce::try_assume_unique_for_key(&nonce).unwrap(),
                Aad::empty(),
                &mut record,
            )
            .expect("the record decrypts and authenticates");
        // The last record: the text, then the delimiter 2, then only zero padding.
        let end = plain.iter().rposition(|b| *b != 0).unwrap();
        assert_eq!(plain[end], 2, "the last record's delimiter");
        plain[..end].to_vec()
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let mac = |key: &[u8], parts: &[&[u8]]| {
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        parts.iter().for_each(|p| m.update(p));
        m.finalize().into_bytes().to_vec()
    };
    let prk = mac(salt, &[ikm]);
    let mut okm = mac(&prk, &[info, &[1]]);
    okm.truncate(len);
    okm
}

/// Checks `Authorization: vapid t=<JWT>, k=<key>` as a push service does: the key is the
/// server's, the ES256 signature verifies with it, `aud` is the push service's origin and `exp`
/// within 24 hours of `now`. Returns the claims.
pub fn check_vapid(authorization: &str, server_key: &str, origin: &str, now: i64) -> Value {
    let rest = authorization
        .strip_prefix("vapid ")
        .expect("the vapid scheme");
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=').unwrap();
        match name {
            "t" => token = Some(value),
            "k" => key = Some(value),
            other => panic!("unexpected parameter {other}"),
        }
    }
    assert_eq!(key.unwrap(), server_key, "k is the server's key");
    let token = token.unwrap();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&B64.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let public = B64.decode(server_key).unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &public)
        .verify(signed.as_bytes(), &B64.decode(signature).unwrap())
        .expect("the JWT's ES256 signature verifies with the server's key");
    let claims: Value = serde_json::from_slice(&B64.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], origin);
    let exp = claims["exp"].as_i64().unwrap();
    assert!(
        exp > now && exp <= now + 86_400,
        "exp within 24 h: {claims}"
    );
    claims
}
