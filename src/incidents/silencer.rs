//! The seam through which `POST /incidents/bulk` action `silence` creates a silence: silences
//! belong to the silences feature, which imports incidents, so incidents cannot call it; the
//! composition root (`app::connect_features`) installs its function here once.

use std::sync::OnceLock;

use rusqlite::Connection;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, TokenId, UserId};

/// A silence over the sources of selected incidents, unchecked: the silences feature applies
/// its own rules (end, reason, how many ids a matcher names, how many silences at once).
pub struct Request {
    pub org: OrgId,
    pub user: UserId,
    /// The API token used, if any.
    pub token: Option<TokenId>,
    /// The distinct source ids, in the order first met.
    pub source_ids: Vec<String>,
    pub ends_at: Timestamp,
    pub reason: Option<String>,
    /// The field that made the selection (`ids` or `filter`), named when it is too wide.
    pub selection_field: &'static str,
}

/// Checks and creates the silence inside the caller's write; answers its id.
pub type Silencer = fn(&Connection, &Request, Timestamp) -> Result<String>;

static SILENCER: OnceLock<Silencer> = OnceLock::new();

/// Installs the silencer; later calls keep the first.
pub fn install(silencer: Silencer) {
    let _ = SILENCER.set(silencer);
}

pub fn silence(conn: &Connection, request: &Request, now: Timestamp) -> Result<String> {
    let silencer = SILENCER
        .get()
        .ok_or_else(|| Error::internal("no silencer installed"))?;
    silencer(conn, request, now)
}
