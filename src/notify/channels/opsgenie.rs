//! Opsgenie Alert API: an incident is one alert whose `alias` is the incident's id — created
//! (`POST /v2/alerts`) when opened and as a reminder (Opsgenie counts the duplicate), then
//! acknowledged and closed by alias (`…/v2/alerts/{alias}/acknowledge?identifierType=alias`).
//! `Authorization: GenieKey <key>`; the US or EU API (`apiUrl`). A storm's digest creates one
//! alert whose alias is its first incident's id (acknowledged and closed with that incident); a
//! digest of resolutions closes each incident it lists by alias (`Outgoing::HttpMany`). Closing
//! an alias with no open alert is accepted (202: the request is processed later) and changes
//! nothing, so closing them all is harmless.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::provider::{base_url, check_pattern, mask};
use super::shared::{check_url, good_news, keep, truncate};
use super::{Envelope, HttpRequest, Kind, KindConfig, Outgoing};
use crate::error::Result;
use crate::incidents::model::Priority;
use crate::limits;
use crate::notify::message::IncidentFacts;
use crate::notify::model::NotificationEvent;

pub struct Opsgenie;

/// An API integration's key (a UUID today).
const API_KEY: &str = "^[A-Za-z0-9-]{20,64}$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpsgenieConfig {
    /// The key of an "API" integration of your team.
    #[schemars(regex(pattern = API_KEY))]
    pub api_key: String,
    /// `https://api.eu.opsgenie.com` for an EU account; none: `https://api.opsgenie.com`.
    #[serde(default)]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub api_url: Option<String>,
}

/// Where requests go without an `apiUrl`.
const DEFAULT_API_URL: &str = "https://api.opsgenie.com";

impl KindConfig for OpsgenieConfig {
    fn validate(&self) -> Result<()> {
        let what = "an API integration key: letters, digits and '-'";
        check_pattern("config.apiKey", &self.api_key, API_KEY, what)?;
        match &self.api_url {
            Some(url) => check_url("config.apiUrl", url),
            None => Ok(()),
        }
    }

    fn mask(&mut self) {
        mask(&mut self.api_key);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.api_key, &old.api_key);
    }
}

/// P1 (critical) to P5 (informational).
fn priority(priority: Priority) -> &'static str {
    match priority {
        Priority::Emergency | Priority::Critical => "P1",
        Priority::Major => "P2",
        Priority::Minor => "P3",
        Priority::Warning => "P4",
        Priority::Notice => "P5",
    }
}

impl Kind for Opsgenie {
    type Config = OpsgenieConfig;

    fn outgoing(c: &OpsgenieConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let base = format!("{}/v2/alerts", base_url(&c.api_url, DEFAULT_API_URL));
        let post = |(url, body): (String, Value)| {
            HttpRequest::post_json(&url, &body)
                .header("Authorization", format!("GenieKey {}", c.api_key))
        };
        if e.incident.is_none() && e.event == NotificationEvent::Resolved && !e.digest.is_empty() {
            let closes = e.digest.iter().map(|i| post(act(&base, i, "close", e)));
            return Outgoing::HttpMany(closes.collect());
        }
        Outgoing::Http(post(request(&base, e)))
    }
}

/// Where to POST, and what.
fn request(base: &str, e: &Envelope<'_>) -> (String, Value) {
    let action = match (e.incident, e.event) {
        (Some(_), NotificationEvent::Acknowledged) => Some("acknowledge"),
        (Some(_), NotificationEvent::Resolved) => Some("close"),
        _ => None,
    };
    if let (Some(incident), Some(action)) = (e.incident, action) {
        return act(base, incident, action, e);
    }
    // A test is an alert of its own, keyed by its delivery (good news is informational, P5); a
    // digest one keyed by its first incident, which that incident's changes reach too.
    let (alias, priority) = match (e.incident, e.digest.first()) {
        (Some(i), _) => (i.id.clone(), priority(i.priority)),
        (None, Some(first)) => (first.id.clone(), "P2"),
        (None, None) if good_news(e.event) => (e.delivery.to_string(), "P5"),
        (None, None) => (e.delivery.to_string(), "P2"),
    };
    let mut body = json!({
        // Opsgenie's limits: message 130, alias 512, description 15,000, source 100.
        "message": truncate(&e.message.subject, 130),
        "alias": truncate(&alias, 512),
        "description": truncate(&e.message.text, 15_000),
        "priority": priority,
        "source": "dutyduck",
        "tags": ["dutyduck"],
        "details": {"organization": truncate(e.organization, 8_000)},
    });
    if let Some(i) = e.incident {
        body["entity"] = json!(truncate(&i.title, 512));
    }
    if let Some(link) = &e.message.link {
        body["details"]["url"] = json!(link);
    }
    (base.to_owned(), body)
}

