//! Applying a document in one transaction, and planning it (the same, rolled back).

use rusqlite::Connection;

use super::document::Document;
use super::plan::Plan;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::OrgId;

/// What applying `document` to `org` would change; changes nothing.
pub fn plan(conn: &Connection, org: OrgId, document: &Document, prune: bool) -> Result<Plan> {
    let _ = (conn, org, document, prune);
    Err(Error::internal("config::plan is being written"))
}

/// Applies `document` to `org`: all of it or, at the first error, nothing.
pub fn apply(
    conn: &Connection,
    org: OrgId,
    document: &Document,
    prune: bool,
    now: Timestamp,
) -> Result<Plan> {
    let _ = (conn, org, document, prune, now);
    Err(Error::internal("config::apply is being written"))
}
