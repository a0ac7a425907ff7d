//! Pushover: `POST /1/messages.json`, form-encoded, with the application's token and the
//! user's (or group's) key. The incident's priority picks Pushover's: major and above are
//! "emergency" (2: repeated every `retrySeconds` until acknowledged in the app, for at most
//! `expireSeconds`) unless turned off, then "high" (1). Emergency messages are tagged with the
//! incident's id, and acknowledging the incident in dutyduck cancels their repeats
//! (`/1/receipts/cancel_by_tag/{tag}.json`) instead of sending a message: the phones stop ringing.
//! Resolving one cancels them too, before its message (`Outgoing::HttpMany`): nobody may have
//! acknowledged it, and cancelling what was already cancelled changes nothing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::provider::{base_url, check_pattern, mask};
use super::shared::{check_url, good_news, keep, truncate};
use super::{Envelope, HttpRequest, Kind, KindConfig, Outgoing};
use crate::error::{Error, Result};
use crate::incidents::model::Priority;
use crate::limits;
use crate::notify::model::NotificationEvent;

pub struct Pushover;

/// Application tokens and user/group keys: 30 letters and digits.
const KEY: &str = "^[A-Za-z0-9]{30}$";
/// Device names: up to 25 letters, digits, `_` or `-`.
const DEVICE: &str = "^[A-Za-z0-9_-]{1,25}$";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushoverConfig {
    /// Your application's API token.
    #[schemars(regex(pattern = KEY))]
    pub app_token: String,
    /// The user key (or a delivery group's key) to notify.
    #[schemars(regex(pattern = KEY))]
    pub user_key: String,
    /// Only this device of the user's.
    #[serde(default)]
    #[schemars(regex(pattern = DEVICE))]
    pub device: Option<String>,
    /// Major, critical and emergency incidents use the emergency priority (repeated until
    /// acknowledged, in the Pushover app or in dutyduck); off: high priority.
    #[serde(default = "yes")]
    pub emergency: bool,
    /// How often an emergency notification repeats, 30 to 10,800 seconds.
    #[serde(default = "default_retry")]
    #[schemars(range(min = 30, max = 10800))]
    pub retry_seconds: u32,
    /// For how long it repeats, 30 to 10,800 seconds.
    #[serde(default = "default_expire")]
    #[schemars(range(min = 30, max = 10800))]
    pub expire_seconds: u32,
    /// Another API server (a test's); none: `https://api.pushover.net`.
    #[serde(default)]
    #[schemars(length(max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub api_url: Option<String>,
}

fn yes() -> bool {
    true
}
fn default_retry() -> u32 {
    60
}
fn default_expire() -> u32 {
    3600
}
/// Where requests go without an `apiUrl`.
const DEFAULT_API_URL: &str = "https://api.pushover.net";

impl KindConfig for PushoverConfig {
    fn validate(&self) -> Result<()> {
        let key = "30 letters and digits";
        check_pattern("config.appToken", &self.app_token, KEY, key)?;
        check_pattern("config.userKey", &self.user_key, KEY, key)?;
        if let Some(device) = &self.device {
            check_pattern("config.device", device, DEVICE, "up to 25 letters, digits, '_' or '-'")?;
        }
        // Pushover's own bounds: at least 30 s between repeats, at most 3 hours of them.
        for (field, value) in [
            ("config.retrySeconds", self.retry_seconds),
            ("config.expireSeconds", self.expire_seconds),
        ] {
            if !(30..=10_800).contains(&value) {
                return Err(Error::invalid_field(field, "must be 30 to 10800 seconds"));
            }
        }
        match &self.api_url {
            Some(url) => check_url("config.apiUrl", url),
            None => Ok(()),
        }
    }

    fn mask(&mut self) {
        mask(&mut self.app_token);
        mask(&mut self.user_key);
    }

    fn keep_secrets(&mut self, old: &Self) {
        keep(&mut self.app_token, &old.app_token);
        keep(&mut self.user_key, &old.user_key);
    }
}

