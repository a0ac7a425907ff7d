//! Discord webhooks: one embed, green for good news and red otherwise.

use chrono::SecondsFormat;
use serde_json::{Value, json};

use super::shared::{good_news, truncate};
use super::{ChatConfig, Envelope, HttpRequest, Kind, Outgoing};

pub struct Discord;

impl Kind for Discord {
    type Config = ChatConfig;

    fn outgoing(c: &ChatConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        Outgoing::Http(HttpRequest::post_json(&c.webhook_url, &payload(e)))
    }
}

fn payload(e: &Envelope<'_>) -> Value {
    let color = if good_news(e.event) {
        0x2e_a0_43
    } else {
        0xd1_24_2f
    };
    let mut embed = json!({
        "title": truncate(&e.message.subject, 256),
        "description": truncate(&e.message.text, 4096),
        "color": color,
        "timestamp": e.occurred_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(link) = &e.message.link {
        embed["url"] = json!(link);
    }
    json!({"username": "dutyduck", "embeds": [embed]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};

    #[test]
    fn one_embed_with_title_description_url_and_colour() {
        let m = message();
        let d = payload(&envelope(&m, None));
        assert_eq!(d["embeds"][0]["title"], m.subject);
        assert_eq!(d["embeds"][0]["url"], m.link.clone().unwrap());
        assert_eq!(d["embeds"][0]["color"], 0xd1_24_2f);
    }
}
