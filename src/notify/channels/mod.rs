//! Notification channels, one file per kind. A kind says what its `config` is (its schema is the
//! one `/openapi.json` shows), how it is checked, how its secrets are hidden and kept, and what to
//! send for one notification (`Outgoing`: an HTTP request or an e-mail). Sending it (timeouts,
//! reading a refusal, SMTP) is `send.rs`'s job; the words are `message.rs`'s.
//!
//! `channels!` below is the one list of kinds: `ChannelKind`, `ChannelConfig`, the OpenAPI
//! `oneOf` and the "kind is required: …" message all come from it. Adding a kind is a file here
//! and a line there (see src/notify/channels/how-to-add-a-channel.md).

mod provider;
mod shared;
mod sms_text;
pub mod webhook_template;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::message::{IncidentFacts, Message};
use super::model::NotificationEvent;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{DeliveryId, UserId};

pub(super) use shared::truncate;
pub use shared::{ChatConfig, MASK};

/// A kind's `config` as the API takes and shows it (camelCase; its doc comments are the
/// OpenAPI descriptions). Fields it does not declare are refused.
pub trait KindConfig:
    Serialize + DeserializeOwned + JsonSchema + Clone + PartialEq + std::fmt::Debug
{
    /// Checks the values serde accepted; a refusal names the field (`config.url: …`). Runs after
    /// `keep_secrets`, so a kept secret is checked too.
    fn validate(&self) -> Result<()>;

    /// Hides every secret (with `MASK`) from those who may not change the channel.
    fn mask(&mut self);

    /// A config sent back with masked secrets keeps the stored ones (`shared::keep`).
    fn keep_secrets(&mut self, old: &Self);
}

/// One kind of channel. Implemented by a unit struct in the kind's own file.
pub trait Kind {
    type Config: KindConfig;

    /// What to send for one notification; `members` are the organization's addresses.
    fn outgoing(config: &Self::Config, e: &Envelope<'_>, members: &[String]) -> Outgoing;
}

/// One notification, ready to send.
pub struct Envelope<'a> {
    pub delivery: DeliveryId,
    pub event: NotificationEvent,
    /// When the change happened (the outbox row's creation).
    pub occurred_at: Timestamp,
    pub organization: &'a str,
    pub message: &'a Message,
    pub incident: Option<&'a IncidentFacts>,
    /// A storm's digest: the incidents it tells (empty for one incident or a test).
    pub digest: &'a [IncidentFacts],
    /// The one member this notification is addressed to (an escalation step naming members):
    /// kinds reaching a person send to them only; others ignore it.
    pub recipient: Option<&'a Recipient>,
}

/// A member a notification is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user: UserId,
    pub email: String,
    pub phone: Option<String>,
}

/// What a kind sends for one notification.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    Http(HttpRequest),
    /// The message's subject and text, through the instance's SMTP relay.
    Email {
        to: Vec<String>,
    },
    /// Several requests for one notification (an SMS per number): sent in turn, and the
    /// delivery succeeds only when each does (a retry sends them all again).
    HttpMany(Vec<HttpRequest>),
    /// To browsers where members turned notifications on (`notify::push`); `None`: every member
    /// of the organization.
    WebPush {
        users: Option<Vec<crate::ids::UserId>>,
    },
}

