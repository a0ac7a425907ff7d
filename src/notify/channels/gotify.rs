//! Gotify: `POST /message` on the user's server with an application token in `X-Gotify-Key`,
//! JSON `{title, message, priority, extras}`. Its apps ring at priority 8 and above, sound at
//! 4 to 7, and show quietly below.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::provider::{check_pattern, mask};
use super::shared::{check_url, good_news, keep, truncate};
use super::{Envelope, HttpRequest, Kind, KindConfig, Outgoing};
use crate::error::Result;
use crate::incidents::model::Priority;
use crate::limits;

pub struct Gotify;

/// Gotify's application tokens (`A…`, 15 characters today): printable, no spaces.
const TOKEN: &str = "^[A-Za-z0-9._~-]{1,200}$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GotifyConfig {
    /// Your Gotify server (`https://gotify.example.com`).
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub url: String,
    /// An application's token (Apps → Create application).
    #[schemars(regex(pattern = TOKEN))]
    pub app_token: String,
}

impl KindConfig for GotifyConfig {
    fn validate(&self) -> Result<()> {
        check_url("config.url", &self.url)?;
        let what = "an application token: letters, digits, '.', '_', '~' or '-'";
        check_pattern("config.appToken", &self.app_token, TOKEN, what)
    }

    fn mask(&mut self) {
        mask(&mut self.app_token);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.app_token, &old.app_token);
    }
}

impl Kind for Gotify {
    type Config = GotifyConfig;

    fn outgoing(c: &GotifyConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let url = format!("{}/message", c.url.trim().trim_end_matches('/'));
        Outgoing::Http(
            HttpRequest::post_json(&url, &payload(e)).header("X-Gotify-Key", c.app_token.clone()),
        )
    }
}

fn payload(e: &Envelope<'_>) -> Value {
    let priority = match (good_news(e.event), e.incident.map(|i| i.priority)) {
        (true, _) => 2,
        (false, Some(Priority::Emergency | Priority::Critical | Priority::Major) | None) => 8,
        (false, Some(Priority::Minor | Priority::Warning)) => 5,
        (false, Some(Priority::Notice)) => 2,
    };
    let mut body = json!({
        "title": truncate(&e.message.subject, 250),
        "message": truncate(&e.message.text, 4000),
        "priority": priority,
        "extras": {"client::display": {"contentType": "text/plain"}},
    });
    if let Some(link) = &e.message.link {
        // Opening the notification opens the incident (Gotify's Android app).
        body["extras"]["client::notification"] = json!({"click": {"url": link}});
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, facts, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};

    #[test]
    fn a_message_with_the_key_in_its_header() {
        let c = GotifyConfig {
            url: "https://push.example.com/".into(),
            app_token: "AzYzjRc3Vh5.hLe".into(),
        };
        let (m, i) = (message(), facts());
        let Outgoing::Http(r) = Gotify::outgoing(&c, &envelope(&m, Some(&i)), &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(r.url, "https://push.example.com/message");
        assert_eq!(r.headers, [("X-Gotify-Key".into(), "AzYzjRc3Vh5.hLe".into())]);
        let body = r.json();
        assert_eq!((body["title"].as_str(), body["priority"].as_u64()), (Some(m.subject.as_str()), Some(8)));
        assert_eq!(body["extras"]["client::notification"]["click"]["url"], m.link.unwrap());
    }

    #[test]
    fn the_token_is_a_secret_and_checked() {
        let config = json!({"url": "https://push.example.com", "appToken": "AzYzjRc3Vh5hLe"});
        let stored = ChannelConfig::parse(ChannelKind::Gotify, &config).unwrap();
        let mut edited = ChannelConfig::parse(ChannelKind::Gotify, &stored.masked()).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
        let bad = json!({"url": "https://push.example.com", "appToken": "a b"});
        let e = ChannelConfig::parse(ChannelKind::Gotify, &bad).unwrap().validate().unwrap_err();
        assert!(e.message.starts_with("config.appToken"), "{}", e.message);
    }
}
