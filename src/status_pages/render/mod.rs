//! A `Snapshot` as visitors get it: HTML (readable without JavaScript), JSON and an Atom feed,
//! in English or French. Pure functions of the snapshot and the language, so a rendering can be
//! kept until the page changes.

pub mod atom;
pub mod charts;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sections;
pub mod words;

use super::model::Language;
use crate::clock::Timestamp;

/// The language a page is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

/// The page's language, or for `auto` the first of English and French the visitor's
/// `Accept-Language` names by preference (English when it names neither).
pub fn language(setting: Language, accept: Option<&str>) -> Lang {
    match setting {
        Language::En => Lang::En,
        Language::Fr => Lang::Fr,
        Language::Auto => {
            let mut best: Option<(f32, Lang)> = None;
            for part in accept.unwrap_or("").split(',') {
                let mut pieces = part.split(';');
                let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0f32);
                let lang = match tag.split('-').next() {
                    Some("en") => Lang::En,
                    Some("fr") => Lang::Fr,
                    _ => continue,
                };
                if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                    best = Some((q, lang));
                }
            }
            best.map_or(Lang::En, |(_, l)| l)
        }
    }
}

/// Text for HTML and XML: `& < > " '` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `2026-12-06 19:57 UTC`: what a page without JavaScript shows (the script shows local time).
pub fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// RFC 3339, for `datetime` attributes, JSON and Atom.
pub fn iso(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_accept_language_by_preference() {
        let cases = [
            (None, Lang::En),
            (Some("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr),
            (Some("de-DE,en;q=0.5,fr;q=0.7"), Lang::Fr),
            (Some("de, it"), Lang::En),
            (Some("en-GB;q=0.9, FR"), Lang::Fr),
            (Some("fr;q=0"), Lang::En),
        ];
        for (accept, lang) in cases {
            assert_eq!(language(Language::Auto, accept), lang, "{accept:?}");
        }
        assert_eq!(language(Language::Fr, Some("en")), Lang::Fr);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
