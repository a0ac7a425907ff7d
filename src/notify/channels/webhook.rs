//! A JSON POST to the user's own URL, with the documented body (README "Webhooks"), extra
//! headers of theirs, and an optional HMAC-SHA256 signature.

use std::collections::BTreeMap;

use chrono::SecondsFormat;
use hmac::{Hmac, KeyInit, Mac};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

use super::shared::{check_url, keep, keep_optional, mask_optional};
use super::webhook_template::Template;
use super::{Envelope, Kind, KindConfig, MASK, Outgoing};
use crate::error::{Error, Result};
use crate::limits;
use crate::notify::message::IncidentFacts;
use crate::notify::model::NotificationEvent;

pub struct Webhook;

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
    /// A custom body (method, content type, template) instead of the documented JSON payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
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

impl KindConfig for WebhookConfig {
    fn validate(&self) -> Result<()> {
        check_url("config.url", &self.url)?;
        limits::count("config.headers", self.headers.len(), limits::HEADERS)?;
        for (name, value) in &self.headers {
            if !limits::is_header(name, value) {
                return Err(Error::invalid_field(
                    &format!("config.headers.{name}"),
                    "is not a valid HTTP header",
                ));
            }
            let lower = name.to_ascii_lowercase();
            if RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("x-dutyduck-") {
                return Err(Error::invalid_field(
                    &format!("config.headers.{name}"),
                    "is set by dutyduck itself",
                ));
            }
        }
        if let Some(secret) = &self.secret {
            if secret.len() < 16 {
                return Err(Error::invalid_field(
                    "config.secret",
                    "must be at least 16 characters",
                ));
            }
            limits::line("config.secret", secret, limits::SHORT)?;
        }
        self.template.as_ref().map_or(Ok(()), Template::validate)?;
        Ok(())
    }

    /// The signing secret and every header value (an `Authorization`, say).
    fn mask(&mut self) {
        mask_optional(&mut self.secret);
        self.headers.values_mut().for_each(|v| *v = MASK.to_owned());
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep_optional(&mut self.secret, &old.secret);
        for (name, value) in self.headers.iter_mut() {
            if let Some(o) = old.headers.get(name) {
                keep(value, o);
            }
        }
    }
}

impl Kind for Webhook {
    type Config = WebhookConfig;

    fn outgoing(c: &WebhookConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let mut request = Template::request_or_json(c.template.as_ref(), &c.url, &payload(e));
        request.headers = c.headers.clone().into_iter().collect();
        request = request
            .header("X-Dutyduck-Event", event_name(e).trim_start_matches("incident."))
            .header("X-Dutyduck-Delivery", e.delivery.to_string())
            .header("Idempotency-Key", e.delivery.to_string());
        if let Some(secret) = &c.secret {
            // The receiver's clock judges the timestamp, so it is the real time, not the app's.
            let now = chrono::Utc::now().timestamp();
            let signed = signature(secret, now, &request.body);
            request = request.header("X-Dutyduck-Signature", signed);
        }
        Outgoing::Http(request)
    }
}

/// `incident.opened`, …, `test`; a storm's digest is `digest.opened` or `digest.resolved`.
fn event_name(e: &Envelope<'_>) -> String {
    match e.event {
        NotificationEvent::Test => "test".to_owned(),
        other if !e.digest.is_empty() => format!("digest.{}", other.as_str()),
        other => format!("incident.{}", other.as_str()),
    }
}

/// One incident of a digest.
fn digest_item(i: &IncidentFacts) -> Value {
    json!({
        "id": i.id, "title": i.title, "status": i.status, "priority": i.priority,
        "createdAt": i.created_at, "resolvedAt": i.resolved_at,
        "source": {"type": i.source_type, "id": i.source_id, "name": i.source_name, "url": i.source_url},
    })
}

