//! A request's part in the audit log: the route's declaration, the principal once known, and
//! whether the entry is written. `Request::write` asks `entry` for the entry to append in the
//! same job as the change; `created` lets a creating handler name the new resource's id from
//! inside that job.

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Actor, Audit, Entry};
use crate::accounts::principal::{Credential, Principal};
use crate::clock::Timestamp;
use crate::error::Result;

#[derive(Default)]
pub struct Trail {
    declared: Audit,
    principal: OnceLock<Principal>,
    /// The organization acted on, when not the caller's current one (renaming another of theirs).
    organization: OnceLock<crate::ids::OrgId>,
    recorded: AtomicBool,
    details: Mutex<Option<serde_json::Value>>,
}

thread_local! {
    /// The id a creating handler names inside its write job. The job runs on the writer thread,
    /// and `Request::write` takes it back out right after, on the same thread, in the same job.
    static CREATED: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Harmless values known only inside the job (a bulk action's counts), the same way.
    static MORE: RefCell<Option<serde_json::Map<String, serde_json::Value>>> = const { RefCell::new(None) };
}

/// Adds harmless values (counts) to the entry of the job running now (call it inside the job).
pub fn more_details(values: serde_json::Map<String, serde_json::Value>) {
    MORE.with(|m| *m.borrow_mut() = Some(values));
}

/// Names the resource a write job just created, for its audit entry (call it inside the job).
pub fn created(id: impl std::fmt::Display) {
    CREATED.with(|c| *c.borrow_mut() = Some(id.to_string()));
}

/// What `created` left in this job, cleared (also when the job fails, so nothing leaks into the
/// next job on the thread).
fn take_created() -> Option<String> {
    CREATED.with(|c| c.borrow_mut().take())
}

/// `f`, then `entry` (if any) in the same job, naming the resource `f` created if it did.
pub(crate) fn appended<T>(
    entry: Option<Entry>,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
) -> impl FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static {
    move |conn| {
        let done = f(conn);
        let created = take_created();
        let more = MORE.with(|m| m.borrow_mut().take());
        let done = done?;
        if let Some(mut entry) = entry {
            entry.resource_id = created.or(entry.resource_id);
            if let (Some(serde_json::Value::Object(details)), Some(more)) =
                (&mut entry.details, more)
            {
                details.extend(more);
            }
            super::store::insert(conn, &entry)?;
        }
        Ok(done)
    }
}

impl Trail {
    pub fn new(declared: Audit) -> Trail {
        Trail {
            declared,
            ..Trail::default()
        }
    }

    pub(crate) fn remember(&self, principal: &Principal) {
        let _ = self.principal.set(principal.clone());
    }

    /// Files the entry in `org`'s log: a route acting on another of the caller's organizations
    /// than the current one, whose own members must see it.
    pub fn in_organization(&self, org: crate::ids::OrgId) {
        let _ = self.organization.set(org);
    }

    /// Harmless values to keep with the entry (a bulk action's counts), set before the write.
    pub fn details(&self, details: serde_json::Value) {
        *self.details.lock().unwrap_or_else(|e| e.into_inner()) = Some(details);
    }

    pub(crate) fn current_details(&self) -> Option<serde_json::Value> {
        self.details
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The entry this request's next write appends, if it is audited, authenticated and not yet
    /// logged (a handler writing twice logs once, with its first write). `resource_id` is the
    /// last path parameter; `fields` the names of the JSON body's top-level fields.
    pub(crate) fn entry(
        &self,
        params: &[(&'static str, String)],
        body: &[u8],
        address: Option<std::net::IpAddr>,
        at: Timestamp,
    ) -> Option<Entry> {
        let Audit::Audited { resource, action } = self.declared else {
            return None;
        };
        let principal = self.principal.get()?;
        if self.recorded.swap(true, Ordering::SeqCst) {
            return None;
        }
        let token = match &principal.credential {
            Credential::Token { id } => Some(*id),
            Credential::Session { .. } => None,
        };
        let fields = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
            .map(|fields| fields.keys().cloned().collect())
            .unwrap_or_default();
        Some(Entry {
            org: Some(self.organization.get().copied().unwrap_or(principal.org_id)),
            at,
            actor: Actor::User {
                id: principal.user_id,
                token,
            },
            address: address.map(|a| a.to_string()),
            resource_type: resource,
            resource_id: params.last().map(|(_, v)| v.clone()),
            action,
            fields,
            details: self
                .details
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        })
    }

    /// The write failed: the entry went with it, the next write may carry it.
    pub(crate) fn unrecord(&self) {
        self.recorded.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::roles::Role;
    use crate::ids::{OrgId, TokenId, UserId};

    fn principal() -> Principal {
        Principal {
            user_id: UserId::generate(),
            org_id: OrgId::generate(),
            role: Role::Editor,
            scopes: vec![],
            credential: Credential::Token {
                id: TokenId::generate(),
            },
        }
    }

    #[test]
    fn one_entry_per_request_with_field_names_only() {
        let at = chrono::Utc::now();
        let params = [("id", "m1".to_owned())];
        let body = br#"{"url": "https://u:secret@x", "requestHeaders": {"A": "b"}}"#;
        let audited = Audit::Audited {
            resource: "monitor",
            action: "update",
        };
        // Not audited, or nobody authenticated: no entry.
        let trail = Trail::new(Audit::NotAudited("a preview"));
        trail.remember(&principal());
        assert!(trail.entry(&params, body, None, at).is_none());
        let trail = Trail::new(audited);
        assert!(trail.entry(&params, body, None, at).is_none());

        trail.remember(&principal());
        let entry = trail.entry(&params, body, None, at).expect("an entry");
        assert_eq!(entry.resource_id.as_deref(), Some("m1"));
        let mut fields = entry.fields.clone();
        fields.sort();
        assert_eq!(fields, ["requestHeaders", "url"]);
        assert!(!format!("{entry:?}").contains("secret"));
        // Once per request; again only after the write carrying it failed.
        assert!(trail.entry(&params, body, None, at).is_none());
        trail.unrecord();
        assert!(trail.entry(&params, body, None, at).is_some());
    }

    #[test]
    fn a_created_id_is_taken_once() {
        created("abc");
        assert_eq!(take_created().as_deref(), Some("abc"));
        assert_eq!(take_created(), None);
    }
}
