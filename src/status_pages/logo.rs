//! A page's logo: a `data:image/(png|svg+xml|jpeg|webp);base64,…` URL of at most 100 KB
//! decoded, stored as sent and served at `/status/<slug>/logo`.

use base64::Engine;

use crate::error::{Error, Result};

/// A logo's image, decoded, is at most 100 KB.
pub const MAX_BYTES: usize = 100 * 1024;

const TYPES: [&str; 4] = ["png", "svg+xml", "jpeg", "webp"];

/// The logo's media type and bytes, from its data URL.
pub fn decode(url: &str) -> Option<(&'static str, Vec<u8>)> {
    let rest = url.strip_prefix("data:image/")?;
    let (kind, data) = rest.split_once(";base64,")?;
    let kind = TYPES.iter().find(|t| **t == kind)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .ok()?;
    let mime = match *kind {
        "png" => "image/png",
        "svg+xml" => "image/svg+xml",
        "jpeg" => "image/jpeg",
        _ => "image/webp",
    };
    Some((mime, bytes))
}

/// The logo sent, trimmed (blank is none), if it decodes and is small enough (422 naming
/// `logo` otherwise).
pub fn check(logo: Option<String>) -> Result<Option<String>> {
    let logo = logo.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    if let Some(l) = &logo {
        match decode(l) {
            None => {
                return Err(Error::invalid_field(
                    "logo",
                    "expected a data URL: data:image/(png|svg+xml|jpeg|webp);base64,…",
                ));
            }
            Some((_, bytes)) if bytes.len() > MAX_BYTES => {
                return Err(Error::invalid_field(
                    "logo",
                    format!("the image is at most 100 KB (got {} bytes)", bytes.len()),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(logo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_image_data_urls_of_at_most_100_kb() {
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let png = format!("data:image/png;base64,{}", encode(&[1u8; 10]));
        assert_eq!(decode(&png).unwrap(), ("image/png", vec![1u8; 10]));
        assert!(decode("data:image/gif;base64,AAAA").is_none());
        assert!(decode("data:text/html;base64,AAAA").is_none());
        assert!(decode("https://example.com/logo.png").is_none());
        let big = format!(
            "data:image/png;base64,{}",
            encode(&vec![0u8; MAX_BYTES + 1])
        );
        let e = check(Some(big)).unwrap_err();
        assert!(
            e.message.starts_with("logo: the image is at most 100 KB"),
            "{}",
            e.message
        );
        assert_eq!(check(Some(png.clone())).unwrap(), Some(png));
        assert_eq!(check(Some("  ".into())).unwrap(), None);
    }
}
