//! What the kinds of alerting and chat providers (Telegram, Pushover, Gotify, PagerDuty,
//! Opsgenie, Matrix) share: keys checked against the same pattern their schema states, and
//! escaping for the HTML subsets Telegram and Matrix render.

use super::MASK;
use crate::error::{Error, Result};

/// `value` matches `pattern` (the one its `#[schemars(regex)]` shows, so the document and the
/// check cannot disagree); the refusal says `what` is expected and never quotes the value,
/// which is a secret.
pub fn check_pattern(field: &str, value: &str, pattern: &str, what: &str) -> Result<()> {
    let re = regex::Regex::new(pattern).expect("a valid pattern");
    match re.is_match(value) {
        true => Ok(()),
        false => Err(Error::invalid_field(field, format!("must be {what}"))),
    }
}

/// The API's base URL: the one configured (a self-hosted server, an EU region, a test's
/// receiver), else the provider's; without a trailing slash.
pub fn base_url<'a>(configured: &'a Option<String>, default: &'a str) -> &'a str {
    let url = configured.as_deref().unwrap_or(default);
    url.trim().trim_end_matches('/')
}

/// Hides a required secret.
pub fn mask(secret: &mut String) {
    *secret = MASK.to_owned();
}

/// Text shown as such in HTML: `&`, `<`, `>` and `"` escaped (Telegram's HTML parse mode
/// refuses a bare `<` or `&`, and accepts exactly these four entities).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_special_characters_are_escaped_and_others_kept() {
        assert_eq!(
            escape_html(r#"<b>"Shop" & co</b> é ✓"#),
            "&lt;b&gt;&quot;Shop&quot; &amp; co&lt;/b&gt; é ✓"
        );
    }

    #[test]
    fn a_refused_key_is_not_quoted() {
        let e = check_pattern("config.key", "s3cr3t!", "^[a-z]+$", "letters").unwrap_err();
        assert_eq!(e.message, "config.key: must be letters");
    }
}
