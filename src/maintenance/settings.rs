//! What a user sets on a maintenance window, validated: the body of `POST /maintenance-windows`
//! and `PUT /maintenance-windows/{id}`. Every refusal is a 422 naming the field.

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::Selection;
use super::rules::Timing;
use crate::clock::Timestamp;
use crate::cron::Schedule;
use crate::error::{Error, Result};
use crate::limits;

/// A recurring occurrence lasts at most a week.
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;
/// A one-off window lasts at most a year.
pub const MAX_ONE_OFF_DAYS: i64 = 366;

/// A window: one-off (`startsAt`, `endsAt`) or recurring (`cronSchedule`, `durationMinutes`,
/// `timezone`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowInput {
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE))]
    pub title: String,
    #[serde(default)]
    #[schemars(length(max = limits::DESCRIPTION), regex(pattern = limits::MULTILINE))]
    pub description: Option<String>,
    /// One-off: when it begins.
    #[serde(default)]
    pub starts_at: Option<Timestamp>,
    /// One-off: when it ends (after `startsAt`).
    #[serde(default)]
    pub ends_at: Option<Timestamp>,
    /// Recurring: Unix cron, 5 fields (`0 2 * * 0`: Sundays at 02:00) or a macro.
    #[serde(default)]
    #[schemars(length(min = 1, max = limits::CRON), regex(pattern = crate::cron::CRON_PATTERN))]
    pub cron_schedule: Option<String>,
    /// Recurring: IANA time zone the schedule is read in, default UTC.
    #[serde(default)]
    #[schemars(extend("enum" = crate::cron::zone_names()))]
    pub timezone: Option<String>,
    /// Recurring: how long each occurrence lasts (1 minute to 7 days).
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_DURATION_MINUTES))]
    pub duration_minutes: Option<u32>,
    pub selection: Selection,
    /// Make no checks of the monitors covered while it is in force (default: checks go on,
    /// their results marked).
    #[serde(default)]
    pub pause_checks: bool,
}

impl crate::http::openapi::OnCreate for WindowInput {
    const REQUIRED: &'static [&'static str] = &["title", "selection"];
}

/// A window's settings, valid (and as the API shows them).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub title: String,
    pub description: Option<String>,
    /// A one-off window's start (null for a recurring one).
    pub starts_at: Option<Timestamp>,
    /// A one-off window's end.
    pub ends_at: Option<Timestamp>,
    /// A recurring window starts at each occurrence of this cron expression…
    pub cron_schedule: Option<String>,
    /// …read in this IANA time zone…
    pub timezone: String,
    /// …and lasts this long.
    pub duration_minutes: Option<u32>,
    pub selection: Selection,
    /// Checks of the monitors covered are not made while it is in force.
    pub pause_checks: bool,
}

impl Settings {
    /// Checks every field but whether the selected ids exist (the store knows).
    pub fn from_input(input: WindowInput) -> Result<Settings> {
        let title = limits::required_line("title", &input.title, limits::NAME)?;
        let description = limits::optional(
            "description",
            input.description,
            limits::DESCRIPTION,
            limits::multiline,
        )?;
        let timezone = input
            .timezone
            .map(|z| z.trim().to_owned())
            .filter(|z| !z.is_empty())
            .unwrap_or_else(|| "UTC".to_owned());
        limits::line("timezone", &timezone, limits::TIME_ZONE)?;
        let cron = input
            .cron_schedule
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        match &cron {
            Some(cron) => {
                limits::line("cronSchedule", cron, limits::CRON)?;
                Schedule::parse(cron, &timezone)?;
                for (field, given) in [("startsAt", input.starts_at), ("endsAt", input.ends_at)] {
                    if given.is_some() {
                        return Err(Error::invalid_field(
                            field,
                            "a recurring window has none: its occurrences start at cronSchedule and last durationMinutes",
                        ));
                    }
                }
                let minutes = input.duration_minutes.ok_or_else(|| {
                    Error::invalid_field("durationMinutes", "is required for a recurring window")
                })?;
                limits::range("durationMinutes", minutes, 1, MAX_DURATION_MINUTES)?;
            }
            None => {
                let starts_at = input.starts_at.ok_or_else(|| {
                    Error::invalid_field(
                        "startsAt",
                        "is required (or cronSchedule for a recurring window)",
                    )
                })?;
                let ends_at = input
                    .ends_at
                    .ok_or_else(|| Error::invalid_field("endsAt", "is required"))?;
                if ends_at <= starts_at {
                    return Err(Error::invalid_field("endsAt", "must be after startsAt"));
                }
                if ends_at - starts_at > Duration::days(MAX_ONE_OFF_DAYS) {
                    return Err(Error::invalid_field(
                        "endsAt",
                        format!("a window lasts at most {MAX_ONE_OFF_DAYS} days"),
                    ));
                }
                if input.duration_minutes.is_some() {
                    return Err(Error::invalid_field(
                        "durationMinutes",
                        "only a recurring window (with cronSchedule) has one",
                    ));
                }
            }
        }
        Ok(Settings {
            title,
            description,
            starts_at: input.starts_at.filter(|_| cron.is_none()),
            ends_at: input.ends_at.filter(|_| cron.is_none()),
            duration_minutes: input.duration_minutes.filter(|_| cron.is_some()),
            cron_schedule: cron,
            timezone,
            selection: selection(input.selection)?,
            pause_checks: input.pause_checks,
        })
    }