/// The webhook body (documented in the README and the how-to of channels).
pub fn payload(e: &Envelope<'_>) -> Value {
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
    let digest = (!e.digest.is_empty()).then(|| {
        json!({
            "count": e.digest.len(),
            "incidents": e.digest.iter().map(digest_item).collect::<Vec<_>>(),
            "url": e.message.link,
        })
    });
    let mut body = json!({
        "id": e.delivery,
        "event": event_name(e),
        "occurredAt": e.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "organization": {"name": e.organization},
        "subject": e.message.subject,
        "text": e.message.text,
        "incident": incident,
        "source": source,
    });
    if let Some(digest) = digest {
        body["digest"] = digest;
    }
    body
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::ChannelConfig;
    use crate::notify::channels::shared::fixtures::{envelope, facts, message};

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Known answer computed independently (Python: hmac.new(secret, b"1700000000.{\"a\":1}", sha256)).
        assert_eq!(
            signature("whsec_0123456789abcdef", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=9f5e37cdc7ea587c7c02062d93283cad000d66a831b2a1676418696db47ed6c2"
        );
    }

    #[test]
    fn the_body_follows_the_documented_format() {
        let (m, f) = (message(), facts());
        let w = payload(&envelope(&m, Some(&f)));
        assert_eq!(w["event"], "incident.opened");
        assert_eq!(w["id"], "0193a3c4-0000-7000-8000-000000000001");
        assert_eq!(
            w["incident"]["url"],
            "https://duck.example.com/dashboard/incidents/i1"
        );
        assert_eq!(w["source"]["type"], "httpmonitor");
        assert!(w.get("digest").is_none(), "a digest only in a storm");
    }

    /// A storm's digest: its own event, no single incident, the incidents listed.
    #[test]
    fn a_digest_lists_its_incidents() {
        let (m, f) = (message(), facts());
        let other = IncidentFacts {
            id: "i2".into(),
            source_name: Some("Api".into()),
            ..f.clone()
        };
        let items = [f, other];
        let mut e = envelope(&m, None);
        e.digest = &items;
        let w = payload(&e);
        assert_eq!(w["event"], "digest.opened");
        assert_eq!((&w["incident"], &w["source"]), (&Value::Null, &Value::Null));
        assert_eq!(w["digest"]["count"], 2);
        assert_eq!(w["digest"]["url"], m.link.clone().unwrap());
        let names: Vec<&str> = w["digest"]["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["source"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Shop", "Api"]);
        let c = WebhookConfig {
            url: "https://hooks.example.com/in".into(),
            headers: Default::default(),
            secret: None,
            template: None,
        };
        let Outgoing::Http(r) = Webhook::outgoing(&c, &e, &[]) else {
            panic!("an HTTP request");
        };
        let event = r.headers.iter().find(|(n, _)| n == "X-Dutyduck-Event");
        assert_eq!(event.map(|(_, v)| v.as_str()), Some("digest.opened"));
    }

    #[test]
    fn the_request_carries_the_users_headers_then_dutyducks() {
        let c = WebhookConfig {
            url: "https://hooks.example.com/in".into(),
            headers: [("Authorization".to_owned(), "Bearer xyz".to_owned())].into(),
            secret: None,
            template: None,
        };
        let m = message();
        let Outgoing::Http(r) = Webhook::outgoing(&c, &envelope(&m, None), &[]) else {
            panic!("an HTTP request");
        };
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Authorization",
                "X-Dutyduck-Event",
                "X-Dutyduck-Delivery",
                "Idempotency-Key"
            ]
        );
        assert_eq!((r.method, r.url.as_str()), (reqwest::Method::POST, c.url.as_str()));
    }

    #[test]
    fn secrets_are_masked_and_kept_when_sent_back_masked() {
        let config = serde_json::json!({"url": "https://hooks.example.com/in", "secret": "0123456789abcdef",
               "headers": {"Authorization": "Bearer xyz"}});
        let stored = ChannelConfig::parse(super::super::ChannelKind::Webhook, &config).unwrap();
        let shown = stored.masked();
        assert_eq!(shown["secret"], MASK);
        assert_eq!(shown["headers"]["Authorization"], MASK);
        let mut edited = ChannelConfig::parse(super::super::ChannelKind::Webhook, &shown).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
    }
}
