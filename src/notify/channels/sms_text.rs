//! Fitting a notification in one SMS segment. A segment is 140 bytes: 160 characters of the
//! GSM 03.38 alphabet (7 bits each; `^{}\[~]|€` take two), or, as soon as one character is
//! outside it, 70 UTF-16 units (UCS-2). The text is the subject, then the link on its own line;
//! when both do not fit, the subject is cut (with "..." in GSM, "…" in UCS-2, as "…" itself is
//! not a GSM character and would turn the whole text into UCS-2) and the link kept whole, unless
//! the link alone leaves no room for words, when it is dropped.

/// The basic GSM 03.38 alphabet (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table (an escape septet, then the character).
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{0c}";

/// Room left for the words when a link is kept: less than this, and the link is dropped.
const MIN_WORDS: usize = 20;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Encoding {
    Gsm,
    Ucs2,
}

impl Encoding {
    fn of(text: &str) -> Encoding {
        match text
            .chars()
            .all(|c| GSM_BASIC.contains(c) || GSM_EXTENDED.contains(c))
        {
            true => Encoding::Gsm,
            false => Encoding::Ucs2,
        }
    }

    fn limit(self) -> usize {
        match self {
            Encoding::Gsm => 160,
            Encoding::Ucs2 => 70,
        }
    }

    fn ellipsis(self) -> &'static str {
        match self {
            Encoding::Gsm => "...",
            Encoding::Ucs2 => "…",
        }
    }

    fn cost(self, c: char) -> usize {
        match self {
            Encoding::Gsm if GSM_EXTENDED.contains(c) => 2,
            Encoding::Gsm => 1,
            Encoding::Ucs2 => c.len_utf16(),
        }
    }

    fn size(self, text: &str) -> usize {
        text.chars().map(|c| self.cost(c)).sum()
    }

    /// The longest start of `text` costing at most `room`, with the ellipsis when cut.
    fn cut(self, text: &str, room: usize) -> String {
        if self.size(text) <= room {
            return text.to_owned();
        }
        let room = room.saturating_sub(self.size(self.ellipsis()));
        let mut used = 0;
        let mut kept: String = text
            .chars()
            .take_while(|c| {
                used += self.cost(*c);
                used <= room
            })
            .collect();
        kept.truncate(kept.trim_end().len());
        kept + self.ellipsis()
    }
}

/// The text of one SMS: `words`, then `link` on its own line, within one segment.
pub fn one_segment(words: &str, link: Option<&str>) -> String {
    let words = words.trim();
    let whole = match link {
        Some(link) => format!("{words}\n{link}"),
        None => words.to_owned(),
    };
    let enc = Encoding::of(&whole);
    let limit = enc.limit();
    if enc.size(&whole) <= limit {
        return whole;
    }
    match link {
        Some(link) if enc.size(link) + 1 + MIN_WORDS <= limit => {
            let room = limit - enc.size(link) - 1;
            format!("{}\n{link}", enc.cut(words, room))
        }
        _ => enc.cut(words, limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str =
        "https://duck.example.com/dashboard/incidents/0193a3c4-0000-7000-8000-000000000001";

    #[test]
    fn a_short_text_is_sent_whole() {
        let text = one_segment("[dutyduck] Incident opened: Shop", Some(LINK));
        assert_eq!(text, format!("[dutyduck] Incident opened: Shop\n{LINK}"));
    }

    #[test]
    fn a_long_gsm_text_is_cut_to_160_septets_keeping_the_link() {
        let words = "Incident opened: ".to_owned() + &"a".repeat(200);
        let text = one_segment(&words, Some(LINK));
        assert_eq!(Encoding::of(&text), Encoding::Gsm);
        assert_eq!(text.chars().count(), 160);
        assert!(text.ends_with(&format!("...\n{LINK}")), "{text}");
    }

    #[test]
    fn extended_characters_count_twice() {
        let text = one_segment(&"€".repeat(100), None);
        assert_eq!(Encoding::Gsm.size(&text), 159);
        assert_eq!(text, "€".repeat(78) + "...");
    }

    #[test]
    fn one_character_outside_gsm_makes_it_70_ucs2_units() {
        // French typography: the narrow no-break space and the curly apostrophe are not GSM.
        let words = "Incident ouvert\u{202f}: l’API de paiement ne répond plus depuis 10 minutes (HTTP 503)";
        let text = one_segment(words, Some(LINK));
        assert_eq!(Encoding::of(&text), Encoding::Ucs2);
        // The link (84 units) leaves no room: dropped, the words cut with "…".
        // 70 units, or 69 when the cut falls after a space (trimmed before the "…").
        assert_eq!(text.encode_utf16().count(), 69, "{text}");
        assert!(text.ends_with('…') && !text.contains("https"), "{text}");
        // Emoji take two UTF-16 units.
        assert_eq!(
            Encoding::Ucs2.size(&one_segment(&"🚨".repeat(50), None)),
            69
        );
    }
}
