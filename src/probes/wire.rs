//! The probe protocol's envelopes, shared by the server's routes and the probe (`agent`).
//!
//! - `GET /probe/assignments?version=V&waitSeconds=S`: the probe's assignments. When `version`
//!   is the current one, the answer waits up to `waitSeconds` (at most 60, default 25) for a
//!   change and then answers the (possibly same) list: a long poll, so assignments change on
//!   the probe within a second of a change on the server, without a restart.
//! - `POST /probe/results` with [`ResultBatch`]: answers `monitors::remote::Recorded`.
//!
//! Every request carries `Authorization: Bearer <probe token>` and [`PROBE_TIME_HEADER`], the
//! probe's clock when it sent it: the server measures the probe's clock skew from it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::ProbeId;
use crate::monitors::remote::{Assignment, RemoteResult};

/// The probe's clock when it sent the request, RFC 3339 with milliseconds.
pub const PROBE_TIME_HEADER: &str = "x-probe-time";

/// What `GET /probe/assignments` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignments {
    /// Changes whenever the list (or a monitor's settings in it) changes; sent back as
    /// `?version=` to wait for the next change.
    pub version: String,
    /// The server's clock when it answered: the probe runs checks on the server's grid.
    pub server_time: Timestamp,
    pub probe: ProbeSelf,
    pub monitors: Vec<Assignment>,
}

/// The probe as registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProbeSelf {
    pub id: ProbeId,
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

/// What `POST /probe/results` takes: results in the order they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResultBatch {
    pub results: Vec<RemoteResult>,
}

/// At most this many results in one `POST /probe/results` (past it: 422 naming `results`). The
/// body must also stay within the server's 1 MiB: about 4,000 results of a few hundred bytes.
pub const MAX_RESULTS: usize = 5_000;

/// `waitSeconds` when absent, and its largest value.
pub const DEFAULT_WAIT_SECONDS: u32 = 25;
pub const MAX_WAIT_SECONDS: u32 = 60;
