//! `GET /overview` as the API shows it: counts that link to filtered lists, the ongoing
//! incidents, what changed lately, the maintenance to come and the instance's health.

use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::Timestamp;
use crate::health::Problem;
use crate::ids::{MaintenanceId, MonitorId};
use crate::incidents::model::{Incident, IncidentStatus};
use crate::monitors::model::MonitorStatus;
use crate::tasks::status::TaskStatus;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub generated_at: Timestamp,
    /// Absent for a token that may not read monitors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitors: Option<MonitorCounts>,
    /// Absent for a token that may not read tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<TaskCounts>,
    /// Absent for a token that may not read incidents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents: Option<OngoingIncidents>,
    /// What changed in the last 24 hours (what the principal may read of it).
    pub changes: Changes,
    /// Maintenance windows in force or starting within 7 days, soonest first (at most 20);
    /// absent for a token that may not read monitors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintenance: Option<Vec<UpcomingMaintenance>>,
    /// The instance's health, as `/healthz` and the dashboard's health banner see it.
    pub health: Health,
}

/// Monitors by status, archived ones left out. `maintenance` counts those covered by a window
/// in force now, whatever their status (they are counted in their status too).
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorCounts {
    pub total: i64,
    pub up: i64,
    pub down: i64,
    /// Failing or passing again, not confirmed yet: `suspicious` + `recovering`.
    pub degraded: i64,
    pub suspicious: i64,
    pub recovering: i64,
    /// Not checked yet since created or resumed.
    pub unknown: i64,
    /// Paused (status `inactive`).
    pub paused: i64,
    pub maintenance: i64,
}

/// Tasks by status; `maintenance` as for monitors.
#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskCounts {
    pub total: i64,
    pub healthy: i64,
    pub due: i64,
    pub running: i64,
    pub late: i64,
    pub absent: i64,
    pub failing: i64,
    pub maintenance: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OngoingIncidents {
    /// How many are ongoing, and how many of them nobody acknowledged.
    pub total: i64,
    pub unacknowledged: i64,
    /// The first 50: not acknowledged first, then the newest first.
    pub items: Vec<OngoingIncident>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OngoingIncident {
    #[serde(flatten)]
    pub incident: Incident,
    /// Seconds since it was opened.
    pub age_seconds: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// The start of the 24 hours.
    pub since: Timestamp,
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    /// Monitors and tasks whose status changed (their latest change only).
    pub status_changes: i64,
    /// The latest 50 changes of any kind, newest first.
    pub items: Vec<Change>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Change {
    /// An incident was opened (`status` is its current one) or resolved.
    #[serde(rename = "incidentOpened")]
    IncidentOpened {
        at: Timestamp,
        incident_id: crate::ids::IncidentId,
        title: String,
        status: IncidentStatus,
    },
    #[serde(rename = "incidentResolved")]
    IncidentResolved {
        at: Timestamp,
        incident_id: crate::ids::IncidentId,
        title: String,
        status: IncidentStatus,
    },
    /// A monitor's latest status change.
    #[serde(rename = "monitorStatus")]
    MonitorStatus {
        at: Timestamp,
        monitor_id: MonitorId,
        name: String,
        status: MonitorStatus,
    },
    /// A task's latest status change.
    #[serde(rename = "taskStatus")]
    TaskStatus {
        at: Timestamp,
        task_id: String,
        name: String,
        status: TaskStatus,
    },
}

impl Change {
    pub fn at(&self) -> Timestamp {
        match self {
            Change::IncidentOpened { at, .. }
            | Change::IncidentResolved { at, .. }
            | Change::MonitorStatus { at, .. }
            | Change::TaskStatus { at, .. } => *at,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpcomingMaintenance {
    pub window_id: MaintenanceId,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// In force now.
    pub in_force: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// "ok" or "degraded".
    pub status: &'static str,
    /// Empty when healthy; instance-wide facts only.
    pub problems: Vec<Problem>,
}
