//! Notification channels, events and deliveries as the API shows them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Timestamp;
use crate::ids::{ChannelId, DeliveryId, IncidentId, OrgId};
use crate::text_enum::text_enum;

/// The kinds are listed in `channels`, each with its own file.
pub use super::channels::ChannelKind;

text_enum!(
    /// What a notification is about.
    NotificationEvent {
        Opened => "opened",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
        /// Still open and nobody acknowledged it.
        Renotification => "renotification",
        Test => "test",
    }
);

text_enum!(
    DeliveryStatus {
        Pending => "pending",
        Sent => "sent",
        /// Retried for a day without success.
        GaveUp => "gaveup",
    }
);

text_enum!(
    AttemptOutcome {
        Sent => "sent",
        Failed => "failed",
        GaveUp => "gaveup",
    }
);

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: ChannelId,
    pub organization_id: OrgId,
    pub name: String,
    pub kind: ChannelKind,
    pub enabled: bool,
    /// By kind: email `{recipients, allMembers}`, webhook `{url, headers, secret}`, slack and
    /// discord `{webhookUrl}`, ntfy `{serverUrl, topic, token}`. Secrets read `********` unless
    /// you may change the channel.
    pub config: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Sends only to the member a notification is addressed to (an escalation step naming
    /// members, who choose in their preferences which personal channels wake them).
    pub personal: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: DeliveryId,
    pub channel_id: ChannelId,
    /// The incident notified of; absent for a test message. Left out rather than null, so that
    /// a client following ids from a list (a fuzzer's inferred links) never reads a null one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<IncidentId>,
    pub event: NotificationEvent,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// Told in a storm's digest: the delivery that leads it (its id is the digest's
    /// idempotency key); absent for a message of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_id: Option<DeliveryId>,
}

/// The organization's notification settings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Language of the texts sent: "en" or "fr".
    #[schemars(extend("enum" = ["en", "fr"]))]
    pub language: String,
    /// Repeat every N minutes (5 to 10080) while an incident is open and unacknowledged;
    /// null: never.
    #[schemars(range(min = *super::routing::RENOTIFY_RANGE.start(), max = *super::routing::RENOTIFY_RANGE.end()))]
    pub renotify_minutes: Option<u32>,
    /// Storm grouping: when more than this many incidents open (or resolve) within
    /// `stormWindowSeconds`, each channel gets digests instead of one message each. 1 to 1000;
    /// default 5.
    #[serde(default = "super::storm::default_threshold")]
    #[schemars(range(min = *super::storm::THRESHOLD_RANGE.start(), max = *super::storm::THRESHOLD_RANGE.end()))]
    pub storm_threshold: u32,
    /// The storm window, 10 to 3600 seconds; default 60.
    #[serde(default = "super::storm::default_window")]
    #[schemars(range(min = *super::storm::WINDOW_RANGE.start(), max = *super::storm::WINDOW_RANGE.end()))]
    pub storm_window_seconds: u32,
}
