//! Incidents as the API shows them (the original product's shape), and their timeline events.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::Timestamp;
use crate::ids::{IncidentId, OrgId, UserId};
use crate::text_enum::text_enum;

text_enum!(
    IncidentStatus {
        /// Opened by a suspicious monitor, not confirmed yet; hidden from default lists.
        ToBeConfirmed => "tobeconfirmed",
        Ongoing => "ongoing",
        Resolved => "resolved",
    }
);

text_enum!(
    Priority {
        Emergency => "emergency",
        Critical => "critical",
        Major => "major",
        Minor => "minor",
        Warning => "warning",
        Notice => "notice",
    }
);

text_enum!(
    SourceType {
        HttpMonitor => "httpmonitor",
        /// A monitor's TLS certificate close to expiry.
        TlsCertificate => "tlscertificate",
        Task => "task",
        /// Declared by hand.
        Manual => "manual",
    }
);

text_enum!(
    EventType {
        Creation => "creation",
        Confirmation => "confirmation",
        Resolution => "resolution",
        Comment => "comment",
        Acknowledged => "acknowledged",
        PriorityChanged => "prioritychanged",
        MonitorPinged => "monitorpinged",
        MonitorSwitchedToRecovering => "monitorswitchedtorecovering",
        MonitorSwitchedToSuspicious => "monitorswitchedtosuspicious",
        MonitorSwitchedToDown => "monitorswitchedtodown",
        /// A scheduled task did not start within its start window.
        TaskLate => "tasklate",
        /// Nor within its lateness window.
        TaskAbsent => "taskabsent",
        TaskRunStarted => "taskrunstarted",
        TaskRunSucceeded => "taskrunsucceeded",
        TaskRunFailed => "taskrunfailed",
        /// A run stopped sending heartbeats.
        TaskRunDead => "taskrundead",
        TaskRunAborted => "taskrunaborted",
        /// The monitor or task behind it was deleted; the incident is closed with it.
        SourceDeleted => "sourcedeleted",
        /// A delivery attempt on a notification channel: sent, failed (retried) or given up.
        Notification => "notification",
        /// A silence holds its notifications until a time (payload `{silenceId, until, reason}`).
        NotificationsSilenced => "notificationssilenced",
        /// Opened when a maintenance window covering its source ended, the source still failing.
        MaintenanceEnded => "maintenanceended",
        /// A source depending on this incident's source failed meanwhile: its own incident was
        /// not opened (one event per dependent and incident).
        DependentSuppressed => "dependentsuppressed",
        /// An escalation policy sent a step, waited in vain, or stopped.
        Escalation => "escalation",
    }
);

pub use super::cause::{Cause, CheckSummary, Payload};

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserName {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    pub id: IncidentId,
    pub organization_id: OrgId,
    pub title: String,
    pub status: IncidentStatus,
    pub priority: Priority,
    pub incident_source_type: SourceType,
    pub incident_source_id: Option<String>,
    /// What opened it, by `causeType`.
    pub cause: Option<Cause>,
    pub metadata: BTreeMap<String, String>,
    pub created_by: Option<UserName>,
    pub acknowledged_by: Vec<UserName>,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    pub id: i64,
    pub incident_id: IncidentId,
    pub created_at: Timestamp,
    pub event_type: EventType,
    pub user: Option<UserName>,
    /// Depends on the type: a check for monitor events, `{text, format}` for comments…
    pub payload: Option<Payload>,
}
