//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second steps,
//! the parameters every authenticator app assumes when an otpauth URI names no others.

use hmac::{Hmac, KeyInit, Mac};
use qrcode::QrCode;
use qrcode::render::svg;
use sha1::Sha1;

use crate::clock::Timestamp;

pub const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
/// RFC 4226 recommends 160-bit keys for HMAC-SHA1.
pub const SECRET_LEN: usize = 20;

/// A new random TOTP key.
pub fn new_secret() -> Vec<u8> {
    crate::secret::generate()[..SECRET_LEN].to_vec()
}

/// The 30-second step `now` falls in.
pub fn step_of(now: Timestamp) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The code of `step` (RFC 4226 §5.3, dynamic truncation).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[hash.len() - 1] & 0x0f) as usize;
    let bytes: [u8; 4] = hash[offset..offset + 4].try_into().expect("4 bytes");
    (u32::from_be_bytes(bytes) & 0x7fff_ffff) % 10u32.pow(DIGITS)
}

/// The step whose code `code` is, within one step either side of `now` (clocks drift, people
/// type slowly), provided it is later than `last_used`: a code works once. Spaces are ignored.
pub fn verify(secret: &[u8], code: &str, now: Timestamp, last_used: Option<i64>) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let presented: u32 = digits.parse().ok()?;
    let current = step_of(now);
    // Every candidate is computed, so the time taken says nothing about which one matched.
    let mut matched = None;
    for step in [current - 1, current, current + 1] {
        let equal = subtle::ConstantTimeEq::ct_eq(&code_at(secret, step), &presented);
        if bool::from(equal) && last_used.is_none_or(|last| step > last) {
            matched = Some(step);
        }
    }
    matched
}

/// The key as authenticator apps want it typed: RFC 4648 base32 without padding.
pub fn base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The `otpauth://` URI an authenticator app reads from the QR code (Key Uri Format).
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// The URI as a QR code in SVG. Black on white whatever the theme: scanners expect dark modules
/// on a light background.
pub fn qr_svg(uri: &str) -> String {
    QrCode::new(uri.as_bytes())
        .expect("an otpauth URI fits in a QR code")
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn at(seconds: i64) -> Timestamp {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    /// RFC 6238 Appendix B, SHA-1 rows, last 6 of the 8 digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        let table = [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
            (20_000_000_000, 353_130),
        ];
        for (time, code) in table {
            assert_eq!(code_at(secret, step_of(at(time))), code, "at {time}");
        }
    }

    #[test]
    fn one_step_either_side_and_once() {
        let secret = b"12345678901234567890";
        let now = at(1_111_111_109);
        let step = step_of(now);
        let code = |s: i64| format!("{:06}", code_at(secret, s));
        // (code of step, last step used, accepted as)
        let table = [
            (step, None, Some(step)),
            (step - 1, None, Some(step - 1)),
            (step + 1, None, Some(step + 1)),
            (step - 2, None, None),
            (step + 2, None, None),
            (step, Some(step), None),
            (step - 1, Some(step - 1), None),
            (step, Some(step - 1), Some(step)),
        ];
        for (of, last, expected) in table {
            assert_eq!(
                verify(secret, &code(of), now, last),
                expected,
                "{of} {last:?}"
            );
        }
        assert_eq!(verify(secret, "081 804", now, None), Some(step));
        for bad in ["", "81804", "0818040", "08180a", "-81804"] {
            assert_eq!(verify(secret, bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn uri_and_qr() {
        let uri = otpauth_uri(b"12345678901234567890", "dutyduck", "ada@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/dutyduck:ada%40example%2Ecom?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=dutyduck&algorithm=SHA1&digits=6&period=30"
        );
        assert!(qr_svg(&uri).contains("<svg"));
    }
}
