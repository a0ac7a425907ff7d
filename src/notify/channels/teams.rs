//! Microsoft Teams, through a Power Automate "workflow" webhook ("Post to a channel when a
//! webhook request is received"): a message whose one attachment is an Adaptive Card. The
//! workflow URL carries its signature (`sig=`) in the query, so the whole URL is a secret
//! (`ChatConfig` masks everything after the host).

use serde_json::{Value, json};

use super::shared::{good_news, truncate, defuse_markdown};
use super::{ChatConfig, Envelope, HttpRequest, Kind, Outgoing};

pub struct Teams;

impl Kind for Teams {
    type Config = ChatConfig;

    fn outgoing(c: &ChatConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        Outgoing::Http(HttpRequest::post_json(&c.webhook_url, &payload(e)))
    }
}

/// The Adaptive Card 1.4 (the version Teams renders everywhere, mobile included): the subject
/// in bold, coloured by the news, the text, and a button opening the incident.
fn card(e: &Envelope<'_>) -> Value {
    let colour = if good_news(e.event) {
        "Good"
    } else {
        "Attention"
    };
    // Teams refuses a message over about 28 KB: 6,000 characters stay under it even when each
    // takes 4 bytes of UTF-8.
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": truncate(&defuse_markdown(&e.message.subject), 500), "weight": "Bolder",
             "size": "Medium", "color": colour, "wrap": true},
            {"type": "TextBlock", "text": truncate(&defuse_markdown(&e.message.text), 6_000), "wrap": true},
        ],
    });
    if let Some(link) = &e.message.link {
        card["actions"] = json!([{"type": "Action.OpenUrl", "title": "dutyduck", "url": link}]);
    }
    card
}

fn payload(e: &Envelope<'_>) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card(e),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};

    #[test]
    fn a_message_with_one_adaptive_card_and_a_button_to_the_incident() {
        let m = message();
        let p = payload(&envelope(&m, None));
        assert_eq!(p["type"], "message");
        let attachment = &p["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachment["content"];
        assert_eq!((&card["type"], &card["version"]), (&json!("AdaptiveCard"), &json!("1.4")));
        assert_eq!(card["body"][0]["text"], m.subject);
        assert_eq!(card["body"][0]["color"], "Attention");
        assert_eq!(card["body"][1]["text"], defuse_markdown(&m.text));
        assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
        assert_eq!(card["actions"][0]["url"], m.link.clone().unwrap());
    }

    #[test]
    fn a_long_text_stays_under_the_size_teams_takes() {
        let mut m = message();
        m.text = "é".repeat(50_000);
        let p = serde_json::to_vec(&payload(&envelope(&m, None))).unwrap();
        assert!(p.len() < 28 * 1024, "{} bytes", p.len());
    }

    #[test]
    fn the_workflow_url_with_its_signature_is_a_secret() {
        let url = "https://prod-00.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t";
        let teams =
            ChannelConfig::parse(ChannelKind::Teams, &json!({"webhookUrl": url})).unwrap();
        let shown = teams.masked();
        assert!(!shown.to_string().contains("s3cr3t"), "{shown}");
        let mut edited = ChannelConfig::parse(ChannelKind::Teams, &shown).unwrap();
        edited.keep_secrets_from(&teams);
        assert_eq!(edited, teams);
    }
}
