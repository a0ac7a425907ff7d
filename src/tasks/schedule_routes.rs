//! `POST /tasks/schedule-preview`: the dashboard's task form shows the next expected times of a
//! schedule of any kind as the user types, and the same refusal a save would give.

use schemars::JsonSchema;
use serde::Serialize;
use warp::reply::Response;

use super::settings::{TaskInput, TaskSettings};
use super::timing::Timing;
use crate::accounts::roles::Permission::ReadTasks;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

/// How many expected times a preview shows.
const COUNT: usize = 5;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Tasks",
        vec![
            Route::post("/tasks/schedule-preview", preview)
                .not_audited("a preview computes dates and changes nothing")
                .summary("Check a schedule of any kind: its description and next expected times")
                .body::<TaskInput>()
                .returns::<SchedulePreview>(200, "Description and expected times"),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePreview {
    /// `cron`, `period`, `onCalendar`, or null for an ad-hoc task.
    pub kind: Option<&'static str>,
    /// In plain English; the dashboard writes its own.
    pub description: Option<String>,
    /// The next expected times; for a period, as if pinged now and on time after.
    pub occurrences: Vec<Timestamp>,
}

/// The body is a task's (only its schedule fields matter), validated as a save would be.
async fn preview(req: Request) -> Result<Response> {
    req.require(ReadTasks).await?;
    let input: TaskInput = req.json()?;
    let settings = TaskSettings::defaults("preview").apply("preview", input)?;
    let timing = Timing::of(&settings)?;
    let kind = timing.as_ref().map(|t| match t {
        Timing::Cron(_) => "cron",
        Timing::Period(_) => "period",
        Timing::Calendar(_) => "onCalendar",
    });
    Ok(reply::ok(&SchedulePreview {
        kind,
        description: timing.as_ref().map(Timing::describe),
        occurrences: timing.map_or_else(Vec::new, |t| t.upcoming(req.now(), COUNT)),
    }))
}
