//! Announcement bodies: Markdown to HTML for visitors. Raw HTML is shown as text, links keep
//! only web and mail addresses, images become links: what people type can never run a script
//! or load something on a visitor's page.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Whether a link may be followed as written: http(s), mailto, or a path or anchor on this site.
fn safe(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _))
            if !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#') =>
        {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => !lower.starts_with("//"),
    }
}

fn kept(url: CowStr<'_>) -> CowStr<'_> {
    if safe(&url) { url } else { CowStr::from("#") }
}

pub fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: kept(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            dest_url,
            title,
            id,
            ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: kept(dest_url),
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_nothing_can_script() {
        let cases = [
            (
                "**Fixed** the _API_",
                "<p><strong>Fixed</strong> the <em>API</em></p>\n",
            ),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            (
                "a <img src=x onerror=alert(1)> b",
                "a &lt;img src=x onerror=alert(1)&gt; b",
            ),
            ("[x](javascript:alert(1))", "<a href=\"#\">x</a>"),
            ("[x](JavaScript:alert(1))", "<a href=\"#\">x</a>"),
            ("[x](data:text/html,hi)", "<a href=\"#\">x</a>"),
            (
                "[x](https://example.com/a?b=1)",
                "<a href=\"https://example.com/a?b=1\">x</a>",
            ),
            ("[x](/status/acme)", "<a href=\"/status/acme\">x</a>"),
            (
                "![logo](https://evil.example/t.png)",
                "<a href=\"https://evil.example/t.png\">logo</a>",
            ),
            ("- one\n- two", "<li>one</li>\n<li>two</li>"),
        ];
        for (md, fragment) in cases {
            let html = to_html(md);
            assert!(html.contains(fragment), "{md}: {html}");
            assert!(
                !html.contains("<script") && !html.contains("<img"),
                "{md}: {html}"
            );
        }
    }
}