/// Pushover's priority: -1 quiet, 0 normal, 1 high, 2 emergency.
fn priority(c: &PushoverConfig, e: &Envelope<'_>) -> i8 {
    if good_news(e.event) {
        return 0;
    }
    match e.incident.map(|i| i.priority) {
        Some(Priority::Emergency | Priority::Critical | Priority::Major) | None if c.emergency => 2,
        Some(Priority::Emergency | Priority::Critical | Priority::Major) | None => 1,
        Some(Priority::Minor | Priority::Warning) => 0,
        Some(Priority::Notice) => -1,
    }
}

/// The incident's id when its opening rang as an emergency: the tag of its messages.
fn emergency_tag<'a>(c: &PushoverConfig, e: &Envelope<'a>) -> Option<&'a str> {
    let i = e.incident?;
    let major = matches!(
        i.priority,
        Priority::Emergency | Priority::Critical | Priority::Major
    );
    (c.emergency && major).then_some(i.id.as_str())
}

fn form_post(url: String, form: &[(&str, String)]) -> HttpRequest {
    HttpRequest {
        method: reqwest::Method::POST,
        url,
        content_type: "application/x-www-form-urlencoded",
        headers: Vec::new(),
        body: serde_html_form::to_string(form)
            .expect("pairs serialize")
            .into_bytes(),
    }
}

impl Kind for Pushover {
    type Config = PushoverConfig;

