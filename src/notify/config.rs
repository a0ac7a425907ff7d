//! What each kind of channel needs, validated, and how its secrets are hidden from readers.
//! Every refusal is a 422 naming the field (`config.url: …`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::ChannelKind;
use crate::error::{Error, Result};
use crate::limits;

/// What a secret reads as for those who may not change the channel, and what the dashboard sends
/// back to mean "keep it".
pub const MASK: &str = "********";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("anyOf" = [
    {"required": ["recipients"], "properties": {"recipients": {"minItems": 1}}},
    {"required": ["allMembers"], "properties": {"allMembers": {"const": true}}},
]))]
pub struct EmailConfig {
    /// Addresses to write to (at least one unless `allMembers`).
    #[serde(default)]
    #[schemars(length(max = limits::LIST), inner(regex(pattern = limits::EMAIL_PATTERN)))]
    pub recipients: Vec<String>,
    /// Also write to every member of the organization.
    #[serde(default)]
    pub all_members: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConfig {
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub url: String,
    /// Extra request headers (an `Authorization` for your receiver, say); not Content-Type,
    /// Content-Length, Host, Idempotency-Key, Transfer-Encoding nor X-Dutyduck-*.
    #[serde(default)]
    #[schemars(schema_with = "webhook_headers_schema")]
    pub headers: BTreeMap<String, String>,
    /// Signs each delivery (HMAC-SHA256, header `X-Dutyduck-Signature`); 16 characters or more.
    #[serde(default)]
    #[schemars(length(min = 16, max = limits::SHORT), regex(pattern = limits::LINE))]
    pub secret: Option<String>,
}

/// Slack and Discord incoming webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatConfig {
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub webhook_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NtfyConfig {
    #[serde(default = "default_ntfy_server")]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub server_url: String,
    /// 1 to 64 letters, digits, '-' or '_'.
    #[schemars(regex(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub topic: String,
    /// An access token for protected topics.
    #[serde(default)]
    #[schemars(length(max = limits::SHORT), regex(pattern = "^[\\x21-\\x7e]+$"))]
    pub token: Option<String>,
}

/// Headers a webhook's extra headers may not override.
const RESERVED_HEADERS: [&str; 5] = [
    "content-type",
    "content-length",
    "host",
    "idempotency-key",
    "transfer-encoding",
];

/// `limits::headers_schema`, without the reserved names (as a pattern: names starting with an
/// `x` other than `x-dutyduck-`, or with another letter than those of the reserved ones).
fn webhook_headers_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = limits::headers_schema(generator);
    schema.insert("type".into(), "object".into());
    schema.insert(
        "propertyNames".into(),
        serde_json::json!({"maxLength": limits::HEADER_NAME, "pattern": "^[Xx]-[A-Za-z0-9-]{1,40}$", "not": {"pattern": "^[Xx]-[Dd][Uu][Tt][Yy][Dd][Uu][Cc][Kk]-"}}),
    );
    schema
}

