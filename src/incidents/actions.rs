//! What a person does to an incident (acknowledge, resolve, comment), with its rules, in one
//! place: the single-incident routes and the bulk action both go through `perform`, so one
//! incident or ten thousand follow the same rules and leave the same timeline.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Deserialize;

use super::cause::CommentText;
use super::model::{EventType, Incident, IncidentStatus, Payload};
use super::store;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::limits;

#[derive(Debug, Clone)]
pub enum Action {
    Acknowledge,
    Resolve,
    Comment(Payload),
}

/// Why an action left an incident as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    AlreadyResolved,
    /// By the same person (another's acknowledgement does not count).
    AlreadyAcknowledged,
}

impl Skip {
    /// The reason as the bulk answer states it.
    pub fn reason(self) -> &'static str {
        match self {
            Skip::AlreadyResolved => "alreadyResolved",
            Skip::AlreadyAcknowledged => "alreadyAcknowledged",
        }
    }
}

/// The rule on the incident's status alone: a resolved incident needs no acknowledgement and
/// cannot be resolved again; anyone may comment on any incident.
pub fn refusal(action: &Action, status: IncidentStatus) -> Option<Skip> {
    match (action, status) {
        (Action::Acknowledge | Action::Resolve, IncidentStatus::Resolved) => {
            Some(Skip::AlreadyResolved)
        }
        _ => None,
    }
}

/// Does `action` to `incident` (as read inside this write) on behalf of `user`: Ok(Err(skip))
/// when it was left as it was. A comment answers its timeline event id.
pub fn perform(
    conn: &Connection,
    incident: &Incident,
    action: &Action,
    user: UserId,
    now: Timestamp,
) -> Result<std::result::Result<Option<i64>, Skip>> {
    if let Some(skip) = refusal(action, incident.status) {
        return Ok(Err(skip));
    }
    Ok(match action {
        Action::Acknowledge => match store::acknowledge(conn, incident.id, user, now)? {
            true => Ok(None),
            false => Err(Skip::AlreadyAcknowledged),
        },
        Action::Resolve => {
            store::set_status(conn, incident.id, IncidentStatus::Resolved, Some(user), now)?;
            let (org, source_type) = (incident.organization_id, incident.incident_source_type);
            super::report::ended(conn, org, source_type, incident.id, now)?;
            Ok(None)
        }
        Action::Comment(payload) => Ok(Some(store::add_event(
            conn,
            incident.id,
            now,
            Some(user),
            EventType::Comment,
            Some(payload),
        )?)),
    })
}

/// A comment's words, in the body of `POST /incidents/{id}/comment` and of a bulk comment.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct CommentInput {
    /// The comment, 1 to 10,000 characters (for one incident: required unless `payload` is
    /// given).
    #[schemars(
        length(min = 1, max = limits::TEXT),
        regex(pattern = limits::MULTILINE_REQUIRED),
        extend("type" = "string")
    )]
    pub text: Option<String>,
    /// "plain" (default) or "markdown".
    #[schemars(extend("enum" = ["plain", "markdown"]))]
    pub format: Option<String>,
}

/// A comment's payload from its body: text (1 to 10,000 characters) in `format` (plain by
/// default, or markdown), or the original dashboard's `payload` kept as given.
pub fn comment_payload(
    CommentInput { text, format }: CommentInput,
    original: Option<serde_json::Value>,
) -> Result<Payload> {
    match (text, original) {
        (Some(text), _) => {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Err(Error::invalid_field("text", "is required"));
            }
            limits::multiline("text", &text, limits::TEXT)?;
            let format = format.unwrap_or_else(|| "plain".into());
            if !matches!(format.as_str(), "plain" | "markdown") {
                return Err(Error::invalid_field("format", "must be plain or markdown"));
            }
            Ok(Payload::Comment(CommentText { text, format }))
        }
        (None, Some(original)) => Ok(Payload::Other(original)),
        (None, None) => Err(Error::invalid_field("text", "is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus::*;

    #[test]
    fn what_each_action_refuses_by_status() {
        let comment = Action::Comment(Payload::Other(serde_json::Value::Null));
        let rows = [
            (Action::Acknowledge, ToBeConfirmed, None),
            (Action::Acknowledge, Ongoing, None),
            (Action::Acknowledge, Resolved, Some(Skip::AlreadyResolved)),
            (Action::Resolve, ToBeConfirmed, None),
            (Action::Resolve, Ongoing, None),
            (Action::Resolve, Resolved, Some(Skip::AlreadyResolved)),
            (comment.clone(), ToBeConfirmed, None),
            (comment.clone(), Ongoing, None),
            (comment, Resolved, None),
        ];
        for (action, status, expected) in rows {
            assert_eq!(
                refusal(&action, status),
                expected,
                "{action:?} on {status:?}"
            );
        }
    }
}
