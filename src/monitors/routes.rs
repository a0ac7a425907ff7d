//! `/monitors` (and `/http-monitors`, the original clients' path, an alias answering the same way).

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::actions::{self, Action};
use super::dependents::{self, MonitorLinks};
use super::history::{self, Bucket, CheckRecord};
use super::matching::Matching;
use super::model::{Monitor, MonitorStatus};
use super::redact;
use super::schedule::Cadence;
use super::settings::MonitorInput;
use super::source;
use super::store::{self, Filter};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteHttpMonitors};
use crate::error::{Error, Result};
use crate::http::openapi::Create;
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request, Sortable, Sorting};
use crate::http::router::Route;
use crate::ids::MonitorId;
use crate::incidents::model::{Incident, IncidentStatus, SourceType};
use crate::incidents::redact::incident_for;
use crate::incidents::store as incidents;
use crate::maintenance::quieter::soonest;
use crate::store::filter::SortFields;
use rusqlite::Connection;

pub fn routes() -> Vec<Route> {
    // Also served at `/http-monitors` (an alias in `crate::routes`), left out of the document.
    Route::tagged(
        "Monitors",
        vec![
            Route::get("/monitors", list)
                .summary("List monitors, filtered and paginated (also at /http-monitors)")
                .query::<ListQuery>()
                .returns::<ListPage<Monitor>>(200, "A page of monitors, ordered by name"),
            Route::post("/monitors", create)
                .summary("Create a monitor (an HTTP one when `kind` is absent)")
                .body::<Create<MonitorInput>>()
                .returns::<Monitor>(201, "The new monitor; its first check comes within 5 s"),
            Route::get("/monitors/filterable-metadata", facets)
                .summary("Metadata keys and values in use, for filters")
                .returns::<Facets>(200, "key → value → number of monitors"),
            Route::get("/monitors/{id}", get)
                .summary("A monitor with its ongoing incident, uptime and last response time")
                .returns::<MonitorDetail>(200, "The monitor"),
            Route::patch("/monitors/{id}", update)
                .summary("Change a monitor; absent fields keep their value")
                .body::<MonitorInput>()
                .returns::<Monitor>(200, "The updated monitor"),
            Route::delete("/monitors/{id}", delete)
                .summary("Delete a monitor with its check history and incidents")
                .returns_empty(204, "Deleted"),
            Route::post("/monitors/{id}/toggle", toggle)
                .summary("Pause an active monitor, or resume a paused one")
                .returns::<Monitor>(200, "The monitor"),
            Route::post("/monitors/{id}/archive", archive)
                .summary("Archive a monitor: no more checks, history kept")
                .returns::<Monitor>(200, "The monitor"),
            Route::get("/monitors/{id}/checks", checks)
                .summary("Recent checks, newest first")
                .query::<Page>()
                .returns::<CheckList>(200, "A page of checks (kept for the raw retention period)"),
            Route::get("/monitors/{id}/stats", stats)
                .summary("Uptime and response times over a range, from hourly or daily rollups")
                .query::<StatsQuery>()
                .returns::<Stats>(200, "Buckets, oldest first"),
            Route::get("/monitors/{id}/incidents", monitor_incidents)
                .summary("The monitor's incidents, newest first")
                .query::<Page>()
                .returns::<ListPage<Incident>>(200, "A page of incidents"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<MonitorId>("id").audited_as("monitor"))
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
    pub sorting: Sorting<MonitorSorts>,
}

/// How a list of monitors may be sorted (`store::SORTS`).
#[derive(JsonSchema)]
pub struct MonitorSorts;

impl Sortable for MonitorSorts {
    const FIELDS: &'static SortFields = &store::SORTS;
    const DESCENDING: &'static [&'static str] = &["createdAt", "lastCheckAt"];
}

#[derive(Serialize, JsonSchema)]
pub struct Facets(BTreeMap<String, BTreeMap<String, i64>>);

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uptime {
    pub last_24h: Option<f64>,
    pub last_7d: Option<f64>,
    pub last_30d: Option<f64>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorDetail {
    pub monitor: Monitor,
    /// The open incident (ongoing or to be confirmed), if any.
    pub ongoing_incident: Option<Incident>,
    /// An open TLS certificate warning, if any.
    pub tls_incident: Option<Incident>,
    pub uptime: Uptime,
    pub last_response_time_ms: Option<u32>,
    /// The soonest maintenance window covering it, in force or next.
    pub maintenance: Option<crate::maintenance::model::Scheduled>,
    /// Its upstreams and dependents.
    #[serde(flatten)]
    pub links: MonitorLinks,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckList {
    pub items: Vec<CheckRecord>,
    pub total_number_of_results: i64,
}

#[derive(Deserialize, JsonSchema)]
pub struct StatsQuery {
    /// 24h (buckets of the monitor's interval, at least a minute, from the raw results), 7d
    /// (hourly), 30d, 90d or 365d (daily). Default 24h.
    #[schemars(extend("enum" = ["24h", "7d", "30d", "90d", "365d"]))]
    pub range: Option<String>,
    /// "hour" asks for hourly rollups over 24h too (a list's sparkline needs no more).
    #[schemars(extend("enum" = ["hour"]))]
    pub resolution: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub range: String,
    /// "raw" (the checks themselves, grouped by `bucketSeconds`), "hour" or "day".
    pub resolution: String,
    /// The width of one bucket.
    pub bucket_seconds: i64,
    pub uptime: Option<f64>,
    pub buckets: Vec<Bucket>,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let q: ListQuery = req.query()?;
    let (offset, limit) = q.page.window(10);
    let filter = Filter {
        order: q.sorting.order()?,
        offset,
        limit,
        ..q.matching
            .filter(&me, req.path.starts_with("/http-monitors"))?
    };
    let (org, now) = (me.org_id, req.now());
    let page = req
        .read(move |c| store::list(c, org, &filter)?.try_map(|m| source::with_quiet(c, m, now)))
        .await?;
    Ok(ListPage::reply(page.map(|m| redact::monitor_for(&me, m))))
}

async fn facets(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    Ok(reply::ok(&Facets(
        req.read(move |c| store::metadata_facets(c, me.org_id))
            .await?,
    )))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: MonitorInput = req.json()?;
    let now = req.now();
    let (store, scheduler) = (req.app.store.clone(), req.app.scheduler.clone());
    // Detached from the request, like `change`: the scheduler must hear of every committed monitor.
    let create = req.audited(move |c| {
        let monitor = super::upsert::create(c, me.org_id, MonitorId::generate(), input, now)?;
        crate::audit::created(monitor.id);
        Ok(monitor)
    });
    let monitor = tokio::spawn(async move {
        let monitor = store.write(create).await?;
        if let Some(due) = monitor.next_check_at {
            scheduler.schedule(monitor.id, due, Cadence::of(&monitor.settings));
        }
        Ok::<_, Error>(monitor)
    })
    .await
    .map_err(Error::internal)??;
    Ok(reply::created(&monitor))
}

/// Changes the monitor named by the path. `f` gets the monitor as stored *inside* the write, so
/// concurrent changes (an edit racing an archive) cannot act on a stale copy; it returns the
/// monitor after the change (None once deleted). The scheduler is told after the commit, in a
/// task detached from the request: a client hanging up cannot leave the two disagreeing.
async fn change<F>(req: &Request, me: &Principal, f: F) -> Result<Option<Monitor>>
where
    F: FnOnce(&Connection, Monitor) -> Result<Option<Monitor>> + Send + 'static,
{
    let id: MonitorId = req.param_id("id")?;
    let org = me.org_id;
    let (store, scheduler) = (req.app.store.clone(), req.app.scheduler.clone());
    let change = req.audited(move |c| {
        let current = store::get(c, org, id)?.ok_or_else(|| Error::not_found("monitor"))?;
        let before = current.next_check_at;
        Ok((before, f(c, current)?))
    });
    tokio::spawn(async move {
        let (before, after) = store.write(change).await?;
        actions::reschedule(&scheduler, id, before, after.as_ref());
        Ok(after)
    })
    .await
    .map_err(Error::internal)?
}

fn changed(monitor: Option<Monitor>) -> Result<Response> {
    let monitor = monitor.ok_or_else(|| Error::not_found("monitor"))?;
    Ok(reply::ok(&monitor))
}

/// The monitor named by the path, in the caller's organization.
async fn find(req: &Request, me: &Principal) -> Result<Monitor> {
    let id: MonitorId = req.param_id("id")?;
    let org = me.org_id;
    req.read(move |c| store::get(c, org, id))
        .await?
        .ok_or_else(|| Error::not_found("monitor"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let monitor = find(&req, &me).await?;
    let now = req.now();
    let (id, org) = (monitor.id, me.org_id);
    // Tasks' names and statuses are for those who may read tasks.
    let sees_tasks = me.can(crate::accounts::roles::Permission::ReadTasks);
    let detail = req
        .read(move |c| {
            let source = id.to_string();
            let open = |t| -> Result<Option<Incident>> {
                match incidents::open_for_source(c, org, t, &source)? {
                    Some(open) => incidents::get(c, org, open.id),
                    None => Ok(None),
                }
            };
            let uptime = Uptime {
                last_24h: history::uptime(c, id, now - Duration::hours(24))?,
                last_7d: history::uptime(c, id, now - Duration::days(7))?,
                last_30d: history::uptime(c, id, now - Duration::days(30))?,
            };
            let maintenance = soonest(c, org, SourceType::HttpMonitor, &source, now)?;
            let links = dependents::of_monitor(c, org, id, sees_tasks, now)?;
            Ok((
                open(SourceType::HttpMonitor)?,
                open(SourceType::TlsCertificate)?,
                uptime,
                source::with_quiet(c, monitor, now)?,
                maintenance,
                links,
            ))
        })
        .await?;
    let (ongoing_incident, tls_incident, uptime, monitor, maintenance, links) = detail;
    let last_response_time_ms = monitor.last_response_time_ms;
    Ok(reply::ok(&MonitorDetail {
        monitor: redact::monitor_for(&me, monitor),
        ongoing_incident: ongoing_incident.map(|i| incident_for(&me, i)),
        tls_incident: tls_incident.map(|i| incident_for(&me, i)),
        uptime,
        last_response_time_ms,
        maintenance,
        links,
    }))
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: MonitorInput = req.json()?;
    let now = req.now();
    changed(
        change(&req, &me, move |c, current| {
            super::upsert::update(c, &current, input, now).map(Some)
        })
        .await?,
    )
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let now = req.now();
    // Deleting is never refused.
    change(&req, &me, move |c, current| {
        Ok(actions::perform(c, current, &Action::Delete, now)?
            .ok()
            .flatten())
    })
    .await?;
    Ok(reply::no_content())
}

async fn toggle(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let now = req.now();
    changed(
        change(&req, &me, move |c, current| {
            let action = match current.status {
                MonitorStatus::Inactive => Action::Resume,
                _ => Action::Pause,
            };
            actions::perform(c, current, &action, now)?.map_err(|_| {
                Error::conflict(
                    "monitor_archived",
                    "an archived monitor cannot be paused or resumed",
                )
            })
        })
        .await?,
    )
}

async fn archive(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let now = req.now();
    changed(
        change(&req, &me, move |c, current| {
            actions::perform(c, current, &Action::Archive, now)?
                .map_err(|_| Error::conflict("monitor_archived", "the monitor is already archived"))
        })
        .await?,
    )
}

async fn checks(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let id = find(&req, &me).await?.id;
    let (offset, limit) = req.query::<Page>()?.window(20);
    let (items, total) = req
        .read(move |c| history::recent(c, id, offset, limit))
        .await?;
    Ok(reply::ok(&CheckList {
        items,
        total_number_of_results: total,
    }))
}

async fn stats(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let monitor = find(&req, &me).await?;
    let id = monitor.id;
    let query = req.query::<StatsQuery>()?;
    let range = query.range.unwrap_or_else(|| "24h".into());
    let hourly = match query.resolution.as_deref() {
        None => false,
        Some("hour") => true,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("resolution: {other:?} is not \"hour\""),
            ));
        }
    };
    let (span, resolution) = match range.as_str() {
        "24h" if hourly => (Duration::hours(24), "hour"),
        "24h" => (Duration::hours(24), "raw"),
        "7d" => (Duration::days(7), "hour"),
        "30d" => (Duration::days(30), "day"),
        "90d" => (Duration::days(90), "day"),
        "365d" => (Duration::days(365), "day"),
        other => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("range: {other:?} is not one of 24h, 7d, 30d, 90d, 365d"),
            ));
        }
    };
    let since = req.now() - span;
    let bucket_seconds = match resolution {
        "raw" => i64::from(monitor.settings.interval_seconds.max(60)),
        "hour" => 3600,
        _ => 86_400,
    };
    let (buckets, uptime) = req
        .read(move |c| {
            let buckets = match resolution {
                "raw" => history::raw_buckets(c, id, since, bucket_seconds * 1000)?,
                _ => history::buckets(c, id, resolution, since)?,
            };
            Ok((buckets, history::uptime(c, id, since)?))
        })
        .await?;
    Ok(reply::ok(&Stats {
        range,
        resolution: resolution.into(),
        bucket_seconds,
        uptime,
        buckets,
    }))
}

async fn monitor_incidents(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    me.require(crate::accounts::roles::Permission::ReadIncidents)?;
    let id = find(&req, &me).await?.id;
    let (offset, limit) = req.query::<Page>()?.window(10);
    let filter = incidents::Filter {
        source_id: Some(id.to_string()),
        // As `/incidents`: unconfirmed blips stay out of the history.
        statuses: vec![IncidentStatus::Ongoing, IncidentStatus::Resolved],
        offset,
        limit,
        ..Default::default()
    };
    crate::incidents::routes::list_page(&req, &me, filter).await
}
