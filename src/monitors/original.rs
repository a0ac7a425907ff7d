//! The original product's monitor shapes, for the clients written against it at
//! `/http-monitors` (`original_routes.rs`): its create/update command, with tags under
//! `metadata.records`, headers under `requestHeaders.headers` and one switch per transport
//! (`emailNotificationEnabled`, `pushNotificationEnabled`, `smsNotificationEnabled`), and its
//! `HttpMonitor` answer. `/monitors` keeps dutyduck's own shape.
//!
//! dutyduck routes notifications per channel, not per transport. The switches are kept as sent
//! (so those clients read back what they wrote) and turned into a choice of channels when
//! saved: every channel of the organization except those of a transport switched off (e-mail
//! channels for e-mail, web push for push, SMS for SMS), or simply every channel — those added
//! later included — when the organization has none of a transport switched off. Choosing
//! channels through `/monitors` forgets the switches; they are then read from the channels
//! chosen.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{KindInput, KindSettings, http::HttpInput};
use super::model::{ErrorKind, Monitor, MonitorStatus};
use super::settings::{MAX_CONFIRMATIONS, MAX_INTERVAL, MIN_INTERVAL, MonitorInput};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ChannelId, MonitorId, OrgId};
use crate::limits;
use crate::notify::channels::ChannelKind;
use crate::notify::routing::RoutingInput;

/// The original `CreateHttpMonitorCommand` / `UpdateHttpMonitorCommand`. Every field is
/// optional here: absent ones take their default on create and keep their value on update.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "HttpMonitorCommand")]
pub struct OriginalInput {
    /// http:// or https:// URL; required on create.
    #[schemars(length(min = 1, max = limits::URL), regex(pattern = limits::URL_PATTERN))]
    pub url: Option<String>,
    #[schemars(range(min = MIN_INTERVAL, max = MAX_INTERVAL))]
    pub interval_seconds: Option<u32>,
    #[schemars(range(min = 1, max = MAX_CONFIRMATIONS))]
    pub recovery_confirmation_threshold: Option<u32>,
    #[schemars(range(min = 1, max = MAX_CONFIRMATIONS))]
    pub downtime_confirmation_threshold: Option<u32>,
    /// Create paused with false; on update, false pauses and true resumes.
    pub is_active: Option<bool>,
    pub metadata: Option<Records>,
    pub email_notification_enabled: Option<bool>,
    pub push_notification_enabled: Option<bool>,
    pub sms_notification_enabled: Option<bool>,
    pub request_headers: Option<Headers>,
    #[schemars(range(min = 1, max = super::settings::MAX_TIMEOUT_MS))]
    pub request_timeout_ms: Option<u32>,
}

impl crate::http::openapi::OnCreate for OriginalInput {
    const REQUIRED: &'static [&'static str] = &["url"];
}

/// Tags, as `{"records": {"key": "value"}}`.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Records {
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[schemars(schema_with = "limits::metadata_schema")]
    pub records: BTreeMap<String, String>,
}

/// Request headers, as `{"headers": {"Name": "value"}}`.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Headers {
    #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
    #[schemars(schema_with = "limits::headers_schema")]
    pub headers: BTreeMap<String, String>,
}

/// The three transport switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switches {
    pub email: bool,
    pub push: bool,
    pub sms: bool,
}

impl Switches {
    /// The original product's defaults: e-mail and push on, SMS off.
    pub const DEFAULT: Switches = Switches {
        email: true,
        push: true,
        sms: false,
    };

    /// Whether a channel of `kind` is reached: kinds of no transport always are.
    fn reaches(self, kind: ChannelKind) -> bool {
        match kind {
            ChannelKind::Email => self.email,
            ChannelKind::WebPush => self.push,
            ChannelKind::Sms => self.sms,
            _ => true,
        }
    }
}

impl OriginalInput {
    /// The switches sent, those absent taken from `current`.
    pub fn switches(&self, current: Switches) -> Switches {
        Switches {
            email: self.email_notification_enabled.unwrap_or(current.email),
            push: self.push_notification_enabled.unwrap_or(current.push),
            sms: self.sms_notification_enabled.unwrap_or(current.sms),
        }
    }

