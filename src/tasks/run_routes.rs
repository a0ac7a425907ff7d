//! `/tasks/{id}/start`, `/heartbeat`, `/finish` (with the status codes the original
//! product's CLI relies on: 404 unknown task, 409 already running, 400 no running run) and `/tasks/{id}/runs`.

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;
use warp::reply::Response;

use super::lifecycle::{self, Finish, IfRunning, Start, Via};
use super::model::{TaskRun, output_tail};
use super::routes::find;
use super::run_store;
use super::settings::{TaskInput, TaskSettings};
use super::source;
use super::status::{FinishStatus, RunStatus};
use super::store;
use crate::accounts::roles::Permission::{ReadTaskRuns, WriteTaskRuns};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::{Page, Request, parse_json};
use crate::http::router::Route;
use crate::notify::routing::{Routing, RoutingInput};

pub fn routes() -> Vec<Route> {
    Route::tagged(
"Task runs",
vec![
        Route::post("/tasks/{id}/start", start)
            .summary("Start a run (201; 404 unknown task; 409 already running)")
            .body::<StartBody>()
            .returns::<TaskRun>(201, "The new run"),
        Route::post("/tasks/{id}/heartbeat", heartbeat)
            .body::<HeartbeatBody>()
            .summary("Say the running run is alive (400 exactly when none is running)",
            )
            .returns::<HeartbeatReply>(200, "Recorded"),
        Route::post("/tasks/{id}/finish", finish)
            .summary("End the running run (400 when none is running; 422 when the status contradicts the exit code)",
            )
            .body::<FinishBody>()
            .returns::<TaskRun>(200, "The finished run"),
        Route::get("/tasks/{id}/runs", runs)
            .summary("A task's runs, newest first")
            .query::<RunsQuery>()
            .returns::<RunList>(200, "A page of runs (15 by default, at most 50)"),
        Route::get("/tasks/{id}/runs/{startedAt}", run)
            .summary("One run, named by its exact startedAt (RFC 3339, URL-encode '+')",
            )
            .returns::<RunDetail>(200, "The run"),
    ],
)
    .into_iter()
    .map(|r| {
        r.param::<super::settings::TaskIdParam>("id")
            .param::<DateTime<FixedOffset>>("startedAt")
            .not_audited("a run's report (kept in the run history), not a change of settings")
    })
    .collect()
}

/// `null`, an empty body, or this object.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StartBody {
    /// Creates the task if it does not exist (its `id` is the path's).
    pub new_task: Option<TaskInput>,
    /// Ends a run still going on as aborted instead of answering 409.
    #[serde(default)]
    pub abort_previous_running_task: Option<bool>,
    /// A run id (a UUID, as Healthchecks' `?rid=`): runs with distinct rids may be running at
    /// once, and the 409 (or the replacement) concerns only a running run with the same rid.
    /// End it with `finish`'s `rid` or `startedAt`.
    #[schemars(extend("format" = "uuid"))]
    pub rid: Option<String>,
}

