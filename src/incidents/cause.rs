//! Why an incident exists (`Cause`) and what a timeline event carries (`Payload`), as types.
//! Both are stored as JSON text and shown as is by the API; rows whose JSON none of the types
//! fits (written by hand, or by a future version) are kept whole in an `Other` variant, so
//! reading never loses anything.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::model::{Priority, SourceType};
use crate::clock::Timestamp;
use crate::ids::{ChannelId, DeliveryId, SilenceId};
use crate::text_enum::text_enum;

text_enum!(
    /// Why a check failed (the original product's kinds, plus ours for assertions, TLS, slowness and packet loss).
    ErrorKind {
        Unknown => "unknown",
        None => "none",
        /// The status code is not an accepted one (a redirect not followed included).
        HttpCode => "httpcode",
        /// Connection refused, reset, or the name did not resolve.
        Connect => "connect",
        /// The request could not be built (bad header value…).
        Builder => "builder",
        Request => "request",
        /// Too many redirects.
        Redirect => "redirect",
        /// The body could not be read.
        Body => "body",
        Decode => "decode",
        Timeout => "timeout",
        /// The content assertion failed.
        Assertion => "assertion",
        /// The TLS handshake failed (certificate invalid, expired, wrong host…).
        Tls => "tls",
        /// The response came slower than the monitor's response-time threshold (for a ping,
        /// the average round trip).
        Slow => "slow",
        /// More ping packets lost than the monitor allows (some replies came; none is a timeout).
        Loss => "loss",
    }
);

/// A field that must be present, even when null: without it, `{}` would read as any struct
/// whose fields are all optional.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

/// The incident's cause, tagged by `causeType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "causeType")]
pub enum Cause {
    /// A monitor's failing checks: the latest, and the earlier different ones.
    #[serde(rename_all = "camelCase")]
    HttpMonitorIncidentCause {
        last_ping: Ping,
        previous_pings: Vec<Ping>,
    },
    /// A monitor's TLS certificate inside its warning window.
    #[serde(rename_all = "camelCase")]
    TlsCertificateExpiry {
        expires_at: Timestamp,
        days_left: i64,
    },
    /// A task that is late, absent, failed or whose run went silent.
    TaskIncidentCause(TaskTrouble),
    /// Declared by hand (or by dutyduck about itself): what the declarer wrote.
    Manual { description: String },
    /// JSON none of the above fits, kept as stored.
    #[serde(untagged)]
    Other(Value),
}

/// One check as an incident's cause remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ping {
    pub error_kind: ErrorKind,
    #[serde(deserialize_with = "nullable")]
    pub http_code: Option<u16>,
    #[serde(deserialize_with = "nullable")]
    pub error: Option<String>,
}

impl Ping {
    /// Whether it failed the same way as `other`: same kind, same HTTP code. The error text is
    /// for people and does not make a new failure (it can vary from check to check).
    pub fn same_failure(&self, other: &Ping) -> bool {
        self.error_kind == other.error_kind && self.http_code == other.http_code
    }
}

/// What went wrong with a task, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TaskTrouble {
    /// The occurrence due at `dueAt` did not start within the start window.
    #[serde(rename_all = "camelCase")]
    Late { due_at: Timestamp },
    /// Nor within the lateness window.
    #[serde(rename_all = "camelCase")]
    Absent { due_at: Timestamp },
    #[serde(rename_all = "camelCase")]
    Failed {
        run_started_at: Timestamp,
        #[serde(deserialize_with = "nullable")]
        exit_code: Option<i32>,
        #[serde(deserialize_with = "nullable")]
        error_message: Option<String>,
    },
    /// A run stopped sending heartbeats.
    #[serde(rename_all = "camelCase")]
    Dead {
        run_started_at: Timestamp,
        #[serde(deserialize_with = "nullable")]
        last_heartbeat_at: Option<Timestamp>,
    },
}

impl TaskTrouble {
    /// The word stored as `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            TaskTrouble::Late { .. } => "late",
            TaskTrouble::Absent { .. } => "absent",
            TaskTrouble::Failed { .. } => "failed",
            TaskTrouble::Dead { .. } => "dead",
        }
    }
}