    /// When it is in force.
    pub fn timing(&self) -> Result<Timing> {
        match (
            &self.cron_schedule,
            self.duration_minutes,
            self.starts_at,
            self.ends_at,
        ) {
            (Some(cron), Some(minutes), _, _) => Ok(Timing::Recurring {
                schedule: Box::new(Schedule::parse(cron, &self.timezone)?),
                duration: Duration::minutes(minutes.into()),
            }),
            (None, _, Some(starts_at), Some(ends_at)) => Ok(Timing::Once { starts_at, ends_at }),
            _ => Err(Error::invalid_field("startsAt", "is required")),
        }
    }
}

/// A selection that selects something, its text valid.
fn selection(mut s: Selection) -> Result<Selection> {
    limits::count("selection.monitorIds", s.monitor_ids.len(), limits::LIST)?;
    limits::count("selection.taskIds", s.task_ids.len(), limits::LIST)?;
    for id in &s.task_ids {
        limits::line("selection.taskIds", id, limits::TASK_ID)?;
    }
    s.monitor_ids.sort();
    s.monitor_ids.dedup();
    s.task_ids.sort();
    s.task_ids.dedup();
    s.tag = limits::optional("selection.tag", s.tag, limits::METADATA_TAG, limits::line)?;
    if s.tag.as_deref().is_some_and(|t| t.starts_with('=')) {
        return Err(Error::invalid_field(
            "selection.tag",
            "needs a key: key or key=value",
        ));
    }
    if !s.organization && s.monitor_ids.is_empty() && s.task_ids.is_empty() && s.tag.is_none() {
        return Err(Error::invalid_field(
            "selection",
            "select the organization, monitors, tasks or a tag",
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(body: serde_json::Value) -> Option<String> {
        let input: WindowInput = serde_json::from_value(body).unwrap();
        Settings::from_input(input).err().and_then(|e| e.field)
    }

    /// Each refusal names its field; row: body, field (None: accepted).
    #[test]
    fn refusals_name_the_field() {
        let all = json!({"organization": true});
        let rows = [
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T12:00:00Z", "selection": all}),
                None,
            ),
            (
                json!({"title": "Up", "cronSchedule": "0 2 * * 0", "timezone": "Europe/Paris", "durationMinutes": 120, "selection": all}),
                None,
            ),
            (
                json!({"title": " ", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T12:00:00Z", "selection": all}),
                Some("title"),
            ),
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T09:00:00Z", "selection": all}),
                Some("endsAt"),
            ),
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T10:00:00Z", "selection": all}),
                Some("endsAt"),
            ),
            (
                json!({"title": "Up", "endsAt": "2026-12-06T10:00:00Z", "selection": all}),
                Some("startsAt"),
            ),
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "selection": all}),
                Some("endsAt"),
            ),
            (
                json!({"title": "Up", "cronSchedule": "0 25 * * *", "durationMinutes": 60, "selection": all}),
                Some("cronSchedule"),
            ),
            (
                json!({"title": "Up", "cronSchedule": "0 2 * * 0", "timezone": "Mars/Olympus", "durationMinutes": 60, "selection": all}),
                Some("timezone"),
            ),
            (
                json!({"title": "Up", "cronSchedule": "0 2 * * 0", "selection": all}),
                Some("durationMinutes"),
            ),
            (
                json!({"title": "Up", "cronSchedule": "0 2 * * 0", "durationMinutes": 0, "selection": all}),
                Some("durationMinutes"),
            ),
            (
                json!({"title": "Up", "cronSchedule": "0 2 * * 0", "durationMinutes": 60, "startsAt": "2026-12-06T10:00:00Z", "selection": all}),
                Some("startsAt"),
            ),
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T12:00:00Z", "selection": {}}),
                Some("selection"),
            ),
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T12:00:00Z", "selection": {"tag": "=web"}}),
                Some("selection.tag"),
            ),
            (
                json!({"title": "Up", "startsAt": "2026-12-06T10:00:00Z", "endsAt": "2026-12-06T12:00:00Z", "selection": {"tag": "team=web"}}),
                None,
            ),
        ];
        for (body, field) in rows {
            assert_eq!(field_of(body.clone()).as_deref(), field, "{body}");
        }
    }
}
