//! The config document: an organization's channels, escalation policies, monitors, tasks,
//! maintenance windows and status pages, each entry the body its feature's create route takes
//! plus its `id` (see `format.md` beside this file). Entries stay JSON objects here: each
//! feature reads them with its own input type and validation, so the document accepts exactly
//! what the API accepts and never drifts from it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The only version of the format; a document of another version is refused.
pub const VERSION: u32 = 1;

/// The sections, in the order they are exported and applied (a section only refers to the
/// sections before it, but monitors' `upstreams`, which name monitors).
pub const SECTIONS: [&str; 6] = [
    "channels",
    "escalationPolicies",
    "monitors",
    "tasks",
    "maintenanceWindows",
    "statusPages",
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// Always 1.
    #[schemars(extend("enum" = [1]))]
    pub version: u32,
    /// Notification channels (`POST /notification-channels` bodies).
    #[serde(default)]
    pub channels: Vec<Entry>,
    /// Escalation policies (`POST /escalation-policies` bodies).
    #[serde(default)]
    pub escalation_policies: Vec<Entry>,
    /// Monitors of every kind (`POST /monitors` bodies).
    #[serde(default)]
    pub monitors: Vec<Entry>,
    /// Tasks (`POST /tasks` bodies; the task id is `id`).
    #[serde(default)]
    pub tasks: Vec<Entry>,
    /// Maintenance windows (`POST /maintenance-windows` bodies).
    #[serde(default)]
    pub maintenance_windows: Vec<Entry>,
    /// Status pages (`POST /status-pages` bodies).
    #[serde(default)]
    pub status_pages: Vec<Entry>,
    /// Where each value was in the text `parse` read, for errors naming the line (none for a
    /// document built in code).
    #[serde(skip)]
    pub lines: super::lines::Lines,
}

/// One entity: its stable identifier and the rest of its create body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    /// A UUID (channels, policies, monitors, windows, status pages) or the task id.
    pub id: String,
    /// The fields of the feature's create body, as that route takes them.
    #[serde(flatten)]
    pub body: Map<String, Value>,
}

impl Entry {
    pub fn new(id: impl Into<String>, body: Map<String, Value>) -> Entry {
        Entry {
            id: id.into(),
            body,
        }
    }
}

impl Document {
    /// An empty document of the current version.
    pub fn new() -> Document {
        Document {
            version: VERSION,
            ..Document::default()
        }
    }

    /// The entries of a section, by its name in `SECTIONS`.
    pub fn section(&self, name: &str) -> &[Entry] {
        match name {
            "channels" => &self.channels,
            "escalationPolicies" => &self.escalation_policies,
            "monitors" => &self.monitors,
            "tasks" => &self.tasks,
            "maintenanceWindows" => &self.maintenance_windows,
            "statusPages" => &self.status_pages,
            _ => &[],
        }
    }

    pub fn section_mut(&mut self, name: &str) -> &mut Vec<Entry> {
        match name {
            "channels" => &mut self.channels,
            "escalationPolicies" => &mut self.escalation_policies,
            "monitors" => &mut self.monitors,
            "tasks" => &mut self.tasks,
            "maintenanceWindows" => &mut self.maintenance_windows,
            _ => &mut self.status_pages,
        }
    }
}