impl Cause {
    /// The kind of a task's trouble; None for other causes.
    pub fn task_kind(&self) -> Option<&'static str> {
        match self {
            Cause::TaskIncidentCause(trouble) => Some(trouble.kind()),
            _ => None,
        }
    }

    /// The latest check of a monitor's cause.
    pub fn last_ping(&self) -> Option<&Ping> {
        match self {
            Cause::HttpMonitorIncidentCause { last_ping, .. } => Some(last_ping),
            _ => None,
        }
    }

    pub fn from_json(text: &str) -> Option<Cause> {
        serde_json::from_str(text).ok()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("causes serialize")
    }
}

/// The check behind a timeline event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckSummary {
    pub error_kind: ErrorKind,
    #[serde(deserialize_with = "nullable")]
    pub http_code: Option<u16>,
    #[serde(deserialize_with = "nullable")]
    pub response_time_ms: Option<u32>,
    #[serde(deserialize_with = "nullable")]
    pub error: Option<String>,
}

/// A delivery attempt on a notification channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationAttempt {
    pub delivery_id: DeliveryId,
    pub channel_id: ChannelId,
    pub channel_name: String,
    /// The channel's kind, as `/notification-channels` names it (email, webhook, telegram…).
    pub channel_kind: String,
    /// opened, acknowledged, resolved or renotification.
    pub event: String,
    /// sent, failed (retried at `nextAttemptAt`) or gaveup.
    pub outcome: String,
    pub attempt: u32,
    #[serde(deserialize_with = "nullable")]
    pub error: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub next_attempt_at: Option<Timestamp>,
}

/// `notificationssilenced`: a silence holds the incident's notifications until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SilencedNotifications {
    pub silence_id: SilenceId,
    pub until: Timestamp,
    /// The silence's reason (may be empty).
    pub reason: String,
}

/// A monitor event about its TLS certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TlsSeen {
    #[serde(deserialize_with = "nullable")]
    pub tls_expires_at: Option<Timestamp>,
}

/// The run a task event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunFacts {
    pub run_started_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentText {
    pub text: String,
    /// plain or markdown.
    pub format: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityChange {
    pub priority: Priority,
}

/// The task that went away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskDeleted {
    pub task_id: String,
    pub name: String,
}

/// The maintenance window a source was in while it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaintenanceFacts {
    pub window_id: crate::ids::MaintenanceId,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// `dependentsuppressed`: the dependent whose failure was folded into this incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DependentAffected {
    pub source_type: SourceType,
    pub source_id: String,
    pub name: String,
}

/// `escalation`: what an escalation policy did (a step sent, a wait run out, the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EscalationNote {
    /// fired, timedout, exhausted or stopped.
    pub escalation: String,
    pub policy_name: String,
    /// 0 the first time through the steps, then 1 for the first repeat…
    pub round: u32,
    /// 1-based step number (0 for exhausted and stopped).
    pub step: u32,
    /// The wait that ran out (timedout), in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// How many notifications the step queued (fired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued: Option<u32>,
}

/// A cause this version knows (not `Cause::Other`), so unknown JSON stays `Payload::Other`.
fn known_cause<'de, D: Deserializer<'de>>(d: D) -> Result<Cause, D::Error> {
    match Cause::deserialize(d)? {
        Cause::Other(_) => Err(serde::de::Error::custom("not a known cause")),
        cause => Ok(cause),
    }
}

/// What a timeline event carries, by event type. Untagged: each shape is told apart by its
/// fields, so the JSON is the same as before these types existed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Payload {
    /// Task trouble (`tasklate`, `taskabsent`, `taskrunfailed`, `taskrundead`): the cause it
    /// made.
    Cause(#[serde(deserialize_with = "known_cause")] Cause),
    /// Monitor events: the check behind it.
    Check(CheckSummary),
    /// `monitorpinged` about a renewed TLS certificate.
    Tls(TlsSeen),
    /// `taskrunstarted`, `taskrunsucceeded`, `taskrunaborted`.
    Run(RunFacts),
    Comment(CommentText),
    PriorityChanged(PriorityChange),
    Notification(NotificationAttempt),
    /// `notificationssilenced`.
    Silenced(SilencedNotifications),
    /// `sourcedeleted`.
    TaskDeleted(TaskDeleted),
    /// `maintenanceended`: the window the source was in.
    Maintenance(MaintenanceFacts),
    /// `dependentsuppressed`.
    Dependent(DependentAffected),
    /// `escalation`.
    Escalation(EscalationNote),
    /// Anything else, kept as given (a comment in the original dashboard's `{"editorjsData": …}`).
    Other(Value),
}

