//! Checks run by remote probes: what a probe is told to check ([`Assignment`]) and what it
//! reports back ([`RemoteResult`]). These are the payload of the probe protocol, shared by the
//! server (`monitors::locations`, `probes`) and the probe itself (`probes::agent`), which is
//! this same binary: both ends compile the same types, so they cannot drift.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::check::CheckOutcome;
use super::kinds::{Kind, KindSettings};
use super::model::ErrorKind;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};

/// A probe as monitors see it: where results come from and which monitors it checks. The
/// probes feature builds it from its own table; monitors never read that table.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeLocation {
    /// The probe's id, as text: the location's key in monitors' per-location results.
    pub id: String,
    /// Its name, kept beside its results so pages show it without asking probes.
    pub name: String,
    /// Its organization; None for an instance-wide probe (it checks every organization's
    /// monitors that ask for its labels).
    pub organization_id: Option<OrgId>,
    /// `region=eu-west`: a monitor's location `region=eu-west` selects every probe with it.
    pub labels: BTreeMap<String, String>,
}

/// One monitor a probe checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub id: MonitorId,
    /// Checks run on the server's fixed grid, `schedule::next_due(id, intervalSeconds, t)` in
    /// the server's time: the probe computes the same slots.
    pub interval_seconds: u32,
    pub timeout_ms: u32,
    pub kind: Kind,
    /// The kind's settings as stored (`KindSettings::to_stored`), credentials included: the
    /// probe has to send them to the target.
    pub settings: serde_json::Value,
}

impl Assignment {
    /// The settings the probe checks with.
    pub fn check_settings(&self) -> Result<KindSettings> {
        KindSettings::from_stored(self.kind, &self.settings.to_string())
            .map_err(|e| Error::internal(format!("assignment of monitor {}: {e}", self.id)))
    }
}

/// One check's result as a probe reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemoteResult {
    pub monitor_id: MonitorId,
    /// The grid slot (server time) the check was run for.
    pub due: Timestamp,
    /// When the check ended, on the server's clock as the probe estimates it (its own clock
    /// corrected by the skew it measured).
    pub checked_at: Timestamp,
    #[serde(flatten)]
    pub outcome: RemoteOutcome,
}

/// A [`CheckOutcome`] on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemoteOutcome {
    /// `none` when the check passed.
    pub error_kind: ErrorKind,
    pub http_code: Option<u16>,
    pub response_time_ms: u32,
    /// Whether the target answered (so `responseTimeMs` is a response time).
    pub answered: bool,
    pub error: Option<String>,
    pub tls_expires_at: Option<Timestamp>,
    pub details: Option<serde_json::Value>,
}

impl From<&CheckOutcome> for RemoteOutcome {
    fn from(o: &CheckOutcome) -> RemoteOutcome {
        RemoteOutcome {
            error_kind: o.error_kind,
            http_code: o.http_code,
            response_time_ms: o.response_time_ms,
            answered: o.answered,
            error: o.error.clone(),
            tls_expires_at: o.tls_expires_at,
            details: o.details.clone(),
        }
    }
}

impl From<RemoteOutcome> for CheckOutcome {
    fn from(o: RemoteOutcome) -> CheckOutcome {
        CheckOutcome {
            error_kind: o.error_kind,
            http_code: o.http_code,
            response_time_ms: o.response_time_ms,
            answered: o.answered,
            error: o.error,
            tls_expires_at: o.tls_expires_at,
            details: o.details,
        }
    }
}

/// What the server did with a batch of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    /// Recorded as fresh: they count for the monitor's quorum.
    pub accepted: u32,
    /// Recorded but marked late (older than the monitor's interval when they arrived): kept
    /// in the location's history, not counted as fresh.
    pub late: u32,
    /// Dropped: the monitor is unknown, paused, or no longer assigned to this probe.
    pub ignored: u32,
}
