//! PagerDuty Events API v2: `POST /v2/enqueue` with the integration's routing key. An incident
//! is one PagerDuty alert: `trigger` when opened (and again as a reminder: PagerDuty folds it
//! into the same alert), `acknowledge` and `resolve` later, all with `dedup_key` = the
//! incident's id. A test triggers an alert of its own, keyed by its delivery id. A storm's digest
//! triggers one alert keyed by its first incident's id, so that it is acknowledged and resolved
//! with that incident; a digest of resolutions resolves each incident it lists (one event each:
//! `Outgoing::HttpMany`), which resolves both the alerts of incidents opened alone before the
//! storm was seen and the alert of a digest led by one of them. Resolving a key with no open
//! alert is accepted (202) and changes nothing, so resolving them all is harmless.

use chrono::SecondsFormat;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::provider::{base_url, check_pattern, mask};
use super::shared::{check_url, keep, truncate};
use super::{Envelope, HttpRequest, Kind, KindConfig, Outgoing};
use crate::error::Result;
use crate::incidents::model::Priority;
use crate::limits;
use crate::notify::model::NotificationEvent;

pub struct PagerDuty;

/// An Events API v2 integration key: 32 letters and digits.
const ROUTING_KEY: &str = "^[A-Za-z0-9]{32}$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PagerDutyConfig {
    /// The integration key of a service's "Events API v2" integration.
    #[schemars(regex(pattern = ROUTING_KEY))]
    pub routing_key: String,
    /// Another Events API server (a test's); none: `https://events.pagerduty.com`.
    #[serde(default)]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub api_url: Option<String>,
}

/// Where requests go without an `apiUrl`.
const DEFAULT_API_URL: &str = "https://events.pagerduty.com";

impl KindConfig for PagerDutyConfig {
    fn validate(&self) -> Result<()> {
        let what = "an integration key: 32 letters and digits";
        check_pattern("config.routingKey", &self.routing_key, ROUTING_KEY, what)?;
        match &self.api_url {
            Some(url) => check_url("config.apiUrl", url),
            None => Ok(()),
        }
    }

    fn mask(&mut self) {
        mask(&mut self.routing_key);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.routing_key, &old.routing_key);
    }
}

impl Kind for PagerDuty {
    type Config = PagerDutyConfig;

    fn outgoing(c: &PagerDutyConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let url = format!("{}/v2/enqueue", base_url(&c.api_url, DEFAULT_API_URL));
        if e.incident.is_none() && e.event == NotificationEvent::Resolved && !e.digest.is_empty() {
            // Sent in turn: a digest's 100 stay under the Events API's 120 events a minute
            // per integration key; a 429 retries the digest (resolving twice is harmless).
            let resolves = e.digest.iter().map(|i| {
                HttpRequest::post_json(&url, &act(&c.routing_key, "resolve", &i.id))
            });
            return Outgoing::HttpMany(resolves.collect());
        }
        Outgoing::Http(HttpRequest::post_json(&url, &event(&c.routing_key, e)))
    }
}

/// PagerDuty's severity for an incident's priority.
fn severity(priority: Priority) -> &'static str {
    match priority {
        Priority::Emergency | Priority::Critical => "critical",
        Priority::Major => "error",
        Priority::Minor | Priority::Warning => "warning",
        Priority::Notice => "info",
    }
}

fn event(routing_key: &str, e: &Envelope<'_>) -> Value {
    let Some(incident) = e.incident else {
        // A test: an info alert of its own. A digest: an error alert under its first incident's
        // key, stable across retries, which that incident's acknowledgement and resolution
        // (alone or in a digest of resolutions) reach too.
        return match e.digest.first() {
            Some(first) => trigger(routing_key, &first.id, "error", "dutyduck", e),
            None => trigger(routing_key, &e.delivery.to_string(), "info", "dutyduck", e),
        };
    };
    let action = match e.event {
        NotificationEvent::Acknowledged => "acknowledge",
        NotificationEvent::Resolved => "resolve",
        _ => {
            let source = incident.source_name.as_deref().unwrap_or("dutyduck");
            let severity = severity(incident.priority);
            let mut body = trigger(routing_key, &incident.id, severity, source, e);
            body["payload"]["component"] = json!(incident.title);
            body["payload"]["class"] = json!(incident.source_type.as_str());
            return body;
        }
    };
    act(routing_key, action, &incident.id)
}

