//! Healthchecks: the output of its `GET /api/v3/checks/` (and optionally `/api/v3/channels/`)
//! mapped to tasks. A simple check ("every timeout, grace after that") becomes a task with a
//! period, a cron check a cron task, an OnCalendar check an OnCalendar task, all in the check's
//! time zone with its grace as the start window. The API shows only the fields of a check's
//! own kind, so the kind is read from which fields are there.

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::import::{Entity, Imported, Lists, Report, slug, task_ids, validate};

/// One check as the API shows it; every field optional, as a read-only key hides some.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Check {
    pub name: String,
    pub slug: String,
    /// Space-separated.
    pub tags: String,
    pub desc: String,
    /// Seconds.
    pub grace: Option<i64>,
    /// Seconds, simple checks only.
    pub timeout: Option<i64>,
    /// Cron or OnCalendar checks only.
    pub schedule: Option<String>,
    pub tz: Option<String>,
    /// Absent with a read-only key (`unique_key` instead).
    pub uuid: Option<String>,
    pub status: String,
    pub manual_resume: bool,
    pub methods: String,
    pub filter_subject: bool,
    pub filter_body: bool,
    pub filter_http_body: bool,
    /// Comma-separated channel UUIDs.
    pub channels: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Checks {
    checks: Vec<Check>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Channel {
    pub id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Deserialize)]
struct Channels {
    channels: Vec<Channel>,
}

pub struct Options {
    /// The checks' UUIDs as the tasks' ping keys, so `/ping/<uuid>` keeps working.
    pub keep_ping_urls: bool,
}

pub fn parse_checks(text: &str) -> Result<Vec<Check>> {
    serde_json::from_str::<Checks>(text)
        .map(|c| c.checks)
        .map_err(|e| {
            Error::bad_request(
                "import_source",
                format!(
                    "not the output of Healthchecks' GET /api/v3/checks/ (line {}): {e}",
                    e.line()
                ),
            )
        })
}

pub fn parse_channels(text: &str) -> Result<Vec<Channel>> {
    serde_json::from_str::<Channels>(text)
        .map(|c| c.channels)
        .map_err(|e| {
            Error::bad_request(
                "import_source",
                format!(
                    "not the output of Healthchecks' GET /api/v3/channels/ (line {}): {e}",
                    e.line()
                ),
            )
        })
}

pub fn map(checks: &[Check], channels: &[Channel], options: &Options) -> Imported {
    let mut report = Report::default();
    let mut lists = Lists::default();
    for c in channels {
        let name = if c.name.is_empty() {
            format!("{} {}", c.kind, c.id)
        } else {
            c.name.clone()
        };
        report.skipped(
            Entity::Channel,
            &name,
            format!(
                "the API shows a channel's kind ({}) but not its settings: add it by hand in \
                 Notifications, then pick it on the tasks",
                c.kind
            ),
        );
    }
    let candidates: Vec<(String, String)> = checks.iter().map(ids).collect();
    let chosen = task_ids::choose(&candidates);
    let mut taken = HashSet::new();
    for ((check, id), (_, alt)) in checks.iter().zip(chosen).zip(candidates) {
        let mut notes = Vec::new();
        let entry = if taken.insert(id.clone()) {
            task(check, id.clone(), options, &mut notes)
                .and_then(|e| validate::task(&e).map(|()| e))
        } else {
            Err(format!("another check has the id {id:?} too"))
        };
        let name = if check.name.is_empty() {
            check.slug.clone()
        } else {
            check.name.clone()
        };
        match entry {
            Err(why) => report.skipped(Entity::Task, &name, why),
            Ok(mut e) => {
                if alt != id {
                    e[task_ids::ALT_ID] = alt.into();
                }
                let how = ["periodSeconds", "cronSchedule", "onCalendar"]
                    .into_iter()
                    .find(|k| e.get(*k).is_some())
                    .unwrap_or("ad hoc");
                report.imported(
                    Entity::Task,
                    &name,
                    format!("task {:?}, {how}", e["id"].as_str().unwrap_or_default()),
                );
                for note in notes {
                    report.approximated(Entity::Task, &name, note);
                }
                lists.tasks.push(e);
            }
        }
    }
    if checks
        .iter()
        .any(|c| c.channels.as_deref().is_some_and(|l| !l.is_empty()))
    {
        report.skipped(
            Entity::Other,
            "check → channel links",
            "channels cannot be imported, so the tasks notify the organization's channels \
             (pick channels per task once they exist)",
        );
    }
    Imported {
        document: lists.document(),
        report,
    }
}

