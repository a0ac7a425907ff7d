//! `/tasks` and `/tasks/{id}`: list, create, read (and HEAD, the dashboard's id-availability
//! check), change, delete, regenerate the ping key, ping logs; `/cron-preview` for the form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::lifecycle;
use super::matching::Matching;
use super::model::{Task, TaskLog};
use super::ping_keys;
use super::run_store;
use super::settings::{TaskInput, TaskSettings, check_id, check_not_reserved};
use super::source;
use super::store::{self, Filter};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadTasks, WriteTaskRuns, WriteTasks};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::openapi::Create;
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request, Sortable, Sorting};
use crate::http::router::Route;
use crate::incidents::model::SourceType;
use crate::limits;
use crate::maintenance::quieter::soonest;
use crate::monitors::dependents::{self, Linked};
use crate::monitors::upstreams::{self, DependentType};
use crate::notify::routing::Routing;
use crate::store::filter::SortFields;
use rusqlite::Connection;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Tasks",
        vec![
            Route::get("/tasks", list)
                .summary("List tasks, filtered and paginated, ordered by name")
                .query::<ListQuery>()
                .returns::<ListPage<Task>>(200, "A page of tasks"),
            Route::post("/tasks", create)
                .summary("Create a task (scheduled with cron, or ad hoc)")
                .body::<Create<TaskInput>>()
                .returns::<Task>(201, "The new task"),
            Route::get("/tasks/{id}", get)
                .summary("A task with its next occurrences (HEAD: 404 if the id is free)")
                .returns::<TaskDetail>(200, "The task"),
            Route::patch("/tasks/{id}", update)
                .summary("Change a task; absent fields keep their value, null resets")
                .body::<TaskInput>()
                .returns::<Task>(200, "The updated task"),
            Route::delete("/tasks/{id}", delete)
                .summary(
                    "Delete a task with its runs; its open incident is resolved, history stays",
                )
                .returns_empty(204, "Deleted"),
            Route::post("/tasks/{id}/ping-key", regenerate_ping_key)
                .audited("task", "regenerate_ping_key")
                .summary("Replace the task's ping key (the old ping URLs stop working)")
                .returns::<Task>(200, "The task with its new ping key"),
            Route::get("/tasks/{id}/logs", logs)
                .summary("Messages sent to /ping/{key}/log, newest first")
                .query::<Page>()
                .returns::<LogList>(200, "The latest messages"),
            Route::get("/cron-preview", preview)
                .summary("Check a cron schedule: its description and next occurrences")
                .query::<PreviewQuery>()
                .returns::<Preview>(200, "Description and occurrences"),
        ],
    )
    .into_iter()
    .map(|r| {
        r.param::<super::settings::TaskIdParam>("id")
            .audited_as("task")
    })
    .collect()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[serde(flatten)]
    pub page: Page,
    #[serde(flatten)]
    pub matching: Matching,
    #[serde(flatten)]
    pub sorting: Sorting<TaskSorts>,
}

/// How a list of tasks may be sorted (`store::SORTS`).
#[derive(JsonSchema)]
pub struct TaskSorts;

impl Sortable for TaskSorts {
    const FIELDS: &'static SortFields = &store::SORTS;
    const DESCENDING: &'static [&'static str] = &["createdAt"];
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskDetail {
    pub task: Task,
    /// In plain English; the dashboard writes its own in French.
    pub schedule_description: Option<String>,
    /// The next five occurrences.
    pub next_occurrences: Vec<Timestamp>,
    /// The soonest maintenance window covering it, in force or next.
    pub maintenance: Option<crate::maintenance::model::Scheduled>,
    /// The monitors it depends on, with their statuses (empty for those who may not read
    /// monitors).
    pub upstream_monitors: Vec<Linked>,
}

#[derive(Serialize, JsonSchema)]
pub struct LogList {
    pub items: Vec<TaskLog>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewQuery {
    #[schemars(length(min = 1, max = limits::CRON), regex(pattern = crate::cron::CRON_PATTERN))]
    pub cron_schedule: String,
    /// IANA time zone, default UTC.
    #[schemars(extend("enum" = crate::cron::zone_names()))]
    pub timezone: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub description: String,
    pub occurrences: Vec<Timestamp>,
}

/// The ping key is a credential for the task's runs: only those who may report runs see it.
pub fn shown_to(me: &Principal, mut task: Task) -> Task {
    if !me.can(WriteTaskRuns) {
        task.ping_key = None;
    }
    task
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadTasks).await?;
    let q: ListQuery = req.query()?;
    let (offset, limit) = q.page.window(10);
    let filter = Filter {
        order: q.sorting.order()?,
        offset,
        limit,
        ..q.matching.filter()?
    };
    let (org, now) = (me.org_id, req.now());
    let page = req
        .read(move |c| store::list(c, org, &filter)?.try_map(|t| source::with_quiet(c, t, now)))
        .await?;
    Ok(ListPage::reply(page.map(|t| shown_to(&me, t))))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteTasks).await?;
    let mut input: TaskInput = req.json()?;
    let routing_input = std::mem::take(&mut input.routing);
    let upstreams_input = std::mem::take(&mut input.upstreams);
    let ping_key = input.ping_key.take();
    let id = check_id(
        input
            .id
            .as_deref()
            .ok_or_else(|| Error::invalid_field("id", "is required"))?,
    )?;
    check_not_reserved(&id)?;
    let settings = TaskSettings::defaults(&id).apply(&id, input)?;
    let now = req.now();
    let org = me.org_id;
    let task = req
        .write(move |c| {
            lifecycle::create(c, org, &id, &settings, ping_key.as_deref(), now)?;
            crate::audit::created(&id);
            source::update_routing(c, org, &id, &Routing::default(), &routing_input, now)?;
            upstreams::apply(c, org, DependentType::Task, &id, &upstreams_input)?;
            store::get(c, org, &id)?.ok_or_else(|| Error::not_found("task"))
        })
        .await?;
    Ok(reply::created(&shown_to(&me, task)))
}