/// Optional: with no body, the heartbeat counts for the running run started without a `rid`
/// (a run started with one is named by its `startedAt`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatBody {
    /// The run this heartbeat is for; 400 if that run is no longer running.
    pub started_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"if": {"properties": {"status": {"const": "success"}}},
     "then": {"properties": {"exitCode": {"enum": [0, null]}}}},
    {"if": {"properties": {"status": {"const": "failure"}}},
     "then": {"properties": {"exitCode": {"not": {"const": 0}}}}},
]))]
pub struct FinishBody {
    /// The run this finish ends; 400 if that run is no longer running. Default: the running run
    /// with `rid` (without `rid`: the one started without a rid).
    pub started_at: Option<DateTime<FixedOffset>>,
    /// The run id given to its start (a UUID).
    #[schemars(extend("format" = "uuid"))]
    pub rid: Option<String>,
    pub status: FinishStatus,
    /// 0 for success, non-zero for failure; null when killed by a signal.
    pub exit_code: Option<i32>,
    #[schemars(length(max = crate::limits::TEXT))]
    pub error_message: Option<String>,
    /// The tail of the job's output; only the last 10 KB are kept (the body is at most 1 MiB).
    #[schemars(length(max = crate::http::MAX_BODY))]
    pub output: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeartbeatReply {
    pub status: RunStatus,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunsQuery {
    #[serde(flatten)]
    pub page: Page,
    /// Run statuses to include (repeat the key); default all.
    #[serde(default)]
    pub include_statuses: Vec<RunStatus>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunList {
    pub runs: Vec<TaskRun>,
    pub total_runs: i64,
    pub total_filtered_runs: i64,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunDetail {
    pub task_run: TaskRun,
}

async fn start(req: Request) -> Result<Response> {
    let me = req.require(WriteTaskRuns).await?;
    // The original clients always send JSON (`null` or an object); curl users may send nothing.
    let body: StartBody = if req.body.iter().all(u8::is_ascii_whitespace) {
        StartBody::default()
    } else {
        req.json::<Option<StartBody>>()?.unwrap_or_default()
    };
    let id = req.param("id").to_owned();
    let mut routing_input = RoutingInput::default();
    let new_task = match body.new_task {
        Some(mut input) => {
            let id = super::settings::check_id(&id)?;
            routing_input = std::mem::take(&mut input.routing);
            Some(TaskSettings::defaults(&id).apply(&id, input)?)
        }
        None => None,
    };
    let rid = super::ping::parse_rid(body.rid.as_deref())?;
    let if_running = match body.abort_previous_running_task {
        Some(true) => IfRunning::Replace,
        _ => IfRunning::Refuse,
    };
    let (org, now) = (me.org_id, req.now());
    let run = req
        .write(move |c| {
            let created = new_task.is_some() && !store::exists(c, org, &id)?;
            if created {
                // Only a new task: one made before the id was reserved still starts.
                super::settings::check_not_reserved(&id)?;
            }
            let how = Start {
                new_task: new_task.as_ref(),
                if_running,
                via: Via::Api,
                rid: rid.as_deref(),
            };
            let run = lifecycle::start(c, org, &id, &how, now)?;
            if created {
                // A task created on start takes its notification settings from `newTask` too.
                source::update_routing(c, org, &id, &Routing::default(), &routing_input, now)?;
            }
            Ok(run)
        })
        .await?;
    Ok(reply::created(&run))
}

async fn heartbeat(req: Request) -> Result<Response> {
    let me = req.require(WriteTaskRuns).await?;
    // The original clients send no body; ours name their run.
    let body: HeartbeatBody = if req.body.iter().all(u8::is_ascii_whitespace) {
        HeartbeatBody::default()
    } else {
        req.json()?
    };
    let run = body.started_at.map(|t| t.to_utc());
    let id = req.param("id").to_owned();
    let (org, now) = (me.org_id, req.now());
    req.write(move |c| lifecycle::heartbeat(c, org, &id, run, now))
        .await?;
    Ok(reply::json(
        StatusCode::OK,
        &HeartbeatReply {
            status: RunStatus::Running,
        },
    ))
}

async fn finish(req: Request) -> Result<Response> {
    let me = req.require(WriteTaskRuns).await?;
    let body: FinishBody = parse_finish(&req)?;
    let id = req.param("id").to_owned();
    let (org, now) = (me.org_id, req.now());
    let error_message = body.error_message.as_deref().map(output_tail);
    let output = body.output.as_deref().map(output_tail);
    let rid = super::ping::parse_rid(body.rid.as_deref())?;
    let run = req
        .write(move |c| {
            let f = Finish {
                run: body.started_at.map(|t| t.to_utc()),
                rid: rid.as_deref(),
                status: body.status,
                exit_code: body.exit_code,
                error_message: error_message.as_deref(),
                output: output.as_deref(),
            };
            lifecycle::finish(c, org, &id, &f, now)
        })
        .await?;
    Ok(reply::ok(&run))
}

fn parse_finish(req: &Request) -> Result<FinishBody> {
    if req.body.is_empty() {
        return parse_json(&req.body);
    }
    req.json()
}

async fn runs(req: Request) -> Result<Response> {
    let me = req.require(ReadTaskRuns).await?;
    let task = find(&req, &me).await?;
    let q: RunsQuery = req.query()?;
    let (offset, limit) = q.page.window(15);
    let page = req
        .read(move |c| {
            run_store::list_runs(
                c,
                task.organization_id,
                &task.id,
                &q.include_statuses,
                offset,
                limit,
            )
        })
        .await?;
    Ok(reply::ok(&RunList {
        runs: page.items,
        total_runs: page.total,
        total_filtered_runs: page.filtered,
    }))
}

async fn run(req: Request) -> Result<Response> {
    let me = req.require(ReadTaskRuns).await?;
    let raw = req.param("startedAt");
    let started_at = DateTime::parse_from_rfc3339(raw)
        .map_err(|e| {
            Error::bad_request(
                "invalid_path_parameter",
                format!("startedAt: {raw:?} is not an RFC 3339 time ({e}); URL-encode '+' as %2B"),
            )
        })?
        .to_utc();
    let task = find(&req, &me).await?;
    let task_run = req
        .read(move |c| run_store::get_run(c, task.organization_id, &task.id, started_at))
        .await?
        .ok_or_else(|| Error::not_found("run"))?;
    Ok(reply::ok(&RunDetail { task_run }))
}
