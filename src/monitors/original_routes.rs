//! `/http-monitors` in the original product's shapes (`original.rs`), for the clients written
//! against it: list, create, read, update and the tags in use. Its other paths (`/http-monitors/{id}/toggle`,
//! `/archive`, `/incidents`, …) answer as their `/monitors` twins (the
//! router's alias), as do the methods declared here only on `/monitors` (DELETE).

use warp::reply::Response;

use super::kinds::KindSettings;
use super::model::Monitor;
use super::original::{self, FilterableMetadata, HttpMonitor, OriginalInput, Switches};
use super::routes::{ListQuery, change, create_monitor, find};
use super::store::{self, Filter};
use super::{actions, redact, source};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteHttpMonitors};
use crate::error::{Error, Result};
use crate::http::openapi::Create;
use crate::http::reply::{self, ListPage};
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::MonitorId;
use crate::incidents::model::{Incident, IncidentStatus, SourceType};
use crate::incidents::redact::incident_for;
use crate::incidents::store as incidents;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Monitors (original API)",
        vec![
            Route::get("/http-monitors", list)
                .summary("List HTTP monitors in the original product's shape")
                .query::<ListQuery>()
                .returns::<ListPage<HttpMonitor>>(200, "A page of HTTP monitors"),
            Route::post("/http-monitors", create)
                .summary("Create an HTTP monitor from the original product's command")
                .body::<Create<OriginalInput>>()
                .returns::<HttpMonitor>(201, "The new monitor; its first check comes within 5 s"),
            Route::get("/http-monitors/filterable-metadata", facets)
                .summary("Tag keys and values of the monitors, in the original shape")
                .returns::<FilterableMetadata>(200, "Keys with their values and counts"),
            Route::get("/http-monitors/{id}", get)
                .summary("An HTTP monitor with its ongoing incident, in the original shape")
                .returns::<OriginalDetail>(200, "The monitor"),
            Route::patch("/http-monitors/{id}", update)
                .summary("Change an HTTP monitor with the original product's command")
                .body::<OriginalInput>()
                .returns::<HttpMonitor>(200, "The updated monitor"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<MonitorId>("id").audited_as("monitor"))
    .collect()
}

/// The original `ReadHttpMonitorResponse`.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OriginalDetail {
    pub monitor: HttpMonitor,
    /// The confirmed incident going on, if any (one still to be confirmed is not shown).
    pub ongoing_incident: Option<Incident>,
}

/// The original shape of `m` for `me`, its switches read inside the same read or write.
fn shown(c: &rusqlite::Connection, me: &Principal, m: Monitor) -> Result<HttpMonitor> {
    let switches = original::switches(c, &m)?;
    HttpMonitor::of(redact::monitor_for(me, m), switches).ok_or_else(not_http)
}

/// Another kind is not an HTTP monitor: those clients know of none.
fn not_http() -> Error {
    Error::not_found("HTTP monitor")
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let q: ListQuery = req.query()?;
    let (offset, limit) = q.page.window(10);
    let filter = Filter {
        order: q.sorting.order()?,
        offset,
        limit,
        ..q.matching.filter(&me, true)?
    };
    let org = me.org_id;
    let page = req
        .read(move |c| {
            store::list(c, org, &filter)?.try_map(|m| {
                let switches = original::switches(c, &m)?;
                Ok((m, switches))
            })
        })
        .await?;
    let page = page.map(|(m, switches)| HttpMonitor::of(redact::monitor_for(&me, m), switches));
    Ok(ListPage::reply(
        page.map(|m| m.expect("the list holds HTTP monitors only")),
    ))
}

async fn facets(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let facets = req
        .read(move |c| store::metadata_facets(c, me.org_id))
        .await?;
    Ok(reply::ok(&FilterableMetadata::of(facets)))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: OriginalInput = req.json()?;
    let switches = input.switches(Switches::DEFAULT);
    let (org, now) = (me.org_id, req.now());
    let monitor = create_monitor(&req, me.clone(), input.into_monitor_input(), move |c, m| {
        keep_switches(c, org, m, switches, now)
    })
    .await?;
    let shown = req.read(move |c| shown(c, &me, monitor)).await?;
    Ok(reply::created(&shown))
}

/// Routes the monitor to the channels `switches` imply, then keeps them as sent.
fn keep_switches(
    c: &rusqlite::Connection,
    org: crate::ids::OrgId,
    m: &Monitor,
    switches: Switches,
    now: crate::clock::Timestamp,
) -> Result<()> {
    let routing = original::routing_for(c, org, switches)?;
    source::update_routing(c, org, m.id, &m.routing, &routing, now)?;
    original::store_switches(c, m.id, switches)
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let monitor = find(&req, &me).await?;
    let org = me.org_id;
    let sees_incidents = me.can(crate::accounts::roles::Permission::ReadIncidents);
    let (monitor, incident) = req
        .read(move |c| {
            let source = monitor.id.to_string();
            let open = incidents::open_for_source(c, org, SourceType::HttpMonitor, &source)?;
            let incident = match open {
                Some(open) => incidents::get(c, org, open.id)?,
                None => None,
            };
            Ok((shown(c, &me, monitor)?, incident.map(|i| (me, i))))
        })
        .await?;
    let ongoing_incident = incident
        .filter(|(_, i)| sees_incidents && i.status == IncidentStatus::Ongoing)
        .map(|(me, i)| incident_for(&me, i));
    Ok(reply::ok(&OriginalDetail {
        monitor,
        ongoing_incident,
    }))
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: OriginalInput = req.json()?;
    let now = req.now();
    let after = change(&req, &me, move |c, current| {
        if !matches!(current.settings.kind, KindSettings::Http(_)) {
            return Err(not_http());
        }
        let current_switches = original::switches(c, &current)?;
        let switches = input
            .sets_switches()
            .then(|| input.switches(current_switches));
        // The original command says whether the monitor runs: false pauses, true resumes.
        let action = input.is_active.map(|active| match active {
            true => actions::Action::Resume,
            false => actions::Action::Pause,
        });
        let (org, id) = (current.organization_id, current.id);
        let mut monitor = super::upsert::update(c, &current, input.into_monitor_input(), now)?;
        if let Some(action) = action
            && actions::refusal(&action, monitor.status, &monitor.settings.metadata).is_none()
        {
            monitor = actions::perform(c, monitor, &action, now)?
                .ok()
                .flatten()
                .ok_or_else(|| Error::not_found("monitor"))?;
        }
        if let Some(switches) = switches {
            keep_switches(c, org, &monitor, switches, now)?;
        }
        store::get(c, org, id)
    })
    .await?;
    let monitor = after.ok_or_else(|| Error::not_found("monitor"))?;
    let shown = req.read(move |c| shown(c, &me, monitor)).await?;
    Ok(reply::ok(&shown))
}
