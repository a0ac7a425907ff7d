//! Maintenance windows as the API shows them, and what they cover.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::{MaintenanceId, MonitorId, OrgId};
use crate::incidents::model::SourceType;
use crate::limits;

/// What a window covers: the whole organization, or the sources named or tagged (any of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// Every monitor and task of the organization.
    #[serde(default)]
    pub organization: bool,
    #[serde(default)]
    #[schemars(length(max = limits::LIST))]
    pub monitor_ids: Vec<MonitorId>,
    #[serde(default)]
    #[schemars(length(max = limits::LIST), inner(length(min = 1, max = limits::TASK_ID), regex(pattern = limits::LINE)))]
    pub task_ids: Vec<String>,
    /// A metadata tag: `key` (any value) or `key=value`.
    #[serde(default)]
    #[schemars(length(min = 1, max = limits::METADATA_TAG), regex(pattern = limits::TAG))]
    pub tag: Option<String>,
}

/// One stretch of time a window is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub id: MaintenanceId,
    pub organization_id: OrgId,
    #[serde(flatten)]
    pub settings: super::settings::Settings,
    /// When someone ended it early ("end now").
    pub ended_at: Option<Timestamp>,
    /// The occurrence in force now, if any.
    pub active: Option<Occurrence>,
    /// The next occurrence to come (after the active one).
    pub next: Option<Occurrence>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A source a selection covers, as the preview lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Covered {
    /// `httpmonitor` for a monitor (any kind), `task`.
    pub source_type: SourceType,
    pub id: String,
    pub name: String,
    /// `http`, `tcp`, … or `task`.
    pub kind: String,
}

/// The soonest occurrence (in force, or next) of the windows covering a source, as its page
/// shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scheduled {
    pub window_id: MaintenanceId,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub pause_checks: bool,
}
