//! Telegram bots: `sendMessage` (Bot API) to one chat, in the HTML parse mode. The bot token is
//! in the URL's path (`/bot<token>/sendMessage`): a secret, which `send.rs` never quotes.
//! `apiUrl` points at a self-hosted Bot API server (or a test's receiver).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::provider::{base_url, check_pattern, escape_html, mask};
use super::shared::{check_url, keep, truncate};
use super::{Envelope, HttpRequest, Kind, KindConfig, Outgoing};
use crate::error::Result;
use crate::limits;

pub struct Telegram;

/// BotFather's tokens: the bot's number, a colon, then letters, digits, `_` or `-`.
const TOKEN: &str = "^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$";
/// A chat's number (negative for groups and channels) or a public channel's `@username`.
const CHAT: &str = "^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$";
/// `sendMessage` refuses a text over 4,096 characters (counted after parsing the markup).
const MAX_TEXT: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TelegramConfig {
    /// The token BotFather gave the bot (`123456:ABC-…`).
    #[schemars(regex(pattern = TOKEN))]
    pub bot_token: String,
    /// The chat's id (`-100…` for a group or channel) or a public channel's `@username`; the
    /// bot must be a member.
    #[schemars(regex(pattern = CHAT))]
    pub chat_id: String,
    /// Your own Bot API server (`telegram-bot-api`); none: `https://api.telegram.org`.
    #[serde(default)]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub api_url: Option<String>,
}

/// Where requests go without an `apiUrl`.
const DEFAULT_API_URL: &str = "https://api.telegram.org";

impl KindConfig for TelegramConfig {
    fn validate(&self) -> Result<()> {
        check_pattern(
            "config.botToken",
            &self.bot_token,
            TOKEN,
            "a bot token from BotFather (digits, ':', then letters, digits, '_' or '-')",
        )?;
        check_pattern(
            "config.chatId",
            &self.chat_id,
            CHAT,
            "a chat id (digits, '-' first for groups) or a channel's @username",
        )?;
        match &self.api_url {
            Some(url) => check_url("config.apiUrl", url),
            None => Ok(()),
        }
    }

    fn mask(&mut self) {
        mask(&mut self.bot_token);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.bot_token, &old.bot_token);
    }
}

impl Kind for Telegram {
    type Config = TelegramConfig;

    fn outgoing(c: &TelegramConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let url = format!(
            "{}/bot{}/sendMessage",
            base_url(&c.api_url, DEFAULT_API_URL),
            c.bot_token
        );
        Outgoing::Http(HttpRequest::post_json(&url, &payload(&c.chat_id, e)))
    }
}

/// The subject in bold, then the text (which ends with the link: Telegram makes it clickable).
fn payload(chat_id: &str, e: &Envelope<'_>) -> Value {
    let subject = truncate(&e.message.subject, 256);
    // Cut before escaping: the limit counts the characters shown, not the entities.
    let room = MAX_TEXT - subject.chars().count() - 1;
    let text = truncate(&e.message.text, room);
    json!({
        "chat_id": chat_id,
        "text": format!("<b>{}</b>\n{}", escape_html(&subject), escape_html(&text)),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": true},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};

    const TOKEN_VALUE: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    #[test]
    fn send_message_in_html_with_the_markup_escaped() {
        let c = TelegramConfig {
            bot_token: TOKEN_VALUE.into(),
            chat_id: "-1001234567890".into(),
            api_url: Some("https://tg.example.com/".into()),
        };
        let mut m = message();
        let Outgoing::Http(r) = Telegram::outgoing(&c, &envelope(&m, None), &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(
            r.url,
            format!("https://tg.example.com/bot{TOKEN_VALUE}/sendMessage")
        );
        let body = r.json();
        assert_eq!(body["chat_id"], "-1001234567890");
        assert_eq!(body["parse_mode"], "HTML");
        let text = body["text"].as_str().unwrap();
        assert!(text.starts_with("<b>[dutyduck] Incident opened: Shop</b>\n"));
        assert!(text.contains("(HTTP 503) &lt;b&gt;"), "{text}");

        m.text = "&".repeat(10_000);
        let Outgoing::Http(r) = Telegram::outgoing(&c, &envelope(&m, None), &[]) else {
            panic!("an HTTP request");
        };
        let text = r.json()["text"].as_str().unwrap().to_owned();
        let shown = text.replace("&amp;", "&").replace("<b>", "").replace("</b>", "");
        assert_eq!(shown.chars().count(), MAX_TEXT);
    }

    #[test]
    fn the_token_is_a_secret() {
        let config = json!({"botToken": TOKEN_VALUE, "chatId": "@dutyduck_ops"});
        let stored = ChannelConfig::parse(ChannelKind::Telegram, &config).unwrap();
        stored.validate().unwrap();
        assert_eq!(stored.masked()["botToken"], "********");
        assert_eq!(stored.masked()["apiUrl"], Value::Null);
        let mut edited = ChannelConfig::parse(ChannelKind::Telegram, &stored.masked()).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
    }
}
