//! Rocket.Chat incoming webhooks (integrations of the "incoming" type, script off): `text` and
//! one attachment with a title linking to the incident, the message's text and a colour.

use serde_json::{Value, json};

use super::shared::{news_colour, truncate, defuse_markdown};
use super::{ChatConfig, Envelope, HttpRequest, Kind, Outgoing};

pub struct RocketChat;

impl Kind for RocketChat {
    type Config = ChatConfig;

    fn outgoing(c: &ChatConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        Outgoing::Http(HttpRequest::post_json(&c.webhook_url, &payload(e)))
    }
}

/// Rocket.Chat's default message size limit is 5,000 characters (`Message_MaxAllowedSize`):
/// subject and text together stay under it.
fn payload(e: &Envelope<'_>) -> Value {
    let mut attachment = json!({
        "title": truncate(&defuse_markdown(&e.message.subject), 500),
        "text": truncate(&defuse_markdown(&e.message.text), 4_000),
        "color": news_colour(e.event),
    });
    if let Some(link) = &e.message.link {
        attachment["title_link"] = json!(link);
    }
    json!({"text": truncate(&defuse_markdown(&e.message.subject), 500), "attachments": [attachment]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};

    #[test]
    fn a_text_and_one_attachment_with_title_link_text_and_colour() {
        let m = message();
        let p = payload(&envelope(&m, None));
        assert_eq!(p["text"], m.subject);
        let a = &p["attachments"][0];
        assert_eq!(a["title"], m.subject);
        assert_eq!(a["title_link"], m.link.clone().unwrap());
        assert_eq!((&a["text"], &a["color"]), (&json!(defuse_markdown(&m.text)), &json!("#d1242f")));
    }
}