/// The check's task id (its slug, or its name's) and the id derived from its origin, used
/// when the slug is another's: the slug and the start of its UUID.
fn ids(c: &Check) -> (String, String) {
    // Characters, not bytes: a UUID field may hold anything, and a byte slice through a
    // multi-byte character panics.
    let prefix: Option<String> = c.uuid.as_deref().map(|u| u.chars().take(8).collect());
    let fallback = prefix
        .as_deref()
        .map_or("healthchecks-check".to_owned(), |p| format!("hc-{p}"));
    let base = if c.slug.is_empty() {
        slug(&c.name, &fallback)
    } else {
        c.slug.clone()
    };
    let alt = match prefix {
        Some(p) => slug(&format!("{base}-{p}"), &base),
        None => base.clone(),
    };
    (base, alt)
}

fn task(
    c: &Check,
    id: String,
    options: &Options,
    notes: &mut Vec<String>,
) -> std::result::Result<Value, String> {
    let mut e = json!({"id": id});
    if !c.name.is_empty() {
        e["name"] = c.name.clone().into();
    }
    if !c.desc.is_empty() {
        e["description"] = c.desc.clone().into();
    }
    match (&c.schedule, c.timeout) {
        (Some(schedule), _) if is_cron(schedule) => e["cronSchedule"] = schedule.clone().into(),
        (Some(schedule), _) => e["onCalendar"] = schedule.clone().into(),
        (None, Some(timeout)) => {
            let period = timeout.clamp(60, 31_536_000);
            if period != timeout {
                notes.push(format!("period {timeout} s → {period} s"));
            }
            e["periodSeconds"] = period.into();
        }
        (None, None) => return Err("it has neither a timeout nor a schedule".into()),
    }
    if c.schedule.is_some() {
        e["timezone"] = c.tz.clone().unwrap_or_else(|| "UTC".into()).into();
    }
    if let Some(grace) = c.grace {
        e["startWindowSeconds"] = grace.clamp(5, 31_536_000).into();
    }
    if options.keep_ping_urls {
        match &c.uuid {
            Some(uuid) => e["pingKey"] = uuid.to_lowercase().into(),
            None => notes.push("no UUID in the export (read-only key): new ping URL".into()),
        }
    }
    if !c.tags.trim().is_empty() {
        notes.push(format!(
            "tags {:?} not kept: dutyduck tasks have no tags",
            c.tags.trim()
        ));
    }
    if c.status == "paused" {
        notes.push("paused in Healthchecks: imported active (tasks cannot be paused)".into());
    }
    if !c.methods.is_empty() {
        notes.push(format!(
            "only {} pings counted in Healthchecks: dutyduck counts any method",
            c.methods
        ));
    }
    if c.filter_subject || c.filter_body || c.filter_http_body {
        notes.push(
            "keyword filters (start, success, failure words) not kept: use /start and /fail".into(),
        );
    }
    Ok(e)
}

/// Healthchecks' cron is five fields; OnCalendar expressions carry a time (`09:00`), a date
/// (`*-*-*`), several lines or a shorthand (`daily`).
fn is_cron(schedule: &str) -> bool {
    !schedule.contains(':') && !schedule.contains('\n') && schedule.split_whitespace().count() == 5
}
