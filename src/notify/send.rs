//! Sending one notification on one channel: the payload each kind expects (pure, tested against
//! the documented formats), the webhook signature, and the transports (HTTP, SMTP). Each send
//! has its own timeout, so a slow receiver costs only its own delivery.

use std::time::Duration;

use chrono::SecondsFormat;
use hmac::{Hmac, KeyInit, Mac};
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};
use sha2::Sha256;

use super::config::{ChannelConfig, WebhookConfig};
use super::message::{IncidentFacts, Message};
use super::model::NotificationEvent;
use crate::clock::Timestamp;
use crate::ids::DeliveryId;

/// How long one delivery may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// One notification, ready to send.
pub struct Envelope<'a> {
    pub delivery: DeliveryId,
    pub event: NotificationEvent,
    /// When the change happened (the outbox row's creation).
    pub occurred_at: Timestamp,
    pub organization: &'a str,
    pub message: &'a Message,
    pub incident: Option<&'a IncidentFacts>,
}

/// The webhook body (documented in the README).
pub fn webhook_payload(e: &Envelope<'_>) -> Value {
    let incident = e.incident.map(|i| {
        json!({
            "id": i.id, "title": i.title, "status": i.status, "priority": i.priority,
            "cause": i.cause, "createdAt": i.created_at, "resolvedAt": i.resolved_at,
            "acknowledgedBy": i.acknowledged_by, "url": e.message.link,
        })
    });
    let source = e.incident.map(|i| {
        json!({"type": i.source_type, "id": i.source_id, "name": i.source_name, "url": i.source_url})
    });
    json!({
        "id": e.delivery,
        "event": match e.event {
            NotificationEvent::Test => "test".to_owned(),
            other => format!("incident.{}", other.as_str()),
        },
        "occurredAt": e.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "organization": {"name": e.organization},
        "subject": e.message.subject,
        "text": e.message.text,
        "incident": incident,
        "source": source,
    })
}

/// `X-Dutyduck-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers
/// recompute it with the shared secret and reject old timestamps (replays).
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{unix_seconds}.").as_bytes());
    mac.update(body);
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn good_news(event: NotificationEvent) -> bool {
    matches!(
        event,
        NotificationEvent::Resolved | NotificationEvent::Acknowledged | NotificationEvent::Test
    )
}

/// Slack incoming webhook: `text` (the notification fallback) and one mrkdwn section.
pub fn slack_payload(e: &Envelope<'_>) -> Value {
    let body = e
        .message
        .text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    json!({
        "text": e.message.subject,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*\n{body}", e.message.subject)}}],
    })
}

/// Discord webhook: one embed, green for good news and red otherwise.
pub fn discord_payload(e: &Envelope<'_>) -> Value {
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

/// ntfy JSON publishing (POST to the server root): topic, title, message, priority, tags, click.
pub fn ntfy_payload(topic: &str, e: &Envelope<'_>) -> Value {
    let (priority, tag) = if good_news(e.event) {
        (3, "white_check_mark")
    } else {
        (4, "rotating_light")
    };
    let mut body = json!({
        "topic": topic, "title": e.message.subject, "message": e.message.text,
        "priority": priority, "tags": [tag],
    });
    if let Some(link) = &e.message.link {
        body["click"] = json!(link);
    }
    body
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// Sends notifications: one HTTP client, and the SMTP relay when the instance has one.
pub struct Sender {
    http: reqwest::Client,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, lettre::message::Mailbox)>,
}

/// The instance's SMTP settings: `--smtp-url` and `--smtp-from`.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
}

