//! What each kind of channel receives (pure, tested against the documented formats): the
//! webhook body and its signature, Slack, Discord and ntfy messages.

use chrono::SecondsFormat;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::message::{IncidentFacts, Message};
use super::model::NotificationEvent;
use crate::clock::Timestamp;
use crate::ids::DeliveryId;

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
        // ntfy turns a message over 4 KB into an attachment.
        "topic": topic, "title": truncate(&e.message.subject, 250),
        "message": truncate(&e.message.text, 3_500),
        "priority": priority, "tags": [tag],
    });
    if let Some(link) = &e.message.link {
        body["click"] = json!(link);
    }
    body
}

pub(super) fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
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
            source_exists: true,
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