/// The task named by the path, in the caller's organization.
pub async fn find(req: &Request, me: &Principal) -> Result<Task> {
    let id = req.param("id").to_owned();
    let org = me.org_id;
    req.read(move |c| store::get(c, org, &id))
        .await?
        .ok_or_else(|| Error::not_found("task"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadTasks).await?;
    let task = find(&req, &me).await?;
    let schedule = super::timing::Timing::of(&store::settings_of(&task))
        .ok()
        .flatten();
    let next_due_at = task.next_due_at;
    let (org, now) = (task.organization_id, req.now());
    // Monitors' names and statuses are for those who may read monitors.
    let sees_monitors = me.can(crate::accounts::roles::Permission::ReadHttpMonitors);
    let (task, maintenance, upstream_monitors) = req
        .read(move |c| {
            let soonest = soonest(c, org, SourceType::Task, &task.id, now)?;
            let linked = match sees_monitors {
                true => dependents::upstream_monitors(c, org, DependentType::Task, &task.id)?,
                false => Vec::new(),
            };
            let linked = dependents::with_quiet(c, org, linked, now)?;
            Ok((source::with_quiet(c, task, now)?, soonest, linked))
        })
        .await?;
    Ok(reply::ok(&TaskDetail {
        maintenance,
        upstream_monitors,
        schedule_description: schedule.as_ref().map(|s| s.describe()),
        next_occurrences: schedule.map_or_else(Vec::new, |s| s.shown(next_due_at, req.now(), 5)),
        task: shown_to(&me, task),
    }))
}

/// Changes the task named by the path; `f` gets the task as stored inside the write.
async fn change<F>(req: &Request, me: &Principal, f: F) -> Result<Option<Task>>
where
    F: FnOnce(&Connection, Task) -> Result<Option<Task>> + Send + 'static,
{
    let id = req.param("id").to_owned();
    let org = me.org_id;
    req.write(move |c| {
        let task = store::get(c, org, &id)?.ok_or_else(|| Error::not_found("task"))?;
        f(c, task)
    })
    .await
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteTasks).await?;
    let mut input: TaskInput = req.json()?;
    let routing_input = std::mem::take(&mut input.routing);
    let upstreams_input = std::mem::take(&mut input.upstreams);
    let ping_key = input.ping_key.take();
    let now = req.now();
    // Validated against the stored settings inside the write, so two edits cannot mix.
    let task = change(&req, &me, move |c, task| {
        let settings = store::settings_of(&task).apply(&task.id, input)?;
        let org = task.organization_id;
        source::update_routing(c, org, &task.id, &task.routing, &routing_input, now)?;
        upstreams::apply(c, org, DependentType::Task, &task.id, &upstreams_input)?;
        if let Some(key) = &ping_key {
            ping_keys::set(c, org, &task.id, key)?;
        }
        lifecycle::update(c, &task, &settings, now).map(Some)
    })
    .await?
    .ok_or_else(|| Error::not_found("task"))?;
    Ok(reply::ok(&shown_to(&me, task)))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteTasks).await?;
    let now = req.now();
    change(&req, &me, move |c, task| {
        lifecycle::delete(c, &task, now)?;
        Ok(None)
    })
    .await?;
    Ok(reply::no_content())
}

async fn regenerate_ping_key(req: Request) -> Result<Response> {
    let me = req.require(WriteTasks).await?;
    let task = change(&req, &me, |c, task| {
        store::set_ping_key(
            c,
            task.organization_id,
            &task.id,
            &lifecycle::new_ping_key(),
        )?;
        store::get(c, task.organization_id, &task.id)
    })
    .await?
    .ok_or_else(|| Error::not_found("task"))?;
    Ok(reply::ok(&shown_to(&me, task)))
}

async fn logs(req: Request) -> Result<Response> {
    let me = req.require(ReadTasks).await?;
    let task = find(&req, &me).await?;
    let (_, limit) = req.query::<Page>()?.window(50);
    let items = req
        .read(move |c| run_store::logs(c, task.organization_id, &task.id, limit))
        .await?;
    Ok(reply::ok(&LogList { items }))
}

async fn preview(req: Request) -> Result<Response> {
    req.require(ReadTasks).await?;
    let q: PreviewQuery = req.query()?;
    limits::line("cronSchedule", &q.cron_schedule, limits::CRON)?;
    let zone = q
        .timezone
        .as_deref()
        .filter(|z| !z.trim().is_empty())
        .unwrap_or("UTC");
    let (description, occurrences) = lifecycle::preview(&q.cron_schedule, zone, req.now(), 5)?;
    Ok(reply::ok(&Preview {
        description,
        occurrences,
    }))
}
