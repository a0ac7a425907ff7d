//! Mattermost incoming webhooks: `text` (what notifications show), and one attachment (a
//! coloured border, the subject linking to the incident, the text in Markdown).

use serde_json::{Value, json};

use super::shared::{news_colour, truncate, defuse_markdown};
use super::{ChatConfig, Envelope, HttpRequest, Kind, Outgoing};

pub struct Mattermost;

impl Kind for Mattermost {
    type Config = ChatConfig;

    fn outgoing(c: &ChatConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        Outgoing::Http(HttpRequest::post_json(&c.webhook_url, &payload(e)))
    }
}

/// Mattermost's posts hold at most 16,383 characters; the attachment's text is cut well below,
/// as it is also shown collapsed.
fn payload(e: &Envelope<'_>) -> Value {
    let mut attachment = json!({
        "fallback": truncate(&defuse_markdown(&e.message.subject), 1_000),
        "color": news_colour(e.event),
        "title": truncate(&defuse_markdown(&e.message.subject), 1_000),
        "text": truncate(&defuse_markdown(&e.message.text), 8_000),
    });
    if let Some(link) = &e.message.link {
        attachment["title_link"] = json!(link);
    }
    json!({
        "text": truncate(&defuse_markdown(&e.message.subject), 16_383),
        "username": "dutyduck",
        "attachments": [attachment],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};

    #[test]
    fn a_text_and_one_attachment_linking_to_the_incident() {
        let m = message();
        let p = payload(&envelope(&m, None));
        assert_eq!((&p["text"], &p["username"]), (&json!(m.subject), &json!("dutyduck")));
        let a = &p["attachments"][0];
        assert_eq!(a["title_link"], m.link.clone().unwrap());
        assert_eq!((&a["fallback"], &a["color"]), (&json!(m.subject), &json!("#d1242f")));
        // The fixture's `<b>` is defused (a zero-width space after `<`).
        assert_eq!(a["text"], defuse_markdown(&m.text));
    }
}