    fn outgoing(c: &PushoverConfig, e: &Envelope<'_>, _: &[String]) -> Outgoing {
        let base = base_url(&c.api_url, DEFAULT_API_URL);
        let tag = emergency_tag(c, e);
        // Incident ids are letters, digits and '-': nothing to escape in the path.
        let cancel = tag.map(|tag| {
            let url = format!("{base}/1/receipts/cancel_by_tag/{tag}.json");
            form_post(url, &[("token", c.app_token.clone())])
        });
        let priority = priority(c, e);
        let mut form: Vec<(&str, String)> = vec![
            ("token", c.app_token.clone()),
            ("user", c.user_key.clone()),
            ("title", truncate(&e.message.subject, 250)),
            ("message", truncate(&e.message.text, 1024)),
            ("priority", priority.to_string()),
            ("timestamp", e.occurred_at.timestamp().to_string()),
        ];
        if priority == 2 {
            form.push(("retry", c.retry_seconds.to_string()));
            form.push(("expire", c.expire_seconds.to_string()));
            if let Some(tag) = tag {
                form.push(("tags", tag.to_owned()));
            }
        }
        // A longer link is refused rather than cut (a cut link leads nowhere).
        if let Some(link) = e.message.link.as_ref().filter(|l| l.chars().count() <= 512) {
            form.push(("url", link.clone()));
        }
        if let Some(device) = &c.device {
            form.push(("device", device.clone()));
        }
        let message = form_post(format!("{base}/1/messages.json"), &form);
        match (e.event, cancel) {
            (NotificationEvent::Acknowledged, Some(cancel)) => Outgoing::Http(cancel),
            (NotificationEvent::Resolved, Some(cancel)) => {
                Outgoing::HttpMany(vec![cancel, message])
            }
            _ => Outgoing::Http(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::channels::shared::fixtures::{envelope, facts, message};
    use crate::notify::channels::{ChannelConfig, ChannelKind};
    use serde_json::json;

    fn config() -> PushoverConfig {
        let json = json!({"appToken": "azGDORePK8gMaC0QOYAMyEEuzJnyUi",
                          "userKey": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"});
        let ChannelConfig::Pushover(c) = ChannelConfig::parse(ChannelKind::Pushover, &json).unwrap()
        else {
            panic!("pushover");
        };
        c
    }

    fn form(c: &PushoverConfig, e: &Envelope<'_>) -> Vec<(String, String)> {
        // The message: alone, or after the cancel of a resolved emergency's repeats.
        let r = match Pushover::outgoing(c, e, &[]) {
            Outgoing::Http(r) => r,
            Outgoing::HttpMany(mut sent) => sent.pop().unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(r.url, "https://api.pushover.net/1/messages.json");
        serde_html_form::from_bytes(&r.body).unwrap()
    }

    fn get<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
        form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn priority_follows_the_incident_and_emergency_repeats() {
        let (m, mut i) = (message(), facts());
        let c = config();
        let cases = [
            (Priority::Critical, NotificationEvent::Opened, "2"),
            (Priority::Major, NotificationEvent::Renotification, "2"),
            (Priority::Warning, NotificationEvent::Opened, "0"),
            (Priority::Notice, NotificationEvent::Opened, "-1"),
            (Priority::Major, NotificationEvent::Resolved, "0"),
            (Priority::Warning, NotificationEvent::Acknowledged, "0"),
        ];
        for (priority, event, expected) in cases {
            i.priority = priority;
            let mut e = envelope(&m, Some(&i));
            e.event = event;
            let f = form(&c, &e);
            assert_eq!(get(&f, "priority"), Some(expected), "{priority:?} {event:?}");
            let repeats = (get(&f, "retry"), get(&f, "expire"));
            match expected {
                "2" => assert_eq!(repeats, (Some("60"), Some("3600"))),
                _ => assert_eq!(repeats, (None, None)),
            }
        }
        let calm = PushoverConfig {
            emergency: false,
            ..config()
        };
        i.priority = Priority::Emergency;
        assert_eq!(get(&form(&calm, &envelope(&m, Some(&i))), "priority"), Some("1"));
    }

    #[test]
    fn acknowledging_an_emergency_cancels_its_repeats_by_tag() {
        let (m, i) = (message(), facts());
        let c = config();
        let opened = form(&c, &envelope(&m, Some(&i)));
        assert_eq!(get(&opened, "tags"), Some("i1"));
        let mut e = envelope(&m, Some(&i));
        e.event = NotificationEvent::Acknowledged;
        let Outgoing::Http(r) = Pushover::outgoing(&c, &e, &[]) else {
            panic!("an HTTP request");
        };
        assert_eq!(r.url, "https://api.pushover.net/1/receipts/cancel_by_tag/i1.json");
        let body: Vec<(String, String)> = serde_html_form::from_bytes(&r.body).unwrap();
        assert_eq!(body, [("token".to_owned(), c.app_token.clone())]);
        // Resolved, acknowledged or not: cancelled too, then told calmly.
        e.event = NotificationEvent::Resolved;
        let Outgoing::HttpMany(sent) = Pushover::outgoing(&c, &e, &[]) else {
            panic!("a cancel and a message");
        };
        assert_eq!((sent.len(), &sent[0]), (2, &r));
        assert_eq!(sent[1].url, "https://api.pushover.net/1/messages.json");
        let message: Vec<(String, String)> = serde_html_form::from_bytes(&sent[1].body).unwrap();
        assert_eq!(get(&message, "priority"), Some("0"));
    }

    #[test]
    fn texts_are_cut_to_pushover_limits() {
        let mut m = message();
        m.subject = "s".repeat(300);
        m.text = "t".repeat(2000);
        let f = form(&config(), &envelope(&m, None));
        assert_eq!(get(&f, "title").unwrap().len(), 250);
        assert_eq!(get(&f, "message").unwrap().len(), 1024);
        assert_eq!(get(&f, "url"), m.link.as_deref());
    }

    #[test]
    fn keys_are_secrets() {
        let stored = ChannelConfig::Pushover(config());
        let masked = stored.masked();
        assert_eq!((&masked["appToken"], &masked["userKey"]), (&json!("********"), &json!("********")));
        let mut edited = ChannelConfig::parse(ChannelKind::Pushover, &masked).unwrap();
        edited.keep_secrets_from(&stored);
        assert_eq!(edited, stored);
    }
}