impl Payload {
    pub fn from_json(text: &str) -> Option<Payload> {
        serde_json::from_str(text).ok()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("payloads serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// JSON as the previous release wrote it reads into the types and writes back the same.
    #[test]
    fn stored_json_round_trips() {
        let causes = [
            json!({"causeType": "HttpMonitorIncidentCause",
                   "lastPing": {"errorKind": "httpcode", "httpCode": 503, "error": null},
                   "previousPings": [{"errorKind": "timeout", "httpCode": null, "error": "timed out"}]}),
            json!({"causeType": "TlsCertificateExpiry", "expiresAt": "2026-12-10T00:00:00Z", "daysLeft": 6}),
            json!({"causeType": "TaskIncidentCause", "kind": "late", "dueAt": "2026-11-30T02:00:00Z"}),
            json!({"causeType": "TaskIncidentCause", "kind": "failed", "runStartedAt": "2026-11-30T02:00:00.123Z",
                   "exitCode": 3, "errorMessage": null}),
            json!({"causeType": "TaskIncidentCause", "kind": "dead", "runStartedAt": "2026-11-30T02:00:00Z",
                   "lastHeartbeatAt": null}),
            json!({"causeType": "Manual", "description": "The database refuses writes."}),
            json!("free text"),
            json!({"causeType": "Future", "what": 1}),
        ];
        for cause in causes {
            let typed: Cause = serde_json::from_value(cause.clone()).unwrap();
            assert_eq!(serde_json::to_value(&typed).unwrap(), cause, "{typed:?}");
        }
        assert!(matches!(
            Cause::from_json(
                r#"{"causeType":"TaskIncidentCause","kind":"absent","dueAt":"2026-11-30T02:00:00Z"}"#
            ),
            Some(Cause::TaskIncidentCause(TaskTrouble::Absent { .. }))
        ));
        assert!(matches!(
            Cause::from_json(r#"{"causeType":"Future"}"#),
            Some(Cause::Other(_))
        ));

        let payloads = [
            (
                json!({"errorKind": "httpcode", "httpCode": 503, "responseTimeMs": 12, "error": null}),
                "Check",
            ),
            (json!({"tlsExpiresAt": "2027-01-01T00:00:00Z"}), "Tls"),
            (json!({"tlsExpiresAt": null}), "Tls"),
            (json!({"runStartedAt": "2026-11-30T02:00:00Z"}), "Run"),
            (json!({"text": "on it", "format": "markdown"}), "Comment"),
            (json!({"priority": "critical"}), "PriorityChanged"),
            (
                json!({"deliveryId": "0193a3c4-0000-7000-8000-000000000001",
                       "channelId": "0193a3c4-0000-7000-8000-000000000002", "channelName": "ops",
                       "channelKind": "webhook", "event": "opened", "outcome": "failed", "attempt": 1,
                       "error": "HTTP 500", "nextAttemptAt": "2026-11-30T02:00:30Z"}),
                "Notification",
            ),
            (
                json!({"taskId": "backup", "name": "Nightly backup"}),
                "TaskDeleted",
            ),
            (
                json!({"windowId": "0193a3c4-0000-7000-8000-000000000003", "title": "Upgrade",
                       "startsAt": "2026-11-29T01:00:00Z", "endsAt": "2026-11-29T03:00:00Z"}),
                "Maintenance",
            ),
            (
                json!({"causeType": "TaskIncidentCause", "kind": "late", "dueAt": "2026-11-30T02:00:00Z"}),
                "Cause",
            ),
            (
                json!({"sourceType": "httpmonitor", "sourceId": "m1", "name": "Shop"}),
                "Dependent",
            ),
            (json!({"editorjsData": {"blocks": []}}), "Other"),
            (json!({}), "Other"),
            (
                json!({"text": "extra", "format": "plain", "more": 1}),
                "Other",
            ),
        ];
        for (payload, variant) in payloads {
            let typed: Payload = serde_json::from_value(payload.clone()).unwrap();
            assert!(format!("{typed:?}").starts_with(variant), "{typed:?}");
            assert_eq!(serde_json::to_value(&typed).unwrap(), payload, "{typed:?}");
        }
    }
}