fn default_ntfy_server() -> String {
    "https://ntfy.sh".to_owned()
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChannelConfig {
    Email(EmailConfig),
    Webhook(WebhookConfig),
    Slack(ChatConfig),
    Discord(ChatConfig),
    Ntfy(NtfyConfig),
}

fn parse<T: DeserializeOwned + JsonSchema>(value: &Value) -> Result<T> {
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

fn check_url(field: &str, raw: &str) -> Result<()> {
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

/// `scheme://host/********`: webhook URLs of Slack and Discord carry their secret in the path.
fn mask_url(raw: &str) -> String {
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

fn keep(new: &mut String, old: &str) {
    if new.contains(MASK) {
        *new = old.to_owned();
    }
}

impl ChannelConfig {
    /// Parses and validates the `config` of a channel of `kind`.
    pub fn parse(kind: ChannelKind, value: &Value) -> Result<ChannelConfig> {
        let config = match kind {
            ChannelKind::Email => ChannelConfig::Email(parse(value)?),
            ChannelKind::Webhook => ChannelConfig::Webhook(parse(value)?),
            ChannelKind::Slack => ChannelConfig::Slack(parse(value)?),
            ChannelKind::Discord => ChannelConfig::Discord(parse(value)?),
            ChannelKind::Ntfy => ChannelConfig::Ntfy(parse(value)?),
        };
        Ok(config)
    }

    /// Checks the values; run after `keep_secrets_from`, so a kept secret is checked too.
    pub fn validate(&self) -> Result<()> {
        match self {
            ChannelConfig::Email(c) => {
                limits::count("config.recipients", c.recipients.len(), limits::LIST)?;
                if c.recipients.is_empty() && !c.all_members {
                    return Err(Error::invalid_field(
                        "config.recipients",
                        "list at least one address, or set allMembers",
                    ));
                }
                for (i, r) in c.recipients.iter().enumerate() {
                    r.trim().parse::<lettre::Address>().map_err(|e| {
                        Error::invalid_field(
                            &format!("config.recipients[{i}]"),
                            format!("{r:?} is not an e-mail address: {e}"),
                        )
                    })?;
                }
            }
            ChannelConfig::Webhook(c) => {
                check_url("config.url", &c.url)?;
                limits::count("config.headers", c.headers.len(), limits::HEADERS)?;
                for (name, value) in &c.headers {
                    if !limits::is_header(name, value) {
                        return Err(Error::invalid_field(
                            &format!("config.headers.{name}"),
                            "is not a valid HTTP header",
                        ));
                    }
                    let lower = name.to_ascii_lowercase();
                    if RESERVED_HEADERS.contains(&lower.as_str())
                        || lower.starts_with("x-dutyduck-")
                    {
                        return Err(Error::invalid_field(
                            &format!("config.headers.{name}"),
                            "is set by dutyduck itself",
                        ));
                    }
                }
                if let Some(secret) = &c.secret {
                    if secret.len() < 16 {
                        return Err(Error::invalid_field(
                            "config.secret",
                            "must be at least 16 characters",
                        ));
                    }
                    limits::line("config.secret", secret, limits::SHORT)?;
                }
            }
            ChannelConfig::Slack(c) | ChannelConfig::Discord(c) => {
                check_url("config.webhookUrl", &c.webhook_url)?
            }
            ChannelConfig::Ntfy(c) => {
                check_url("config.serverUrl", &c.server_url)?;
                if let Some(token) = &c.token {
                    limits::line("config.token", token, limits::SHORT)?;
                }
                let bearer = c.token.as_ref().map(|t| format!("Bearer {t}"));
                if bearer.is_some_and(|b| warp::http::HeaderValue::from_str(&b).is_err()) {
                    return Err(Error::invalid_field(
                        "config.token",
                        "must be printable characters without line breaks",
                    ));
                }
                let topic = c.topic.trim();
                if topic.is_empty()
                    || topic.len() > 64
                    || !topic
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
                {
                    return Err(Error::invalid_field(
                        "config.topic",
                        "1 to 64 letters, digits, '-' or '_'",
                    ));
                }
            }
        }
        Ok(())
    }

    /// A config sent back with masked secrets keeps the stored ones.
    pub fn keep_secrets_from(&mut self, old: &ChannelConfig) {
        match (self, old) {
            (ChannelConfig::Webhook(new), ChannelConfig::Webhook(old)) => {
                if let (Some(n), Some(o)) = (new.secret.as_mut(), old.secret.as_deref()) {
                    keep(n, o);
                }
                for (name, value) in new.headers.iter_mut() {
                    if let Some(o) = old.headers.get(name) {
                        keep(value, o);
                    }
                }
            }
            (ChannelConfig::Slack(new), ChannelConfig::Slack(old))
            | (ChannelConfig::Discord(new), ChannelConfig::Discord(old)) => {
                keep(&mut new.webhook_url, &old.webhook_url)
            }
            (ChannelConfig::Ntfy(new), ChannelConfig::Ntfy(old)) => {
                if let (Some(n), Some(o)) = (new.token.as_mut(), old.token.as_deref()) {
                    keep(n, o);
                }
            }
            _ => {}
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            ChannelConfig::Email(c) => serde_json::to_value(c),
            ChannelConfig::Webhook(c) => serde_json::to_value(c),
            ChannelConfig::Slack(c) | ChannelConfig::Discord(c) => serde_json::to_value(c),
            ChannelConfig::Ntfy(c) => serde_json::to_value(c),
        }
        .expect("configs serialize")
    }

    /// The config with its secrets hidden: webhook secret and header values, chat webhook
    /// paths, ntfy token.
    pub fn masked(&self) -> Value {
        let mut masked = self.clone();
        match &mut masked {
            ChannelConfig::Webhook(c) => {
                if c.secret.is_some() {
                    c.secret = Some(MASK.to_owned());
                }
                c.headers.values_mut().for_each(|v| *v = MASK.to_owned());
            }
            ChannelConfig::Slack(c) | ChannelConfig::Discord(c) => {
                c.webhook_url = mask_url(&c.webhook_url)
            }
            ChannelConfig::Ntfy(c) => {
                if c.token.is_some() {
                    c.token = Some(MASK.to_owned());
                }
            }
            ChannelConfig::Email(_) => {}
        }
        masked.to_value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(kind: ChannelKind, config: Value) -> Result<ChannelConfig> {
        let c = ChannelConfig::parse(kind, &config)?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn refusals_name_the_field() {
        use ChannelKind::*;
        let cases = [
            (Email, json!({}), "config.recipients"),
            (
                Email,
                json!({"recipients": ["not an address"]}),
                "config.recipients[0]",
            ),
            (Webhook, json!({"url": "ftp://x"}), "config.url"),
            (Webhook, json!({}), "config: missing field `url`"),
            (
                Webhook,
                json!({"url": "http://x", "secret": "short"}),
                "config.secret",
            ),
            (
                Webhook,
                json!({"url": "http://x", "headers": {"bad name": "v"}}),
                "config.headers",
            ),
            (Slack, json!({"webhookUrl": "nope"}), "config.webhookUrl"),
            (Ntfy, json!({"topic": "a b"}), "config.topic"),
            (
                Ntfy,
                json!({"topic": "ok", "token": "a\nb"}),
                "config.token",
            ),
            (
                Webhook,
                json!({"url": "http://x", "headers": {"X-Dutyduck-Event": "x"}}),
                "config.headers",
            ),
            (
                Webhook,
                json!({"url": "http://x", "headers": {"content-type": "a/b"}}),
                "config.headers",
            ),
        ];
        for (kind, config, field) in cases {
            let e = check(kind, config.clone()).unwrap_err();
            assert!(e.message.starts_with(field), "{config}: {}", e.message);
        }
        assert!(check(Email, json!({"allMembers": true})).is_ok());
        assert!(check(Ntfy, json!({"topic": "ops-alerts"})).is_ok());
    }

    #[test]
    fn secrets_are_masked_and_kept_when_sent_back_masked() {
        let stored = check(
            ChannelKind::Webhook,
            json!({"url": "https://hooks.example.com/in", "secret": "0123456789abcdef",
                   "headers": {"Authorization": "Bearer xyz"}}),
        )
        .unwrap();
        let shown = stored.masked();
        assert_eq!(shown["secret"], MASK);
        assert_eq!(shown["headers"]["Authorization"], MASK);
        let mut edited = ChannelConfig::parse(ChannelKind::Webhook, &shown).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);

        let slack = check(
            ChannelKind::Slack,
            json!({"webhookUrl": "https://hooks.slack.com/services/T0/B0/secret"}),
        )
        .unwrap();
        assert_eq!(
            slack.masked()["webhookUrl"],
            "https://hooks.slack.com/********"
        );
    }
}
