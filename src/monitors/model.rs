//! HTTP monitors as the API shows them: their status, why a check failed, and the monitor
//! itself (its settings live in `settings`).

use schemars::JsonSchema;
use serde::Serialize;

use super::settings::Settings;
use crate::clock::Timestamp;
use crate::ids::{MonitorId, OrgId};
use crate::text_enum::text_enum;

text_enum!(
    /// Up, suspicious (failing, not confirmed yet), down, recovering (passing, not confirmed yet).
    MonitorStatus {
        /// Active, not checked since (re)activation ("Pending").
        Unknown => "unknown",
        /// Paused.
        Inactive => "inactive",
        Up => "up",
        /// Successes after failures, below the recovery threshold.
        Recovering => "recovering",
        /// Failures below the downtime threshold.
        Suspicious => "suspicious",
        Down => "down",
        Archived => "archived",
    }
);

/// Why a check failed: the vocabulary incidents remember too, so it lives with them.
pub use crate::incidents::cause::ErrorKind;

/// A monitor as stored and returned by the API.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Monitor {
    pub id: MonitorId,
    pub organization_id: OrgId,
    /// What the user set; flattened into the monitor's JSON.
    #[serde(flatten)]
    pub settings: Settings,
    /// What is checked, written as a URL whatever the kind (`https://…`, `tcp://host:port`):
    /// what incidents and notifications name. Credentials in it are hidden from readers.
    pub target: String,
    pub status: MonitorStatus,
    pub status_counter: u32,
    pub error_kind: ErrorKind,
    pub last_http_code: Option<u16>,
    pub last_response_time_ms: Option<u32>,
    pub last_error: Option<String>,
    /// What the last check saw beyond pass or fail (a DNS answer, ping round trips, a
    /// certificate), as its kind describes it; null for HTTP.
    pub last_check_details: Option<serde_json::Value>,
    pub tls_expires_at: Option<Timestamp>,
    pub first_check_at: Option<Timestamp>,
    pub last_check_at: Option<Timestamp>,
    pub next_check_at: Option<Timestamp>,
    pub last_status_change_at: Timestamp,
    pub archived_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Which channels its incidents notify, and how often they repeat.
    #[serde(flatten)]
    pub routing: crate::notify::routing::Routing,
    /// The monitors this one depends on (`upstreams`), in the order given.
    pub upstreams: Vec<MonitorId>,
    /// Why a failure opens no notified incident now (a maintenance window, an upstream's
    /// incident); absent when none. The dashboard shows `maintenance` / `down (upstream)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet: Option<crate::incidents::quiet::Quiet>,
}
