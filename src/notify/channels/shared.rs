//! What several kinds use: reading a `config`, checking a URL, hiding and keeping secrets,
//! the incoming-webhook config of chat services, and cutting texts to a receiver's limits.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::model::NotificationEvent;
use crate::error::{Error, Result};
use crate::limits;

/// What a secret reads as for those who may not change the channel, and what the dashboard sends
/// back to mean "keep it".
pub const MASK: &str = "********";

/// Slack and Discord incoming webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatConfig {
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub webhook_url: String,
}

impl super::KindConfig for ChatConfig {
    fn validate(&self) -> Result<()> {
        check_url("config.webhookUrl", &self.webhook_url)
    }

    /// The webhook URL carries its secret in the path.
    fn mask(&mut self) {
        self.webhook_url = mask_path(&self.webhook_url);
    }

    fn keep_secrets(&mut self, old: &ChatConfig) {
        keep(&mut self.webhook_url, &old.webhook_url);
    }
}

/// Parses a kind's config; refuses fields it does not declare. Every refusal names its field.
pub fn parse<T: DeserializeOwned + JsonSchema>(value: &Value) -> Result<T> {
    crate::http::known_fields::check::<T>(value, "config.")?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "config".to_owned()
        } else {
            format!("config.{path}")
        };
        Error::invalid_field(&field, e.into_inner())
    })
}

/// An http:// or https:// URL with a host, on one line.
pub fn check_url(field: &str, raw: &str) -> Result<()> {
    // Before parsing: the URL parser would drop tabs and line breaks silently.
    limits::line(field, raw, limits::URL)?;
    match url::Url::parse(raw.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        Ok(_) => Err(Error::invalid_field(
            field,
            "must be an http:// or https:// URL",
        )),
        Err(e) => Err(Error::invalid_field(
            field,
            format!("{raw:?} is not a URL: {e}"),
        )),
    }
}

/// `scheme://host/********`: for URLs that carry their secret in the path.
pub fn mask_path(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) => match u.port() {
            Some(port) => format!(
                "{}://{}:{port}/{MASK}",
                u.scheme(),
                u.host_str().unwrap_or("")
            ),
            None => format!("{}://{}/{MASK}", u.scheme(), u.host_str().unwrap_or("")),
        },
        Err(_) => MASK.to_owned(),
    }
}

/// A value sent back masked becomes the stored one again.
pub fn keep(new: &mut String, old: &str) {
    if new.contains(MASK) {
        *new = old.to_owned();
    }
}

/// The same for an optional secret (a token, a signing secret).
pub fn keep_optional(new: &mut Option<String>, old: &Option<String>) {
    if let (Some(n), Some(o)) = (new.as_mut(), old.as_deref()) {
        keep(n, o);
    }
}

/// Hides an optional secret, leaving "none" visible as such.
pub fn mask_optional(secret: &mut Option<String>) {
    if secret.is_some() {
        *secret = Some(MASK.to_owned());
    }
}

/// Resolved, acknowledged and test messages (green, calm) versus the others (red, urgent).
pub fn good_news(event: NotificationEvent) -> bool {
    matches!(
        event,
        NotificationEvent::Resolved | NotificationEvent::Acknowledged | NotificationEvent::Test
    )
}

/// The colour of a message's border in chat services taking hex colours: green for good news.
pub fn news_colour(event: NotificationEvent) -> &'static str {
    match good_news(event) {
        true => "#2ea043",
        false => "#d1242f",
    }
}

/// The first `max_chars` characters: receivers refuse or cut longer texts.
pub fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// An envelope and the facts it points at, for the kinds' tests.
/// `text` (a monitor's name, a failure's cause: anyone's words) made unable to act in a chat
/// that reads Markdown: a zero-width space after each `@` (no `@channel`, `@all` or `@here`
/// pinging a whole team), inside each `](` (no `[Reset your password](https://…)` link under
/// other words) and after each `<` (no `<https://…|words>` or `<!here>`). Invisible to readers;
/// the text reads the same.
pub fn defuse_markdown(text: &str) -> String {
    const ZWSP: char = '\u{200B}';
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous = '\0';
    for c in text.chars() {
        if previous == ']' && c == '(' {
            out.push(ZWSP);
        }
        out.push(c);
        if c == '@' || c == '<' {
            out.push(ZWSP);
        }
        previous = c;
    }
    out
}

#[cfg(test)]
pub mod fixtures {
    use super::super::Envelope;
    use crate::incidents::model::{IncidentStatus, Priority, SourceType};
    use crate::notify::message::{IncidentFacts, Message};
    use crate::notify::model::NotificationEvent;

    pub fn message() -> Message {
        Message {
            subject: "[dutyduck] Incident opened: Shop".into(),
            text: "Incident opened: Shop\nhttps://shop.example.com/ is down (HTTP 503) <b>".into(),
            link: Some("https://duck.example.com/dashboard/incidents/i1".into()),
        }
    }

    pub fn facts() -> IncidentFacts {
        IncidentFacts {
            id: "i1".into(),
            title: "Shop".into(),
            status: IncidentStatus::Ongoing,
            priority: Priority::Major,
            source_type: SourceType::HttpMonitor,
            source_id: Some("m1".into()),
            source_name: Some("Shop".into()),
            source_url: Some("https://shop.example.com/".into()),
            cause: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            resolved_at: None,
            acknowledged_by: vec![],
            source_exists: true,
        }
    }

    /// An "opened" notification of delivery `0193a3c4-…-000000000001` at the Unix epoch.
    pub fn envelope<'a>(message: &'a Message, incident: Option<&'a IncidentFacts>) -> Envelope<'a> {
        Envelope {
            delivery: "0193a3c4-0000-7000-8000-000000000001".parse().unwrap(),
            event: NotificationEvent::Opened,
            occurred_at: chrono::DateTime::UNIX_EPOCH,
            organization: "Acme",
            message,
            incident,
            digest: &[],
            recipient: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_cannot_ping_a_team_nor_hide_a_link_in_a_chat() {
        let cases = [
            ("@channel disk full", "@\u{200B}channel disk full"),
            (
                "[Reset your password](https://evil.example)",
                "[Reset your password]\u{200B}(https://evil.example)",
            ),
            (
                "<!here> <https://x|y>",
                "<\u{200B}!here> <\u{200B}https://x|y>",
            ),
            ("Shop: HTTP 503 (down)", "Shop: HTTP 503 (down)"),
        ];
        for (text, defused) in cases {
            assert_eq!(super::defuse_markdown(text), defused, "{text}");
        }
    }
}
