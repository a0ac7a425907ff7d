//! Why a source's failure must not open a notified incident right now: it is in a maintenance
//! window, or something it depends on is down. `incidents` decides with this but knows neither
//! feature: each registers, at start-up, a "quieter" that answers for a source, and `of` asks
//! them in turn. `report::apply` opens no incident for a quiet source (its own status still
//! changes), and notifications ask before queuing anything about an open one.

use std::sync::RwLock;

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Serialize;

use super::model::SourceType;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{IncidentId, MaintenanceId, OrgId};

/// Why a source is quiet, as the API shows it next to the source's status.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum Quiet {
    /// An active maintenance window covers it until `ends_at`.
    #[serde(rename_all = "camelCase")]
    Maintenance {
        window_id: MaintenanceId,
        title: String,
        ends_at: Timestamp,
    },
    /// A source it depends on has this incident open.
    #[serde(rename_all = "camelCase")]
    Upstream {
        incident_id: IncidentId,
        source_type: SourceType,
        source_id: String,
        name: String,
    },
}

/// Answers whether the source `source_id` of `source_type` in `org` is quiet at `now`.
pub type Quieter = fn(&Connection, OrgId, SourceType, &str, Timestamp) -> Result<Option<Quiet>>;

static QUIETERS: RwLock<Vec<Quieter>> = RwLock::new(Vec::new());

/// Registers a quieter; registering the same one again changes nothing.
pub fn register(quieter: Quieter) {
    let mut all = QUIETERS.write().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|q| std::ptr::fn_addr_eq(*q, quieter)) {
        all.push(quieter);
    }
}

/// The first reason, in registration order, for the source to be quiet at `now`; None when it
/// is not (or no feature registered a quieter).
pub fn of(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: &str,
    now: Timestamp,
) -> Result<Option<Quiet>> {
    let all: Vec<Quieter> = QUIETERS.read().unwrap_or_else(|e| e.into_inner()).clone();
    for quieter in all {
        if let Some(quiet) = quieter(conn, org, source_type, source_id, now)? {
            return Ok(Some(quiet));
        }
    }
    Ok(None)
}
