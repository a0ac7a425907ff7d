//! `/maintenance-windows`: list (`?active=true`: those in force), create, read, replace,
//! delete, end now, the next occurrences (the calendar), and a preview of what a selection
//! covers. Read and written like monitors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::lifecycle;
use super::model::{Covered, Occurrence, Selection, Window};
use super::settings::{Settings, WindowInput};
use super::store::{self, Stored};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteHttpMonitors};
use crate::error::{Error, Result};
use crate::http::openapi::Create;
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::MaintenanceId;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Maintenance windows",
        vec![
            Route::get("/maintenance-windows", list)
                .summary("List maintenance windows, oldest first (active=true: those in force now)")
                .query::<ListQuery>()
                .returns::<ListPage<Window>>(200, "A page of windows"),
            Route::post("/maintenance-windows", create)
                .summary("Create a maintenance window, one-off or recurring")
                .body::<Create<WindowInput>>()
                .returns::<Window>(201, "The new window"),
            Route::post("/maintenance-windows/preview", preview)
                .not_audited("a preview changes nothing")
                .summary("The monitors and tasks a selection covers")
                .body::<PreviewInput>()
                .returns::<PreviewReply>(200, "What it covers"),
            Route::get("/maintenance-windows/{id}", get)
                .summary("A maintenance window")
                .returns::<Window>(200, "The window"),
            Route::put("/maintenance-windows/{id}", replace)
                .summary("Replace a maintenance window's settings (an earlier end now no longer applies)")
                .body::<Create<WindowInput>>()
                .returns::<Window>(200, "The window"),
            Route::delete("/maintenance-windows/{id}", delete)
                .summary("Delete a maintenance window; if in force, it ends now")
                .returns_empty(204, "Deleted"),
            Route::post("/maintenance-windows/{id}/end", end)
                .summary("End the occurrence in force now (a recurring window comes back at its next one)")
                .returns::<Window>(200, "The window (409 if not in force)"),
            Route::get("/maintenance-windows/{id}/occurrences", occurrences)
                .summary("The occurrences to come, the one in force first")
                .query::<OccurrencesQuery>()
                .returns::<OccurrenceList>(200, "Occurrences"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<MaintenanceId>("id").audited_as("maintenance_window"))
    .collect()
}

#[derive(Deserialize, JsonSchema)]
enum Flag {
    #[serde(rename = "true")]
    True,
    #[serde(rename = "false")]
    False,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[serde(flatten)]
    page: Page,
    /// `true`: only the windows in force now.
    active: Option<Flag>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OccurrencesQuery {
    /// How many (1–50, default 10).
    #[schemars(range(min = 1, max = 50))]
    count: Option<u32>,
}

#[derive(Serialize, JsonSchema)]
pub struct OccurrenceList {
    items: Vec<Occurrence>,
}

#[derive(Deserialize, JsonSchema)]
pub struct PreviewInput {
    selection: Selection,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewReply {
    /// How many monitors and how many tasks it covers.
    monitors: usize,
    tasks: usize,
    /// The first 100, monitors then tasks, by name.
    items: Vec<Covered>,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let q: ListQuery = req.query()?;
    let (offset, limit) = q.page.window(50);
    let (org, now) = (me.org_id, req.now());
    let page = match q.active {
        Some(Flag::True) => {
            let all = req.read(move |c| store::all(c, org)).await?;
            let total = all.len() as i64;
            let active: Vec<Stored> = all
                .into_iter()
                .filter(|w| w.current(now).is_some())
                .collect();
            crate::store::Page {
                filtered: active.len() as i64,
                items: active
                    .into_iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .collect(),
                total,
            }
        }
        _ => {
            req.read(move |c| store::list(c, org, offset, limit))
                .await?
        }
    };
    Ok(ListPage::reply(page.map(|w| w.view(now))))
}

fn settings(req: &Request) -> Result<Settings> {
    Settings::from_input(req.json::<WindowInput>()?)
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let s = settings(&req)?;
    let (org, now) = (me.org_id, req.now());
    let w = req
        .write(move |c| {
            let w = lifecycle::create(c, org, &s, now)?;
            crate::audit::created(w.id);
            Ok(w)
        })
        .await?;
    Ok(reply::created(&w.view(now)))
}

/// The window named by the path, in the caller's organization.
async fn find(req: &Request, me: &Principal) -> Result<Stored> {
    let id: MaintenanceId = req.param_id("id")?;
    let org = me.org_id;
    req.read(move |c| store::get(c, org, id))
        .await?
        .ok_or_else(|| Error::not_found("maintenance window"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    Ok(reply::ok(&find(&req, &me).await?.view(req.now())))
}

/// Changes the window named by the path; `f` gets it as stored inside the write.
async fn change<T, F>(req: &Request, me: &Principal, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&rusqlite::Connection, Stored) -> Result<T> + Send + 'static,
{
    let id: MaintenanceId = req.param_id("id")?;
    let org = me.org_id;
    req.write(move |c| {
        let w = store::get(c, org, id)?.ok_or_else(|| Error::not_found("maintenance window"))?;
        f(c, w)
    })
    .await
}

async fn replace(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let s = settings(&req)?;
    let now = req.now();
    let w = change(&req, &me, move |c, w| lifecycle::update(c, &w, &s, now)).await?;
    Ok(reply::ok(&w.view(now)))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let now = req.now();
    change(&req, &me, move |c, w| lifecycle::delete(c, &w, now)).await?;
    Ok(reply::no_content())
}

async fn end(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let now = req.now();
    let w = change(&req, &me, move |c, w| lifecycle::end_now(c, &w, now)).await?;
    Ok(reply::ok(&w.view(now)))
}

async fn occurrences(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let q: OccurrencesQuery = req.query()?;
    let count = q.count.unwrap_or(10);
    crate::limits::range("count", count, 1, 50)?;
    let w = find(&req, &me).await?;
    let items = w
        .settings
        .timing()?
        .upcoming(w.ended_at, req.now(), count as usize);
    Ok(reply::ok(&OccurrenceList { items }))
}

async fn preview(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let input: PreviewInput = req.json()?;
    let org = me.org_id;
    let covered = req
        .read(move |c| lifecycle::covered(c, org, &input.selection))
        .await?;
    let tasks = covered
        .iter()
        .filter(|c| c.source_type == crate::incidents::model::SourceType::Task)
        .count();
    let mut items = covered;
    let monitors = items.len() - tasks;
    items.sort_by(|a, b| {
        (
            a.source_type == crate::incidents::model::SourceType::Task,
            a.name.to_lowercase(),
        )
            .cmp(&(
                b.source_type == crate::incidents::model::SourceType::Task,
                b.name.to_lowercase(),
            ))
    });
    items.truncate(100);
    Ok(reply::ok(&PreviewReply {
        monitors,
        tasks,
        items,
    }))
}
