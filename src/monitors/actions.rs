//! Pausing, resuming, archiving, deleting and tagging a monitor, with their rules, in one place:
//! the single-monitor routes and `POST /monitors/bulk` both go through `perform`, and both tell
//! the scheduler with `reschedule` after the commit.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::incident::close as close_incidents;
use super::model::{Monitor, MonitorStatus};
use super::schedule::Cadence;
use super::scheduler::Scheduler;
use super::store;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::limits;

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Pause,
    Resume,
    Archive,
    Delete,
    /// Sets the metadata `key` to `value`, or removes the key when `value` is None.
    Tag {
        key: String,
        value: Option<String>,
    },
}

/// Why an action left a monitor as it was (as the bulk answer states it).
pub type Skip = &'static str;

/// The rule on the monitor as it stands: Some(reason) when the action leaves it as it was.
pub fn refusal(
    action: &Action,
    status: MonitorStatus,
    tags: &BTreeMap<String, String>,
) -> Option<Skip> {
    let archived = status == MonitorStatus::Archived;
    let paused = status == MonitorStatus::Inactive;
    match action {
        Action::Delete => None,
        Action::Archive if archived => Some("alreadyArchived"),
        Action::Archive => None,
        // An archived monitor is not checked again, nor changed.
        _ if archived => Some("archived"),
        Action::Pause if paused => Some("alreadyPaused"),
        Action::Resume if !paused => Some("alreadyActive"),
        Action::Tag { key, value } if tags.get(key) == value.as_ref() => Some("unchanged"),
        Action::Tag {
            key,
            value: Some(_),
        } if !tags.contains_key(key) && tags.len() >= limits::METADATA => Some("tooManyTags"),
        _ => None,
    }
}

/// Does `action` to `current` (as read inside this write): the monitor afterwards (None once
/// deleted), or why it was left as it was.
pub fn perform(
    c: &Connection,
    current: Monitor,
    action: &Action,
    now: Timestamp,
) -> Result<std::result::Result<Option<Monitor>, Skip>> {
    if let Some(skip) = refusal(action, current.status, &current.settings.metadata) {
        return Ok(Err(skip));
    }
    let (org, id) = (current.organization_id, current.id);
    match action {
        Action::Pause | Action::Resume => {
            let resume = *action == Action::Resume;
            store::set_active(c, &current, resume, now)?;
            if !resume {
                close_incidents(c, org, id, now)?;
            }
        }
        Action::Archive => {
            store::archive(c, org, id, now)?;
            close_incidents(c, org, id, now)?;
        }
        Action::Delete => {
            let depended_on = super::upstreams::has_dependents(c, id)?;
            store::delete(c, org, id)?;
            // Its incidents went with it: what depended on it is quiet no more.
            if depended_on {
                crate::incidents::source::reevaluate(c, org, now)?;
            }
            return Ok(Ok(None));
        }
        Action::Tag { key, value } => {
            let mut settings = current.settings.clone();
            match value {
                Some(value) => settings.metadata.insert(key.clone(), value.clone()),
                None => settings.metadata.remove(key),
            };
            store::update_settings(c, &current, &settings, now)?;
        }
    }
    Ok(Ok(store::get_any(c, id)?))
}

/// A tag as a client sends it: key and value within the limits of metadata.
pub fn tag(key: String, value: Option<String>) -> Result<Action> {
    if key.is_empty() {
        return Err(Error::invalid_field("tag.key", "must not be empty"));
    }
    limits::line("tag.key", &key, limits::METADATA_KEY)?;
    if let Some(value) = &value {
        limits::line("tag.value", value, limits::METADATA_VALUE)?;
    }
    Ok(Action::Tag { key, value })
}

/// Tells the scheduler of a committed change: `before` is the due time read inside the write,
/// `after` the monitor afterwards (None once deleted). Re-adding an unchanged due time could
/// repeat a check that is in flight.
pub fn reschedule(
    scheduler: &Scheduler,
    id: crate::ids::MonitorId,
    before: Option<Timestamp>,
    after: Option<&Monitor>,
) {
    let after_due = after.and_then(|m| Some((m.next_check_at?, m)));
    if after_due.map(|(due, _)| due) != before {
        match after_due {
            Some((due, m)) => scheduler.schedule(id, due, Cadence::of(&m.settings)),
            None => scheduler.unschedule(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MonitorStatus::*;

    #[test]
    fn what_each_action_refuses_by_status_and_tags() {
        let tags = BTreeMap::from([("team".to_owned(), "web".to_owned())]);
        let tag = |value: Option<&str>| Action::Tag {
            key: "team".into(),
            value: value.map(str::to_owned),
        };
        let rows = [
            (Action::Pause, Up, None),
            (Action::Pause, Down, None),
            (Action::Pause, Inactive, Some("alreadyPaused")),
            (Action::Pause, Archived, Some("archived")),
            (Action::Resume, Inactive, None),
            (Action::Resume, Up, Some("alreadyActive")),
            (Action::Resume, Archived, Some("archived")),
            (Action::Archive, Up, None),
            (Action::Archive, Inactive, None),
            (Action::Archive, Archived, Some("alreadyArchived")),
            (Action::Delete, Up, None),
            (Action::Delete, Archived, None),
            (tag(Some("ops")), Up, None),
            (tag(Some("ops")), Inactive, None),
            (tag(Some("web")), Up, Some("unchanged")),
            (tag(None), Up, None),
            (tag(Some("ops")), Archived, Some("archived")),
        ];
        for (action, status, expected) in rows {
            assert_eq!(
                refusal(&action, status, &tags),
                expected,
                "{action:?} on {status:?}"
            );
        }
        let untagged = Action::Tag {
            key: "x".into(),
            value: None,
        };
        assert_eq!(refusal(&untagged, Up, &tags), Some("unchanged"));
        let full: BTreeMap<String, String> = (0..limits::METADATA)
            .map(|i| (i.to_string(), String::new()))
            .collect();
        let new_key = Action::Tag {
            key: "x".into(),
            value: Some("y".into()),
        };
        assert_eq!(refusal(&new_key, Up, &full), Some("tooManyTags"));
        let same_key = Action::Tag {
            key: "1".into(),
            value: Some("y".into()),
        };
        assert_eq!(refusal(&same_key, Up, &full), None);
    }
}
