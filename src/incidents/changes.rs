//! The one hook through which an incident's changes reach whoever listens (notifications):
//! every creation, status change and acknowledgement calls `emit` inside the write that made
//! it, so a committed change is never left unannounced and a rolled-back one never announced.
//! `incidents` does not know its listener: the composition root (`App::new`) installs it once.

use std::sync::OnceLock;

use rusqlite::Connection;

use super::model::IncidentStatus;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{IncidentId, OrgId};
use crate::store::signals::{self, Subject};

/// What happened to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub incident: IncidentId,
    pub org: OrgId,
    /// None: it was just created.
    pub before: Option<IncidentStatus>,
    pub after: IncidentStatus,
    /// Someone acknowledged it (for the first time for them).
    pub acknowledged: bool,
}

pub type Listener = fn(&Connection, &Change, Timestamp) -> Result<()>;

static LISTENER: OnceLock<Listener> = OnceLock::new();

/// Installs the listener; later calls keep the first (every `App` installs the same one).
pub fn listen(listener: Listener) {
    let _ = LISTENER.set(listener);
}

/// Tells the listener, if one is installed, inside the caller's write; live pages hear of it
/// after the commit.
pub fn emit(conn: &Connection, change: &Change, now: Timestamp) -> Result<()> {
    signals::changed(change.org, Subject::Incidents);
    match LISTENER.get() {
        Some(listener) => listener(conn, change, now),
        None => Ok(()),
    }
}
