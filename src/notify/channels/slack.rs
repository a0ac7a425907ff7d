//! Slack incoming webhooks: `text` (the notification fallback) and one mrkdwn section.

use serde_json::{Value, json};

use super::shared::truncate;
use super::{ChatConfig, Envelope, HttpRequest, Kind, Outgoing};

pub struct Slack;

impl Kind for Slack {
    type Config = ChatConfig;

    fn outgoing(c: &ChatConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        Outgoing::Http(HttpRequest::post_json(&c.webhook_url, &payload(e)))
    }
}

fn payload(e: &Envelope<'_>) -> Value {
    // Slack refuses a section over 3,000 characters: keep the start (headline and cause).
    let body = truncate(&e.message.text, 2_800)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    json!({
        "text": e.message.subject,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*\n{body}", e.message.subject)}}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};

    #[test]
    fn a_fallback_text_and_a_mrkdwn_section_with_its_characters_escaped() {
        let m = message();
        let s = payload(&envelope(&m, None));
        assert_eq!(s["text"], m.subject);
        assert_eq!(s["blocks"][0]["text"]["type"], "mrkdwn");
        let section = s["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(section.ends_with("&lt;b&gt;"), "{section}");
    }

    #[test]
    fn the_webhook_path_is_a_secret() {
        let config = json!({"webhookUrl": "https://hooks.slack.com/services/T0/B0/secret"});
        let slack = ChannelConfig::parse(ChannelKind::Slack, &config).unwrap();
        assert_eq!(
            slack.masked()["webhookUrl"],
            "https://hooks.slack.com/********"
        );
        let mut edited = ChannelConfig::parse(ChannelKind::Slack, &slack.masked()).unwrap();
        edited.keep_secrets_from(&slack);
        assert_eq!(edited, slack);
    }
}