    /// Whether any switch was sent.
    pub fn sets_switches(&self) -> bool {
        self.email_notification_enabled.is_some()
            || self.push_notification_enabled.is_some()
            || self.sms_notification_enabled.is_some()
    }

    /// dutyduck's input for the same settings (the switches apart: see `routing_for`).
    pub fn into_monitor_input(self) -> MonitorInput {
        MonitorInput {
            request_timeout_ms: self.request_timeout_ms,
            interval_seconds: self.interval_seconds,
            downtime_confirmation_threshold: self.downtime_confirmation_threshold,
            recovery_confirmation_threshold: self.recovery_confirmation_threshold,
            metadata: self.metadata.map(|m| m.records),
            is_active: self.is_active,
            settings: KindInput {
                http: HttpInput {
                    url: self.url,
                    request_headers: self.request_headers.map(|h| h.headers),
                    ..HttpInput::default()
                },
                ..KindInput::default()
            },
            ..MonitorInput::default()
        }
    }
}

/// The channels a monitor with `switches` notifies: every channel (null, so channels added
/// later are notified too) unless the organization has channels of a transport switched off;
/// then every channel but those, as they stand now.
pub fn routing_for(conn: &Connection, org: OrgId, switches: Switches) -> Result<RoutingInput> {
    let all = crate::notify::store::list(conn, org)?;
    let excludes = all.iter().any(|c| !switches.reaches(c.channel.kind));
    let channels = excludes.then(|| {
        all.into_iter()
            .filter(|c| switches.reaches(c.channel.kind))
            .map(|c| c.channel.id)
            .collect::<Vec<ChannelId>>()
    });
    Ok(RoutingInput {
        notification_channels: Some(channels),
        ..RoutingInput::default()
    })
}

/// The switches as last sent through `/http-monitors`, if the channels were not chosen since.
pub fn stored_switches(conn: &Connection, id: MonitorId) -> Result<Option<Switches>> {
    let json: Option<Option<String>> = conn
        .prepare_cached("SELECT original_flags FROM monitors WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(json.flatten().and_then(|j| serde_json::from_str(&j).ok()))
}

/// Keeps the switches sent (after the routing they imply was stored: storing a routing forgets
/// them).
pub fn store_switches(conn: &Connection, id: MonitorId, switches: Switches) -> Result<()> {
    let json = serde_json::to_string(&switches).expect("switches serialize");
    conn.prepare_cached("UPDATE monitors SET original_flags = ?2 WHERE id = ?1")?
        .execute(params![id, json])?;
    Ok(())
}

/// The switches of a monitor whose channels were chosen through `/monitors`: a transport is on
/// when the monitor notifies every channel, or one of that transport.
pub fn switches_of_channels(conn: &Connection, monitor: &Monitor) -> Result<Switches> {
    let Some(chosen) = &monitor.routing.notification_channels else {
        return Ok(Switches {
            email: true,
            push: true,
            sms: true,
        });
    };
    let kinds: Vec<ChannelKind> = crate::notify::store::list(conn, monitor.organization_id)?
        .into_iter()
        .filter(|c| chosen.contains(&c.channel.id))
        .map(|c| c.channel.kind)
        .collect();
    Ok(Switches {
        email: kinds.contains(&ChannelKind::Email),
        push: kinds.contains(&ChannelKind::WebPush),
        sms: kinds.contains(&ChannelKind::Sms),
    })
}

/// The original `HttpMonitor`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpMonitor {
    pub organization_id: OrgId,
    pub id: MonitorId,
    pub created_at: Timestamp,
    pub url: String,
    pub first_ping_at: Option<Timestamp>,
    pub next_ping_at: Option<Timestamp>,
    pub last_ping_at: Option<Timestamp>,
    pub last_status_change_at: Timestamp,
    pub recovery_confirmation_threshold: u32,
    pub downtime_confirmation_threshold: u32,
    pub interval_seconds: u32,
    pub last_http_code: Option<u16>,
    pub status: MonitorStatus,
    pub status_counter: u32,
    pub error_kind: ErrorKind,
    pub metadata: Records,
    pub email_notification_enabled: bool,
    pub push_notification_enabled: bool,
    pub sms_notification_enabled: bool,
    pub archived_at: Option<Timestamp>,
    pub request_headers: Headers,
    pub request_timeout_ms: u32,
}

