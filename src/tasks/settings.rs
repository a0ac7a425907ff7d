//! What a user sets on a task, validated: the body of `POST /tasks`, `PATCH /tasks/{id}` and the
//! `newTask` of a start. Every refusal is a 422 naming the field.

use schemars::JsonSchema;
use serde::Deserialize;

use super::status::{HEARTBEAT_TIMEOUT, LATENESS_WINDOW, START_WINDOW, window};
use crate::cron::{Schedule, ScheduleError};
use crate::error::{Error, Result};
use crate::limits;
use crate::serde_util::present;

/// Task fields. On create every field but `id` is optional (null or absent = default); on PATCH
/// an absent field keeps its value and null resets it (clears the schedule or description,
/// restores a window's default).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskInput {
    /// Chosen by you, unique in the organization: no spaces, at most 200 characters
    /// (ignored on PATCH and in `newTask`).
    #[schemars(length(min = 1, max = limits::TASK_ID), regex(pattern = NEW_ID_PATTERN))]
    pub id: Option<String>,
    /// Default: the id.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = limits::NAME), regex(pattern = limits::LINE_OR_EMPTY))]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = limits::DESCRIPTION), regex(pattern = limits::MULTILINE))]
    pub description: Option<Option<String>>,
    /// Unix cron, 5 fields (`30 2 * * *`) or a macro (`@daily`); null for an ad-hoc task.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = limits::CRON), regex(pattern = crate::cron::CRON_PATTERN))]
    pub cron_schedule: Option<Option<String>>,
    /// Expected every N seconds (60–31536000), counted from the last ping as Healthchecks
    /// does; alerts `startWindowSeconds` after that. Excludes `cronSchedule` and `onCalendar`.
    #[serde(default, deserialize_with = "present")]
    #[schemars(range(min = super::timing::PERIOD.0, max = super::timing::PERIOD.1))]
    pub period_seconds: Option<Option<u32>>,
    /// systemd OnCalendar expressions, one per line (`Mon..Fri 09:00`, `*-*-01 02:00`,
    /// `daily`), read in `timezone` unless a line ends with its own. Excludes `cronSchedule`
    /// and `periodSeconds`.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = super::timing::ON_CALENDAR), regex(pattern = super::timing::ON_CALENDAR_PATTERN))]
    pub on_calendar: Option<Option<String>>,
    /// IANA time zone of the schedule, default UTC.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = limits::TIME_ZONE), extend("enum" = crate::cron::zone_names()))]
    pub timezone: Option<Option<String>>,
    /// How long after an occurrence a start is on time, the grace (5–31536000, default 120).
    #[serde(default, deserialize_with = "present")]
    #[schemars(range(min = START_WINDOW.1, max = START_WINDOW.2))]
    pub start_window_seconds: Option<Option<u32>>,
    /// How long after the start window a late task becomes absent (5–3600, default 240).
    #[serde(default, deserialize_with = "present")]
    #[schemars(range(min = LATENESS_WINDOW.1, max = LATENESS_WINDOW.2))]
    pub lateness_window_seconds: Option<Option<u32>>,
    /// A run without a heartbeat for this long is dead (10–3600, default 30).
    #[serde(default, deserialize_with = "present")]
    #[schemars(range(min = HEARTBEAT_TIMEOUT.1, max = HEARTBEAT_TIMEOUT.2))]
    pub heartbeat_timeout_seconds: Option<Option<u32>>,
    /// The secret of its ping URLs, when you choose it (to keep a Healthchecks check's UUID or
    /// an Uptime Kuma push token working): 8–128 letters, digits, '-' or '_', or a UUID (stored
    /// lowercase). Default on create: a random one. 409 `ping_key_taken` when in use. Ignored in
    /// `newTask`.
    #[schemars(regex(pattern = super::ping_keys::KEY_PATTERN))]
    pub ping_key: Option<String>,
    #[serde(flatten)]
    pub routing: crate::notify::routing::RoutingInput,
    #[serde(flatten)]
    pub upstreams: crate::monitors::upstreams::UpstreamsInput,
}

impl crate::http::openapi::OnCreate for TaskInput {
    const REQUIRED: &'static [&'static str] = &["id"];
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskSettings {
    pub name: String,
    pub description: Option<String>,
    pub cron_schedule: Option<String>,
    pub timezone: String,
    pub start_window_seconds: u32,
    pub lateness_window_seconds: u32,
    pub heartbeat_timeout_seconds: u32,
    pub period_seconds: Option<u32>,
    pub on_calendar: Option<String>,
}

/// What `check_id` takes, for the document: no spaces or control characters, not "." or "..".
pub const ID_PATTERN: &str = "^(?!\\.\\.?$)[^\\s\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]+$";