/// An acknowledge or resolve event: only what the API requires of them.
fn act(routing_key: &str, action: &str, dedup_key: &str) -> Value {
    json!({"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key})
}

fn trigger(routing_key: &str, key: &str, severity: &str, source: &str, e: &Envelope<'_>) -> Value {
    let mut body = json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": key,
        "payload": {
            // Both refused past 1,024 and 255 characters.
            "summary": truncate(&e.message.subject, 1024),
            "source": truncate(source, 255),
            "severity": severity,
            "timestamp": e.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "custom_details": {"text": e.message.text, "organization": e.organization},
        },
        "client": "dutyduck",
    });
    if let Some(link) = &e.message.link {
        body["client_url"] = json!(link);
        body["links"] = json!([{"href": link, "text": "dutyduck"}]);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, facts, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};
    use crate::notify::message::IncidentFacts;

    const KEY: &str = "R0123456789abcdefABCDEF012345678";

    fn body(e: &Envelope<'_>) -> Value {
        let c = PagerDutyConfig {
            routing_key: KEY.into(),
            api_url: None,
        };
        let Outgoing::Http(r) = PagerDuty::outgoing(&c, e, &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(r.url, "https://events.pagerduty.com/v2/enqueue");
        r.json()
    }

    #[test]
    fn one_alert_per_incident_triggered_acknowledged_and_resolved() {
        let (m, i) = (message(), facts());
        let mut e = envelope(&m, Some(&i));
        let opened = body(&e);
        assert_eq!(opened["event_action"], "trigger");
        assert_eq!(opened["dedup_key"], "i1");
        assert_eq!(opened["payload"]["severity"], "error");
        assert_eq!(opened["payload"]["source"], "Shop");
        assert_eq!(opened["payload"]["summary"], m.subject);
        for (event, action) in [
            (NotificationEvent::Acknowledged, "acknowledge"),
            (NotificationEvent::Resolved, "resolve"),
        ] {
            e.event = event;
            assert_eq!(
                body(&e),
                json!({"routing_key": KEY, "event_action": action, "dedup_key": "i1"})
            );
        }
    }

    #[test]
    fn a_test_is_an_info_alert_of_its_own() {
        let m = message();
        let mut e = envelope(&m, None);
        e.event = NotificationEvent::Test;
        let test = body(&e);
        assert_eq!(test["dedup_key"], "0193a3c4-0000-7000-8000-000000000001");
        assert_eq!(test["payload"]["severity"], "info");
    }

    #[test]
    fn a_digest_alert_is_keyed_by_its_first_incident_and_resolutions_resolve_each() {
        let (m, i) = (message(), facts());
        let mut e = envelope(&m, None);
        let j = IncidentFacts {
            id: "i2".into(),
            ..facts()
        };
        let digest = [i, j];
        e.digest = &digest;
        let opened = body(&e);
        assert_eq!(opened["event_action"], "trigger");
        assert_eq!(opened["dedup_key"], "i1");
        assert_eq!(opened["payload"]["severity"], "error");
        e.event = NotificationEvent::Resolved;
        let c = PagerDutyConfig {
            routing_key: KEY.into(),
            api_url: Some("http://127.0.0.1:9/".into()),
        };
        let Outgoing::HttpMany(resolves) = PagerDuty::outgoing(&c, &e, &[]) else {
            panic!("one request per incident");
        };
        let sent: Vec<(&str, Value)> =
            resolves.iter().map(|r| (r.url.as_str(), r.json())).collect();
        let resolve =
            |key| json!({"routing_key": KEY, "event_action": "resolve", "dedup_key": key});
        let url = "http://127.0.0.1:9/v2/enqueue";
        assert_eq!(sent, [(url, resolve("i1")), (url, resolve("i2"))]);
    }

    #[test]
    fn the_routing_key_is_a_secret() {
        let config = json!({"routingKey": KEY});
        let stored = ChannelConfig::parse(ChannelKind::PagerDuty, &config).unwrap();
        stored.validate().unwrap();
        let mut edited = ChannelConfig::parse(ChannelKind::PagerDuty, &stored.masked()).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
    }
}