/// Acknowledges or closes `incident`'s alert by alias, noting the message's subject.
fn act(base: &str, incident: &IncidentFacts, action: &str, e: &Envelope<'_>) -> (String, Value) {
    // Incident ids are letters, digits and '-': nothing to escape in the path.
    let url = format!("{base}/{}/{action}?identifierType=alias", incident.id);
    let note = truncate(&e.message.subject, 25_000);
    let mut body = json!({"source": "dutyduck", "note": note});
    // Who acknowledged it in dutyduck, as Opsgenie's log shows the acting user.
    if let Some(who) = incident.acknowledged_by.first() {
        body["user"] = json!(truncate(who, 100));
    }
    (url, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, facts, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};

    const BASE: &str = "https://api.eu.opsgenie.com/v2/alerts";

    #[test]
    fn created_then_acknowledged_and_closed_by_alias() {
        let (mut m, i) = (message(), facts());
        m.subject = "x".repeat(200);
        let mut e = envelope(&m, Some(&i));
        let (url, created) = request(BASE, &e);
        assert_eq!(url, BASE);
        assert_eq!((created["alias"].as_str(), created["priority"].as_str()), (Some("i1"), Some("P2")));
        assert_eq!(created["message"].as_str().unwrap().len(), 130);
        e.event = NotificationEvent::Acknowledged;
        assert_eq!(request(BASE, &e).0, format!("{BASE}/i1/acknowledge?identifierType=alias"));
        e.event = NotificationEvent::Resolved;
        let (url, closed) = request(BASE, &e);
        assert_eq!(url, format!("{BASE}/i1/close?identifierType=alias"));
        assert_eq!(closed["source"], "dutyduck");
    }

    #[test]
    fn a_digest_alert_is_aliased_by_its_first_incident_and_resolutions_close_each() {
        let m = message();
        let mut e = envelope(&m, None);
        let digest = [facts(), IncidentFacts { id: "i2".into(), ..facts() }];
        e.digest = &digest;
        let (url, created) = request(BASE, &e);
        assert_eq!((url.as_str(), created["alias"].as_str()), (BASE, Some("i1")));
        assert_eq!(created["priority"], "P2");
        e.event = NotificationEvent::Resolved;
        let config = json!({"apiKey": "eb243592-faa2-4ba2-a551-1afdf565c889",
                            "apiUrl": "https://api.eu.opsgenie.com"});
        let c = ChannelConfig::parse(ChannelKind::Opsgenie, &config).unwrap();
        let Outgoing::HttpMany(closes) = c.outgoing(&e, &[]) else {
            panic!("one request per incident");
        };
        let urls: Vec<&str> = closes.iter().map(|r| r.url.as_str()).collect();
        let close = |id| format!("{BASE}/{id}/close?identifierType=alias");
        assert_eq!(urls, [close("i1"), close("i2")]);
        assert!(closes.iter().all(|r| r.json()["source"] == "dutyduck" && r.headers.len() == 1));
    }

    #[test]
    fn the_key_is_a_secret_sent_as_genie_key() {
        let config = json!({"apiKey": "eb243592-faa2-4ba2-a551-1afdf565c889"});
        let stored = ChannelConfig::parse(ChannelKind::Opsgenie, &config).unwrap();
        stored.validate().unwrap();
        let mut edited = ChannelConfig::parse(ChannelKind::Opsgenie, &stored.masked()).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
        let m = message();
        let Outgoing::Http(r) = stored.outgoing(&envelope(&m, None), &[]) else {
            panic!("an HTTP request");
        };
        let auth = ("Authorization".into(), "GenieKey eb243592-faa2-4ba2-a551-1afdf565c889".into());
        assert_eq!(r.headers, [auth]);
    }
}