/// What a new task's id may be, for the document: as `ID_PATTERN`, and none of `RESERVED_IDS`.
pub const NEW_ID_PATTERN: &str = "^(?!\\.\\.?$)(?!(?:bulk|new|schedule-preview)$)[^\\s\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]+$";

/// Ids that are literal paths under `/tasks/`: the API's `POST /tasks/bulk` and
/// `POST /tasks/schedule-preview`, and the dashboard's `/tasks/new` page. A task with one of them would be unreachable at its own path, so no new
/// task takes one (a test checks the routes and the dashboard's pages against this list).
pub const RESERVED_IDS: [&str; 3] = ["bulk", "new", "schedule-preview"];

/// A new task's id is not one of `RESERVED_IDS`.
pub fn check_not_reserved(id: &str) -> Result<()> {
    if RESERVED_IDS.contains(&id) {
        return Err(Error::invalid_field(
            "id",
            format!(
                "{id:?} is reserved: /tasks/{id} is a path of its own, so a task with this id could not be reached; choose another"
            ),
        ));
    }
    Ok(())
}

/// A task id in a path, for the document (`check_id`).
pub struct TaskIdParam;

impl schemars::JsonSchema for TaskIdParam {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TaskId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": limits::TASK_ID,
            "pattern": ID_PATTERN,
        })
    }
}

/// A task id as given in a body or path: non-empty, no whitespace or control characters
/// (as the original product; they are used verbatim in URLs and crontabs).
pub fn check_id(id: &str) -> Result<String> {
    if id.is_empty() {
        return Err(Error::invalid_field("id", "must not be empty"));
    }
    limits::line("id", id, limits::TASK_ID)?;
    if id == "." || id == ".." {
        return Err(Error::invalid_field(
            "id",
            "cannot be \".\" or \"..\" (browsers and proxies rewrite them out of URLs)",
        ));
    }
    if let Some(c) = id.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_field(
            "id",
            format!("must not contain spaces or control characters (found {c:?})"),
        ));
    }
    Ok(id.to_owned())
}

impl TaskSettings {
    pub fn defaults(id: &str) -> TaskSettings {
        TaskSettings {
            name: id.to_owned(),
            description: None,
            cron_schedule: None,
            timezone: "UTC".to_owned(),
            start_window_seconds: START_WINDOW.0,
            lateness_window_seconds: LATENESS_WINDOW.0,
            heartbeat_timeout_seconds: HEARTBEAT_TIMEOUT.0,
            period_seconds: None,
            on_calendar: None,
        }
    }

    /// A task made by its first ping (`/ping/{orgKey}/{id}?create=1`): an ad-hoc task, the one
    /// place to give such tasks a schedule of their own.
    pub fn created_by_ping(id: &str) -> TaskSettings {
        TaskSettings::defaults(id)
    }

    /// These settings with `input` applied, validated as a whole (a new time zone is checked
    /// against the current schedule and the other way round).
    pub fn apply(mut self, id: &str, input: TaskInput) -> Result<TaskSettings> {
        let kind = super::timing::given_kind(&input)?;
        if let Some(name) = input.name {
            self.name = limits::optional("name", name, limits::NAME, limits::line)?
                .unwrap_or_else(|| id.to_owned());
        }
        if let Some(description) = input.description {
            self.description = limits::optional(
                "description",
                description,
                limits::DESCRIPTION,
                limits::multiline,
            )?;
        }
        if let Some(cron) = input.cron_schedule {
            self.cron_schedule =
                limits::optional("cronSchedule", cron, limits::CRON, limits::line)?;
        }
        super::timing::apply_kinds(&mut self, kind, input.period_seconds, input.on_calendar)?;
        if let Some(zone) = input.timezone {
            self.timezone = limits::optional("timezone", zone, limits::TIME_ZONE, limits::line)?
                .unwrap_or_else(|| "UTC".to_owned());
        }
        if let Some(v) = input.start_window_seconds {
            self.start_window_seconds = window("startWindowSeconds", v, START_WINDOW)?;
        }
        if let Some(v) = input.lateness_window_seconds {
            self.lateness_window_seconds = window("latenessWindowSeconds", v, LATENESS_WINDOW)?;
        }
        if let Some(v) = input.heartbeat_timeout_seconds {
            self.heartbeat_timeout_seconds =
                window("heartbeatTimeoutSeconds", v, HEARTBEAT_TIMEOUT)?;
        }
        // Validates the zone even for an ad-hoc task, so it is right when a schedule comes.
        Schedule::parse("@daily", &self.timezone)?;
        self.schedule()?;
        super::timing::check(&self, kind)?;
        Ok(self)
    }

