//! The page as HTML: complete without JavaScript (status.js only refreshes it in place and shows
//! times in the visitor's zone), styled by `/status/_/status.css` only (no inline style or
//! script: the page's CSP forbids both), assets linked by absolute path so the editor's preview
//! (an iframe's `srcdoc`) loads them too.

use std::fmt::Write;

use super::words::{self, word};
use super::{Lang, escape, iso, when};
use crate::status_pages::model::{Theme, url_of};
use crate::status_pages::view::Snapshot;

/// Visitors' page, or the editor's preview: the logo inline (a draft has no logo address) and
/// no live script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Public,
    Preview,
}

/// Where the logo is served: its address changes with its content, so it can be cached long.
pub fn logo_url(slug: &str, logo: &str) -> String {
    let digest = crate::secret::digest(logo.as_bytes());
    format!("{}/logo?v={}", url_of(slug), hex::encode(&digest[..6]))
}

pub fn page(s: &Snapshot, lang: Lang, mode: Mode) -> String {
    let settings = &s.settings;
    let url = url_of(&settings.slug);
    let mut h = String::with_capacity(16 * 1024);
    let theme = match settings.theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
        Theme::Auto => "auto",
    };
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"{}\" data-theme=\"{theme}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n",
        lang.code(),
        escape(&settings.title)
    );
    if settings.noindex {
        h.push_str("<meta name=\"robots\" content=\"noindex\">\n");
    }
    if let Some(d) = &settings.description {
        let _ = writeln!(h, "<meta name=\"description\" content=\"{}\">", escape(d));
    }
    h.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    // No favicon of its own: an empty one spares browsers a request answered 404.
    h.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    h.push_str("<link rel=\"stylesheet\" href=\"/status/_/status.css\">\n");
    if mode == Mode::Public {
        let _ = write!(
            h,
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{url}/feed.atom\" title=\"{}\">\n\
             <script src=\"/status/_/status.js\" defer></script>\n",
            escape(&settings.title)
        );
    }
    let _ = write!(
        h,
        "</head>\n<body data-page=\"{url}\">\n<header class=\"sp-header\">\n<div class=\"sp-wrap\">\n"
    );
    if let Some(logo) = &settings.logo {
        let src = match mode {
            Mode::Public => logo_url(&settings.slug, logo),
            Mode::Preview => logo.clone(),
        };
        let _ = writeln!(
            h,
            "<img class=\"sp-logo\" src=\"{}\" alt=\"\">",
            escape(&src)
        );
    }
    let _ = writeln!(h, "<h1>{}</h1>", escape(&settings.title));
    if let Some(d) = &settings.description {
        let _ = writeln!(h, "<p class=\"sp-description\">{}</p>", escape(d));
    }
    h.push_str("</div>\n</header>\n<main id=\"sp-main\" class=\"sp-wrap\">\n");
    main(&mut h, s, lang);
    h.push_str("</main>\n<footer class=\"sp-footer\">\n<div class=\"sp-wrap\">\n");
    if let Some(f) = &settings.footer {
        let _ = writeln!(h, "<p class=\"sp-footer-text\">{}</p>", escape(f));
    }
    let _ = write!(h, "<p>");
    if mode == Mode::Public {
        let _ = write!(
            h,
            "<a href=\"{url}/feed.atom\">{}</a> · ",
            word(lang, "feed")
        );
    }
    let _ = write!(
        h,
        "{}</p>\n</div>\n</footer>\n</body>\n</html>\n",
        word(lang, "powered")
    );
    h
}

/// The part status.js replaces when the page changes.
fn main(h: &mut String, s: &Snapshot, lang: Lang) {
    let _ = writeln!(
        h,
        "<section class=\"sp-overall sp-s-{}\" aria-live=\"polite\"><p>{}</p></section>",
        s.status.as_str(),
        words::overall(lang, s.status)
    );
    super::sections::incidents(h, s, lang);
    super::sections::announcements(h, s, lang, false);
    super::sections::maintenance(h, s, lang);
    for g in &s.groups {
        super::sections::group(h, g, lang);
    }
    super::sections::history(h, s, lang);
    let _ = writeln!(
        h,
        "<p class=\"sp-updated\">{} <time datetime=\"{}\">{}</time></p>",
        word(lang, "updated"),
        iso(s.generated_at),
        when(s.generated_at)
    );
}