/// One HTTP request; its answer is a success (2xx) or a refusal quoted in the error.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub content_type: &'static str,
    /// Sent after `Content-Type`, in this order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A POST of `body` as JSON.
    pub fn post_json(url: &str, body: &Value) -> HttpRequest {
        HttpRequest {
            method: reqwest::Method::POST,
            url: url.to_owned(),
            content_type: "application/json",
            headers: Vec::new(),
            body: serde_json::to_vec(body).expect("payload serializes"),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The body as JSON (for tests).
    #[cfg(test)]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// The list of kinds: `module::Marker => "name"`, with the kind's doc comment.
macro_rules! channels {
    ($($(#[$doc:meta])* $module:ident::$kind:ident => $name:literal,)*) => {
        $(pub mod $module;)*

        crate::text_enum::text_enum!(ChannelKind { $($(#[$doc])* $kind => $name,)* });

        /// A channel's parsed and typed `config`.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ChannelConfig {
            $($kind(<$module::$kind as Kind>::Config),)*
        }

        impl ChannelConfig {
            /// Parses the `config` of a channel of `kind` (its shape only: see `validate`).
            pub fn parse(kind: ChannelKind, value: &Value) -> Result<ChannelConfig> {
                Ok(match kind {
                    $(ChannelKind::$kind => ChannelConfig::$kind(shared::parse(value)?),)*
                })
            }

            /// Checks the values; run after `keep_secrets_from`, so a kept secret is checked too.
            pub fn validate(&self) -> Result<()> {
                match self {
                    $(ChannelConfig::$kind(c) => c.validate(),)*
                }
            }

            /// A config sent back with masked secrets keeps the stored ones.
            pub fn keep_secrets_from(&mut self, old: &ChannelConfig) {
                match (self, old) {
                    $((ChannelConfig::$kind(new), ChannelConfig::$kind(old)) => new.keep_secrets(old),)*
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
            }

            pub fn to_value(&self) -> Value {
                match self {
                    $(ChannelConfig::$kind(c) => serde_json::to_value(c),)*
                }
                .expect("configs serialize")
            }

            /// The config with its secrets hidden.
            pub fn masked(&self) -> Value {
                let mut masked = self.clone();
                match &mut masked {
                    $(ChannelConfig::$kind(c) => c.mask(),)*
                }
                masked.to_value()
            }

            /// What to send for `e`; `members` are the organization's addresses.
            pub fn outgoing(&self, e: &Envelope<'_>, members: &[String]) -> Outgoing {
                match self {
                    $(ChannelConfig::$kind(c) => $module::$kind::outgoing(c, e, members),)*
                }
            }
        }

        /// Each kind's name with the schema of its config, in the list's order (OpenAPI).
        pub fn config_schemas(
            generator: &mut schemars::SchemaGenerator,
        ) -> Vec<(&'static str, schemars::Schema)> {
            vec![$(($name, generator.subschema_for::<<$module::$kind as Kind>::Config>()),)*]
        }
    };
}

channels! {
    /// SMTP, to listed addresses or to every member of the organization.
    email::Email => "email",
    /// A signed JSON POST.
    webhook::Webhook => "webhook",
    slack::Slack => "slack",
    discord::Discord => "discord",
    ntfy::Ntfy => "ntfy",
    /// Telegram bots: a message to a chat (Bot API `sendMessage`).
    telegram::Telegram => "telegram",
    /// Pushover notifications to a user's or group's devices.
    pushover::Pushover => "pushover",
    /// Gotify, a self-hosted push server.
    gotify::Gotify => "gotify",
    /// PagerDuty Events API v2: one alert per incident, acknowledged and resolved with it.
    pagerduty::PagerDuty => "pagerduty",
    /// Opsgenie alerts: one per incident, acknowledged and closed by alias.
    opsgenie::Opsgenie => "opsgenie",
    /// Matrix: a notice in a room, through a bot account.
    matrix::Matrix => "matrix",
    /// Microsoft Teams: an Adaptive Card through a Power Automate workflow webhook.
    teams::Teams => "teams",
    /// Google Chat: a message in a space, one thread per incident.
    googlechat::GoogleChat => "googleChat",
    /// Mattermost incoming webhooks.
    mattermost::Mattermost => "mattermost",
    /// Rocket.Chat incoming webhooks.
    rocketchat::RocketChat => "rocketChat",
    /// SMS through a Twilio-compatible API, one message per number.
    sms::Sms => "sms",
    /// Push notifications to members' browsers (the dashboard, installed or not).
    web_push::WebPush => "webPush",
}

/// The summary of `POST /notification-channels`, naming the kinds.
pub static ADD_CHANNEL_SUMMARY: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("Add a channel: {}", ChannelKind::names_in_words()));

impl ChannelKind {
    /// "email, webhook, slack, discord or ntfy": the kinds, for messages.
    pub fn names_in_words() -> String {
        let names: Vec<&str> = ChannelKind::ALL.iter().map(|k| k.as_str()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use ChannelKind::{Discord, Slack};

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
            (Discord, json!({"webhookUrl": "nope"}), "config.webhookUrl"),
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
            (Ntfy, json!({"topic": "ok", "extra": 1}), "config.extra"),
            (
                Telegram,
                json!({"botToken": "12:short", "chatId": "1"}),
                "config.botToken",
            ),
            (
                Pushover,
                json!({"appToken": "a".repeat(30), "userKey": "u".repeat(30), "retrySeconds": 5}),
                "config.retrySeconds",
            ),
            (PagerDuty, json!({"routingKey": "x"}), "config.routingKey"),
            (
                Opsgenie,
                json!({"apiKey": "eb243592-faa2-4ba2-a551-1afdf565c889", "apiUrl": "x"}),
                "config.apiUrl",
            ),
            (Teams, json!({"webhookUrl": "nope"}), "config.webhookUrl"),
            (
                GoogleChat,
                json!({"webhookUrl": "ftp://x"}),
                "config.webhookUrl",
            ),
            (Mattermost, json!({}), "config: missing field `webhookUrl`"),
            (RocketChat, json!({"webhookUrl": "x"}), "config.webhookUrl"),
            (
                Sms,
                json!({"accountSid": "AC1", "authToken": "t", "from": "+14155550100", "numbers": ["0612"]}),
                "config.numbers[0]",
            ),
            (
                Sms,
                json!({"accountSid": "AC 1", "authToken": "t", "from": "+14155550100"}),
                "config.accountSid",
            ),
            (
                Sms,
                json!({"accountSid": "AC1", "authToken": "t", "from": "SENDER"}),
                "config.from",
            ),
            (WebPush, json!({"members": []}), "config.members"),
            (WebPush, json!({"members": ["x"]}), "config"),
        ];
        for (kind, config, field) in cases {
            let e = check(kind, config.clone()).unwrap_err();
            assert!(e.message.starts_with(field), "{config}: {}", e.message);
        }
        assert!(check(Email, json!({"allMembers": true})).is_ok());
        assert!(check(Ntfy, json!({"topic": "ops-alerts"})).is_ok());
    }

    /// A kind added to the list needs no migration: the column takes any word, and a stored
    /// row whose kind this binary does not know is refused when read (`ChannelKind`'s `FromSql`).
    #[test]
    fn the_database_takes_a_kind_it_has_never_heard_of() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        let insert = "INSERT INTO notification_channels
                      (id, organization_id, name, kind, config, created_at, updated_at)
                      VALUES (?1, 'o1', 'x', 'carrierpigeon', '{}', 0, 0)";
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            crate::store::migrate(&mut conn).unwrap();
            // No organization row: the constraint under test is the kind's.
            conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
            conn.execute(insert, ["c1"]).unwrap();
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute(insert, ["c2"]).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let read = conn.query_row(
            "SELECT kind FROM notification_channels WHERE id = 'c1'",
            [],
            |r| r.get::<_, ChannelKind>(0),
        );
        assert!(read.is_err(), "an unknown kind is not read as a known one");
    }

    #[test]
    fn a_config_of_another_kind_keeps_nothing() {
        let slack = check(Slack, json!({"webhookUrl": "https://a.example/x"})).unwrap();
        let mut discord =
            check(Discord, json!({"webhookUrl": "https://b.example/********"})).unwrap();
        discord.keep_secrets_from(&slack);
        assert_eq!(
            discord.to_value()["webhookUrl"],
            "https://b.example/********"
        );
    }

    #[test]
    fn the_kinds_in_words_come_from_the_list() {
        assert_eq!(
            ChannelKind::names_in_words(),
            "email, webhook, slack, discord, ntfy, telegram, pushover, gotify, pagerduty, \
             opsgenie, matrix, teams, googleChat, mattermost, rocketChat, sms or webPush"
        );
    }
}
