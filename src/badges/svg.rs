//! Badges drawn as shields.io draws its "flat" style, so they sit in a README next to other
//! badges without looking foreign: a grey label box, a coloured message box, white Verdana 11 px
//! text with a faint shadow. Text widths come from a table of Verdana's advance widths at 11 px
//! (the same measure shields.io uses), so no font is needed on the server.

use std::fmt::Write as _;

/// Verdana's advance widths at 11 px for the printable ASCII characters, ' ' (0x20) to '~'.
const VERDANA_11: [f64; 95] = [
    3.87, 4.33, 5.05, 9.00, 6.99, 11.84, 7.99, 2.95, 5.00, 5.00, 6.99, 9.00, 4.00, 5.00, 4.00,
    5.00, // ' ' to '/'
    6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, // '0' to '9'
    5.00, 5.00, 9.00, 9.00, 9.00, 6.00, 11.00, // ':' to '@'
    7.52, 7.54, 7.68, 8.48, 6.96, 6.32, 8.53, 8.27, 4.63, 5.00, 7.62, 6.12, 9.27, 8.23, 8.66, 6.63,
    8.66, 7.65, 7.52, 6.78, 8.05, 7.52, 10.88, 7.54, 6.77, 7.54, // 'A' to 'Z'
    5.00, 5.00, 5.00, 9.00, 6.99, 6.99, // '[' to '`'
    6.61, 6.85, 5.73, 6.85, 6.55, 3.87, 6.85, 6.96, 3.02, 3.79, 6.51, 3.02, 10.70, 6.96, 6.68,
    6.85, 6.85, 4.69, 5.73, 4.33, 6.96, 6.51, 9.00, 6.51, 6.51, 5.78, // 'a' to 'z'
    6.98, 5.00, 6.98, 9.00, // '{' to '~'
];

/// Characters outside the table (accents, other scripts) are measured as a wide letter: a
/// badge a little too wide reads fine, one too narrow cuts its text.
const FALLBACK: f64 = 10.70;

/// Horizontal padding on each side of a text, in pixels.
const PADDING: u32 = 5;

/// The width of `text` in Verdana 11 px, rounded up to whole pixels.
pub fn text_width(text: &str) -> u32 {
    let width: f64 = text
        .chars()
        .map(|c| match c {
            ' '..='~' => VERDANA_11[c as usize - 0x20],
            _ => FALLBACK,
        })
        .sum();
    width.ceil() as u32
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The whole SVG document: `label` on grey, `message` on `color` (a `#rrggbb` value).
pub fn flat(label: &str, message: &str, color: &str) -> String {
    let (label_text, message_text) = (text_width(label), text_width(message));
    let label_box = label_text + 2 * PADDING;
    let message_box = message_text + 2 * PADDING;
    let width = label_box + message_box;
    let title = escape(&format!("{label}: {message}"));
    // Text is drawn at 10× and scaled down, as shields.io does: whole units at that scale place
    // the glyphs on tenths of a pixel. `textLength` makes every renderer fit the measured width.
    let label_x = label_box * 5;
    let message_x = label_box * 10 + message_box * 5;
    let mut svg = String::with_capacity(1200);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}"><title>{title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{label_box}" height="20" fill="#555"/><rect x="{label_box}" width="{message_box}" height="20" fill="{color}"/><rect width="{width}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">"##
    );
    for (x, length, text) in [
        (label_x, label_text * 10, escape(label)),
        (message_x, message_text * 10, escape(message)),
    ] {
        let _ = write!(
            svg,
            r##"<text aria-hidden="true" x="{x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{length}">{text}</text><text x="{x}" y="140" transform="scale(.1)" fill="#fff" textLength="{length}">{text}</text>"##
        );
    }
    svg.push_str("</g></svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_verdana() {
        // shields.io draws "build" in a 37 px box: 27 px of text and 5 px each side.
        let cases = [
            ("", 0),
            ("i", 4),
            ("m", 11),
            ("build", 27),
            ("passing", 42),
            ("99.95%", 44),
            ("é", 11),
        ];
        for (text, width) in cases {
            assert_eq!(text_width(text), width, "{text:?}");
        }
        // Wider letters make wider badges: a monospace guess would make these equal.
        assert!(text_width("WWW") > text_width("iii") * 2);
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(escape("a\u{0}b\nc"), "abc");
    }

    #[test]
    fn boxes_are_sized_from_the_text_and_padding() {
        let svg = flat("status", "up", "#4c1");
        let (label, message) = (text_width("status") + 10, text_width("up") + 10);
        assert!(svg.starts_with(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="20""#,
            label + message
        )));
        assert!(svg.contains(&format!(
            r##"<rect x="{label}" width="{message}" height="20" fill="#4c1"/>"##
        )));
        assert!(svg.contains("<title>status: up</title>"));
        assert!(svg.contains(r#"aria-label="status: up""#));
        let evil = flat("<script>", "a&b", "#e05d44");
        assert!(!evil.contains("<script>") && evil.contains("&lt;script&gt;"));
    }
}