impl Sender {
    pub fn new(smtp: Option<&SmtpSettings>) -> Result<Sender, String> {
        let http = crate::outbound::client_builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let smtp = match smtp {
            None => None,
            Some(s) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url)
                    .map_err(|e| format!("--smtp-url: {e}"))?
                    .timeout(Some(TIMEOUT))
                    .build();
                let from = s
                    .from
                    .parse()
                    .map_err(|e| format!("--smtp-from {:?}: {e}", s.from))?;
                Some((transport, from))
            }
        };
        Ok(Sender { http, smtp })
    }

    /// Sends `e` on `channel`; `members` are the organization's addresses (for "all members").
    /// The error says what went wrong, for the timeline and the deliveries list.
    pub async fn send(
        &self,
        channel: &ChannelConfig,
        e: &Envelope<'_>,
        members: &[String],
    ) -> Result<(), String> {
        match channel {
            ChannelConfig::Webhook(c) => self.webhook(c, e).await,
            ChannelConfig::Slack(c) => self.post_json(&c.webhook_url, &slack_payload(e), &[]).await,
            ChannelConfig::Discord(c) => {
                self.post_json(&c.webhook_url, &discord_payload(e), &[])
                    .await
            }
            ChannelConfig::Ntfy(c) => {
                let auth = c
                    .token
                    .as_ref()
                    .map(|t| ("Authorization".to_owned(), format!("Bearer {t}")));
                let url = c.server_url.trim_end_matches('/');
                let headers: Vec<(String, String)> = auth.into_iter().collect();
                self.post_json(url, &ntfy_payload(c.topic.trim(), e), &headers)
                    .await
            }
            ChannelConfig::Email(c) => {
                let mut to: Vec<String> =
                    c.recipients.iter().map(|r| r.trim().to_owned()).collect();
                if c.all_members {
                    to.extend(members.iter().cloned());
                }
                to.sort_by_key(|a| a.to_lowercase());
                to.dedup_by_key(|a| a.to_lowercase());
                self.email(&to, e).await
            }
        }
    }

    async fn webhook(&self, c: &WebhookConfig, e: &Envelope<'_>) -> Result<(), String> {
        let body = serde_json::to_vec(&webhook_payload(e)).expect("payload serializes");
        let mut headers: Vec<(String, String)> = c.headers.clone().into_iter().collect();
        headers.push(("X-Dutyduck-Event".into(), e.event.as_str().into()));
        headers.push(("X-Dutyduck-Delivery".into(), e.delivery.to_string()));
        headers.push(("Idempotency-Key".into(), e.delivery.to_string()));
        if let Some(secret) = &c.secret {
            let now = chrono::Utc::now().timestamp();
            headers.push(("X-Dutyduck-Signature".into(), signature(secret, now, &body)));
        }
        self.post(&c.url, body, &headers).await
    }

    async fn post_json(
        &self,
        url: &str,
        body: &Value,
        headers: &[(String, String)],
    ) -> Result<(), String> {
        let body = serde_json::to_vec(body).expect("payload serializes");
        self.post(url, body, headers).await
    }

    async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: &[(String, String)],
    ) -> Result<(), String> {
        let mut request = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(describe_http_error)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        Err(format!("HTTP {status}: {}", truncate(text.trim(), 200)))
    }

    async fn email(&self, to: &[String], e: &Envelope<'_>) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return Err(
                "no SMTP server configured: start the server with --smtp-url and --smtp-from"
                    .into(),
            );
        };
        if to.is_empty() {
            return Err("no recipient".into());
        }
        let mut builder = lettre::Message::builder()
            .from(from.clone())
            .subject(&e.message.subject)
            .header(ContentType::TEXT_PLAIN);
        for address in to {
            let mailbox = address
                .parse()
                .map_err(|err| format!("{address:?}: {err}"))?;
            builder = builder.to(mailbox);
        }
        let mail = builder
            .body(e.message.text.clone())
            .map_err(|err| format!("cannot build the e-mail: {err}"))?;
        transport
            .send(mail)
            .await
            .map(drop)
            .map_err(|err| format!("SMTP: {err}"))
    }
}

fn describe_http_error(e: reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::model::{IncidentStatus, Priority, SourceType};

    fn envelope<'a>(message: &'a Message, incident: Option<&'a IncidentFacts>) -> Envelope<'a> {
        Envelope {
            delivery: "0193a3c4-0000-7000-8000-000000000001".parse().unwrap(),
            event: NotificationEvent::Opened,
            occurred_at: chrono::DateTime::UNIX_EPOCH,
            organization: "Acme",
            message,
            incident,
        }
    }

    fn message() -> Message {
        Message {
            subject: "[dutyduck] Incident opened: Shop".into(),
            text: "Incident opened: Shop\nhttps://shop.example.com/ is down (HTTP 503) <b>".into(),
            link: Some("https://duck.example.com/dashboard/incidents/i1".into()),
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Known answer computed independently (Python: hmac.new(secret, b"1700000000.{\"a\":1}", sha256)).
        assert_eq!(
            signature("whsec_0123456789abcdef", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=9f5e37cdc7ea587c7c02062d93283cad000d66a831b2a1676418696db47ed6c2"
        );
    }

    #[test]
    fn payloads_follow_the_documented_formats() {
        let m = message();
        let facts = IncidentFacts {
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
        };
        let e = envelope(&m, Some(&facts));
        let w = webhook_payload(&e);
        assert_eq!(w["event"], "incident.opened");
        assert_eq!(w["id"], "0193a3c4-0000-7000-8000-000000000001");
        assert_eq!(
            w["incident"]["url"],
            "https://duck.example.com/dashboard/incidents/i1"
        );
        assert_eq!(w["source"]["type"], "httpmonitor");
        // Slack: fallback `text`, a mrkdwn section with &, <, > escaped.
        let s = slack_payload(&e);
        assert_eq!(s["text"], m.subject);
        assert_eq!(s["blocks"][0]["text"]["type"], "mrkdwn");
        assert!(
            s["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .ends_with("&lt;b&gt;")
        );
        // Discord: embeds with title, description, url, integer color.
        let d = discord_payload(&e);
        assert_eq!(d["embeds"][0]["title"], m.subject);
        assert_eq!(d["embeds"][0]["url"], m.link.clone().unwrap());
        assert!(d["embeds"][0]["color"].is_u64());
        // ntfy JSON: topic, title, message, priority 1–5, tags, click.
        let n = ntfy_payload("ops", &e);
        assert_eq!(
            (n["topic"].as_str(), n["priority"].as_u64()),
            (Some("ops"), Some(4))
        );
        assert_eq!(n["click"], m.link.clone().unwrap());
    }
}