    /// The parsed schedule; None for an ad-hoc task.
    pub fn schedule(&self) -> Result<Option<Schedule>> {
        self.cron_schedule
            .as_deref()
            .map(|c| parse_schedule(c, &self.timezone))
            .transpose()
    }
}

/// Parses a schedule; a bad cron expression is a 400, as the original product's clients
/// expect, a bad time zone a 422.
pub fn parse_schedule(cron: &str, zone: &str) -> Result<Schedule> {
    Schedule::parse(cron, zone).map_err(|e| match e {
        ScheduleError::Cron(_) => Error::bad_request(
            "invalid_cron_schedule",
            format!("{}: {}", e.field(), e.problem()),
        )
        .in_field(e.field()),
        ScheduleError::Zone(_) => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> TaskInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_nulls_and_absent_fields() {
        let s = TaskSettings::defaults("backup")
            .apply(
                "backup",
                input(r#"{"name": null, "cronSchedule": "0 2 * * *"}"#),
            )
            .unwrap();
        assert_eq!(s.name, "backup");
        assert_eq!(s.cron_schedule.as_deref(), Some("0 2 * * *"));
        assert_eq!(
            (
                s.start_window_seconds,
                s.lateness_window_seconds,
                s.heartbeat_timeout_seconds
            ),
            (120, 240, 30)
        );
        // PATCH: absent keeps, null clears or restores the default.
        let s = s
            .apply(
                "backup",
                input(r#"{"startWindowSeconds": 60, "description": "nightly"}"#),
            )
            .unwrap();
        assert_eq!(s.cron_schedule.as_deref(), Some("0 2 * * *"));
        assert_eq!(s.start_window_seconds, 60);
        let s = s
            .apply(
                "backup",
                input(r#"{"cronSchedule": null, "startWindowSeconds": null}"#),
            )
            .unwrap();
        assert_eq!((s.cron_schedule, s.start_window_seconds), (None, 120));
        assert_eq!(s.description.as_deref(), Some("nightly"));
    }

    #[test]
    fn refusals_name_the_field() {
        let cases = [
            (r#"{"cronSchedule": "61 * * * *"}"#, "cronSchedule"),
            (r#"{"cronSchedule": "0 0 30 2 *"}"#, "cronSchedule"),
            (r#"{"cronSchedule": "* * * * * *"}"#, "cronSchedule"),
            (r#"{"timezone": "Mars/Olympus"}"#, "timezone"),
            (r#"{"startWindowSeconds": 4}"#, "startWindowSeconds"),
            (
                r#"{"latenessWindowSeconds": 3601}"#,
                "latenessWindowSeconds",
            ),
            (
                r#"{"heartbeatTimeoutSeconds": 5}"#,
                "heartbeatTimeoutSeconds",
            ),
        ];
        for (json, field) in cases {
            let e = TaskSettings::defaults("t")
                .apply("t", input(json))
                .unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{json}: {}", e.message);
        }
    }

    #[test]
    fn reserved_ids_are_refused_and_left_out_of_the_document() {
        for id in RESERVED_IDS {
            let e = check_not_reserved(id).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("id"));
        }
        assert!(check_not_reserved("bulk-export").is_ok());
        let listed = format!("(?!(?:{})$)", RESERVED_IDS.join("|"));
        assert!(NEW_ID_PATTERN.contains(&listed), "{NEW_ID_PATTERN}");
        assert_eq!(NEW_ID_PATTERN.replace(&listed, ""), ID_PATTERN);
    }

    /// Every literal path segment under `/tasks/`, in the API's routes and the dashboard's
    /// pages, is reserved.
    #[test]
    fn every_literal_path_under_tasks_is_reserved() {
        let mut literals: Vec<String> = crate::routes::all()
            .iter()
            .filter_map(|r| r.path.strip_prefix("/tasks/"))
            .filter_map(|rest| rest.split('/').next())
            .filter(|segment| !segment.starts_with('{'))
            .map(str::to_owned)
            .collect();
        let main = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/app/main.js"),
        )
        .unwrap();
        for page in main.split("BASE + '/tasks/").skip(1) {
            let segment = page.split(['/', '\'']).next().unwrap();
            if !segment.starts_with(':') {
                literals.push(segment.to_owned());
            }
        }
        assert!(literals.contains(&"bulk".to_owned()), "{literals:?}");
        for literal in literals {
            assert!(RESERVED_IDS.contains(&literal.as_str()), "{literal}");
        }
    }

    #[test]
    fn ids() {
        assert!(check_id("nightly-backup.db_2").is_ok());
        assert!(check_id("réseau/sauvegarde").is_ok());
        for bad in ["", ".", "..", "has space", "tab\there", &"x".repeat(201)] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }
}
