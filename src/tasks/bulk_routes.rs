//! `POST /tasks/bulk`: delete many tasks at once, named by id or by the filters of `GET /tasks`
//! ("all matching"), through `lifecycle::delete` as `DELETE /tasks/{id}`, in batches of one
//! write each (`crate::bulk`); or put them into maintenance: ONE one-off window over the
//! selection, by the maintenance feature's own rules (`maintenance::bulk`), with the same
//! fields as the monitors' action.
//!
//! Tasks have no pause, archive or tags yet (no single route does that to a task), so neither
//! does the bulk action: a new action is a `TaskBulkAction` value here calling the rule its single
//! route calls.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Deserialize;
use warp::reply::Response;

use super::lifecycle;
use super::matching::Matching;
use super::store;
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{WriteHttpMonitors, WriteTasks};
use crate::bulk::{self, Outcome, Selection};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::OrgId;
use crate::limits;
use crate::maintenance;
use crate::monitors::bulk_routes::{MaintenanceInput, only_maintenance};
use crate::text_enum::text_enum;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Tasks",
        vec![
            Route::post("/tasks/bulk", apply)
                .audited("task", "bulk")
                .summary("Delete or put into maintenance tasks by id or by filter")
                .body::<TaskBulk>()
                .returns::<bulk::Report>(200, "What matched, changed and was skipped (and why)"),
        ],
    )
}

text_enum!(
    TaskBulkAction {
        /// As `DELETE /tasks/{id}`: with its runs; its open incident is resolved.
        Delete => "delete",
        /// One one-off maintenance window from now to `endsAt` (with `title`) over the
        /// selection, as `POST /maintenance-windows` (at most 100 tasks: more is refused).
        Maintenance => "maintenance",
    }
);

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]},
    {"if": {"properties": {"action": {"const": "maintenance"}}},
     "then": {"required": ["endsAt"]},
     "else": {"properties": {"endsAt": false, "title": false, "pauseChecks": false}}},
]))]
pub struct TaskBulk {
    /// The tasks' ids (1 to 1,000); or `filter`.
    #[serde(default)]
    #[schemars(with = "Vec<TaskId>", length(min = 1, max = bulk::MAX_IDS))]
    pub ids: Option<Vec<String>>,
    /// Every task these filters of `GET /tasks` match (at most 100,000); or `ids`.
    #[schemars(extend("not" = {"type": "null"}))]
    pub filter: Option<Matching>,
    pub action: TaskBulkAction,
    #[serde(flatten)]
    pub maintenance: MaintenanceInput,
}

/// A task id in a bulk body.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(rename = "TaskIdInBulk")]
struct TaskId(#[schemars(length(min = 1, max = limits::TASK_ID))] String);

async fn apply(req: Request) -> Result<Response> {
    let me = req.require(WriteTasks).await?;
    let body: TaskBulk = req.json()?;
    crate::audit::bulk_selection(&req, body.action, body.ids.is_some());
    for (i, id) in body.ids.iter().flatten().enumerate() {
        limits::length(&format!("ids[{i}]"), id, limits::TASK_ID)?;
    }
    if body.action == TaskBulkAction::Maintenance {
        return into_maintenance(&req, &me, body).await;
    }
    only_maintenance(&body.maintenance)?;
    let ids = selected(&req, me.org_id, bulk::selection(body.ids, body.filter)?).await?;
    let (db, org, now) = (req.app.store.clone(), me.org_id, req.now());
    let report = bulk::run(ids, move |batch| {
        let db = db.clone();
        async move { db.write(move |c| delete_all(c, org, &batch, now)).await }
    })
    .await;
    crate::audit::bulk_done(&req, &report).await?;
    let report = report?;
    Ok(reply::ok(&report))
}

/// One window over the selected tasks, from now to `endsAt`, in one write with the lookups.
/// Windows are written like monitors (`POST /maintenance-windows`).
async fn into_maintenance(req: &Request, me: &Principal, body: TaskBulk) -> Result<Response> {
    me.require(WriteHttpMonitors)?;
    let field = if body.ids.is_some() { "ids" } else { "filter" };
    let mut window = body.maintenance.request(me.org_id, field)?;
    let ids = selected(req, me.org_id, bulk::selection(body.ids, body.filter)?).await?;
    maintenance::bulk::check_size(field, ids.len())?;
    let (org, now) = (me.org_id, req.now());
    let report = req
        .write(move |c| {
            let mut report = bulk::Report::default();
            for id in ids {
                let outcome = match store::get(c, org, &id)? {
                    None => Outcome::NotFound,
                    Some(_) => Outcome::Changed,
                };
                report.add(&id, outcome);
                if outcome == Outcome::Changed {
                    window.task_ids.push(id);
                }
            }
            report.window_id = Some(maintenance::bulk::create(c, window, now)?.id.to_string());
            crate::audit::more_details(crate::audit::counts(&report));
            Ok(report)
        })
        .await?;
    Ok(reply::ok(&report))
}

/// The ids a selection names: the given ones, or those the filter matches now (at most
/// `bulk::MAX_MATCHING`, a 422 naming `filter` past it).
pub async fn selected(
    req: &Request,
    org: OrgId,
    selection: Selection<String, Matching>,
) -> Result<Vec<String>> {
    match selection {
        Selection::Ids(ids) => Ok(ids),
        Selection::Filter(matching) => {
            let filter = matching.filter()?;
            let matched = req
                .read(move |c| store::matching_ids(c, org, &filter, bulk::MAX_MATCHING + 1))
                .await?;
            bulk::within_bound(matched)
        }
    }
}

/// One batch, in one write: each task as stored now, deleted as by its single route.
fn delete_all(
    c: &Connection,
    org: OrgId,
    ids: &[String],
    now: Timestamp,
) -> Result<Vec<(String, Outcome)>> {
    ids.iter()
        .map(|id| {
            let outcome = match store::get(c, org, id)? {
                None => Outcome::NotFound,
                Some(task) => {
                    lifecycle::delete(c, &task, now)?;
                    Outcome::Changed
                }
            };
            Ok((id.clone(), outcome))
        })
        .collect()
}