impl HttpMonitor {
    /// The original shape of an HTTP monitor (None for another kind, which those clients do not
    /// know). `m` is already redacted for its reader.
    pub fn of(m: Monitor, switches: Switches) -> Option<HttpMonitor> {
        let KindSettings::Http(http) = m.settings.kind else {
            return None;
        };
        Some(HttpMonitor {
            organization_id: m.organization_id,
            id: m.id,
            created_at: m.created_at,
            url: http.url,
            first_ping_at: m.first_check_at,
            next_ping_at: m.next_check_at,
            last_ping_at: m.last_check_at,
            last_status_change_at: m.last_status_change_at,
            recovery_confirmation_threshold: m.settings.recovery_confirmation_threshold,
            downtime_confirmation_threshold: m.settings.downtime_confirmation_threshold,
            interval_seconds: m.settings.interval_seconds,
            last_http_code: m.last_http_code,
            status: m.status,
            status_counter: m.status_counter,
            error_kind: m.error_kind,
            metadata: Records {
                records: m.settings.metadata,
            },
            email_notification_enabled: switches.email,
            push_notification_enabled: switches.push,
            sms_notification_enabled: switches.sms,
            archived_at: m.archived_at,
            request_headers: Headers {
                headers: http.request_headers,
            },
            request_timeout_ms: m.settings.request_timeout_ms,
        })
    }
}

/// The original `FilterableMetadata`: each tag key with its values and how many monitors carry
/// each (its inner keys are snake_case, as the original's were).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FilterableMetadata {
    pub items: Vec<MetadataKey>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MetadataKey {
    pub key: String,
    pub distinct_values: Vec<MetadataValue>,
    /// How many distinct values the key has.
    pub key_cardinality: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MetadataValue {
    pub value: String,
    /// How many monitors carry it (the original always said 1).
    pub value_count: i64,
}

impl FilterableMetadata {
    pub fn of(facets: BTreeMap<String, BTreeMap<String, i64>>) -> FilterableMetadata {
        let items = facets
            .into_iter()
            .map(|(key, values)| MetadataKey {
                key,
                key_cardinality: values.len(),
                distinct_values: values
                    .into_iter()
                    .map(|(value, value_count)| MetadataValue { value, value_count })
                    .collect(),
            })
            .collect();
        FilterableMetadata { items }
    }
}

/// The switches to show for `m`: as sent, or read from its channels.
pub fn switches(conn: &Connection, m: &Monitor) -> Result<Switches> {
    match stored_switches(conn, m.id)? {
        Some(s) => Ok(s),
        None => switches_of_channels(conn, m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switched_off_transport_leaves_out_its_channels_only() {
        let no_sms = Switches::DEFAULT;
        assert!(no_sms.reaches(ChannelKind::Email));
        assert!(no_sms.reaches(ChannelKind::WebPush));
        assert!(!no_sms.reaches(ChannelKind::Sms));
        let none = Switches {
            email: false,
            push: false,
            sms: false,
        };
        assert!(!none.reaches(ChannelKind::Email));
        assert!(none.reaches(ChannelKind::Slack));
    }

    #[test]
    fn absent_switches_keep_their_value() {
        let input = OriginalInput {
            sms_notification_enabled: Some(true),
            ..OriginalInput::default()
        };
        assert!(input.sets_switches());
        assert_eq!(
            input.switches(Switches::DEFAULT),
            Switches {
                email: true,
                push: true,
                sms: true
            }
        );
        assert!(!OriginalInput::default().sets_switches());
    }
}
