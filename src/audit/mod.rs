//! The audit log: who changed what, when and from where, in the organization's own log.
//!
//! One mechanism: a route declares what it changes (`Route::audited`, or `Route::audited_as` for
//! a group, the action derived from method and path), the request remembers its principal when
//! `req.principal()`/`req.require()` ran, and `req.write` appends the entry inside the same write
//! job as the change (`trail.rs`), so a rolled-back change leaves no entry. Only the NAMES of the
//! body's fields are kept, never values: any of them may be a secret (a webhook URL, a header,
//! a password in a URL). Sign-ins are not writes of a route's resource: `sign_in` records them.

mod csv;
pub mod declare;
pub mod routes;
pub mod store;
mod trail;

pub use declare::Audit;
pub(crate) use trail::appended;
pub use trail::{Trail, created, more_details};

use rusqlite::Connection;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::http::request::Request;
use crate::ids::{OrgId, TokenId, UserId};

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A person, through the dashboard or through one of their tokens.
    User { id: UserId, token: Option<TokenId> },
    /// The offline admin commands (`dutyduck user`, `dutyduck token`).
    Cli,
    /// A failed sign-in for an e-mail that has no account (the text typed is not kept: people
    /// type passwords into the e-mail field).
    Unknown,
}

/// One entry, as written.
#[derive(Debug, Clone)]
pub struct Entry {
    pub org: Option<OrgId>,
    pub at: Timestamp,
    pub actor: Actor,
    pub address: Option<String>,
    pub resource_type: &'static str,
    pub resource_id: Option<String>,
    pub action: &'static str,
    pub fields: Vec<String>,
    /// Values known to be harmless only (counts, a reason code).
    pub details: Option<serde_json::Value>,
}

/// A sign-in attempt, successful or not, in the organization the user signs in to (their
/// default one); called by `/auth/login` (and any later step of it, such as a second factor)
/// inside the write that opens the session.
pub fn sign_in(
    conn: &Connection,
    user: Option<UserId>,
    succeeded: bool,
    address: Option<std::net::IpAddr>,
    at: Timestamp,
) -> Result<()> {
    let org = match user {
        Some(id) => crate::accounts::store::default_membership(conn, id)?.map(|(org, _)| org),
        None => None,
    };
    store::insert(
        conn,
        &Entry {
            org,
            at,
            actor: match user {
                Some(id) => Actor::User { id, token: None },
                None => Actor::Unknown,
            },
            address: address.map(|a| a.to_string()),
            // The user is the actor (`userId`); a session has no id worth showing.
            resource_type: "session",
            resource_id: None,
            action: if succeeded {
                "sign_in"
            } else {
                "sign_in_failed"
            },
            fields: Vec::new(),
            details: None,
        },
    )
}

/// A change to an account made where no principal stands behind the request (accepting an
/// invitation, a password reset by link): the account is the actor, in `org`, or in its default
/// organization when None. Call it inside the write making the change.
pub fn account_event(
    conn: &Connection,
    user: UserId,
    org: Option<OrgId>,
    (resource_type, resource_id): (&'static str, String),
    action: &'static str,
    address: Option<std::net::IpAddr>,
    at: Timestamp,
) -> Result<()> {
    let org = match org {
        Some(org) => Some(org),
        None => crate::accounts::store::default_membership(conn, user)?.map(|(org, _)| org),
    };
    store::insert(
        conn,
        &Entry {
            org,
            at,
            actor: Actor::User {
                id: user,
                token: None,
            },
            address: address.map(|a| a.to_string()),
            resource_type,
            resource_id: Some(resource_id),
            action,
            fields: Vec::new(),
            details: None,
        },
    )
}

/// A refused sign-in, in a write of its own (nothing else changes). Failing to log it never
/// changes the answer (a 401 stays a 401); the login throttle bounds how many are written.
pub async fn failed_sign_in(req: &Request, user: Option<UserId>) {
    let (address, now) = (req.client_addr(), req.now());
    if let Err(e) = req
        .write(move |c| sign_in(c, user, false, address, now))
        .await
    {
        log::warn!("could not log a failed sign-in: {e}");
    }
}

/// Says what a bulk request does before it runs: its action and whether it names ids or a
/// filter (a filter's text is not kept: it is free text). Call it right after reading the body.
pub fn bulk_selection(req: &Request, action: impl serde::Serialize, by_ids: bool) {
    req.audit.details(serde_json::json!({
        "action": action,
        "selection": if by_ids { "ids" } else { "filter" },
    }));
}

/// A bulk report's counts, for its entry.
pub fn counts(report: &crate::bulk::Report) -> serde_json::Map<String, serde_json::Value> {
    serde_json::Map::from_iter([
        ("matched".to_owned(), report.matched.into()),
        ("changed".to_owned(), report.changed.into()),
        ("skipped".to_owned(), report.skipped.into()),
        ("notFound".to_owned(), report.not_found.len().into()),
    ])
}

/// The one entry of a bulk request whose batches are separate writes (`crate::bulk::run`, by
/// design): written after the last batch, with the counts, or `failed` when a batch failed (the
/// batches before it stand). The actions making one object in one write (`maintenance`,
/// `silence`) are logged by that write, their counts given inside it with `more_details`.
pub async fn bulk_done(req: &Request, report: &Result<crate::bulk::Report>) -> Result<()> {
    let mut details = req.audit.current_details().unwrap_or_default();
    if let serde_json::Value::Object(fields) = &mut details {
        match report {
            Ok(r) => fields.extend(counts(r)),
            Err(_) => {
                fields.insert("failed".into(), true.into());
            }
        }
    }
    req.audit.details(details);
    req.write(|_| Ok(())).await
}

/// A change made by an offline admin command (`dutyduck user …`, `dutyduck token …`), in the
/// command's own transaction; `fields` names what changed (never a value).
pub fn by_cli(
    conn: &Connection,
    org: Option<OrgId>,
    (resource_type, resource_id): (&'static str, String),
    action: &'static str,
    fields: &[&str],
    at: Timestamp,
) -> Result<()> {
    store::insert(
        conn,
        &Entry {
            org,
            at,
            actor: Actor::Cli,
            address: None,
            resource_type,
            resource_id: Some(resource_id),
            action,
            fields: fields.iter().map(|f| f.to_string()).collect(),
            details: None,
        },
    )
}
