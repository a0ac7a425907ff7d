//! `POST /monitors/bulk`: pause, resume, archive, delete, tag or put into maintenance many
//! monitors at once, named by id or by the filters of `GET /monitors` ("all matching"). Each
//! monitor goes through `actions::perform`, the rules of the single-monitor routes, in batches
//! of one write each (`crate::bulk`); after each commit the scheduler is told of every change,
//! as the single routes tell it (`actions::reschedule`). Maintenance is ONE one-off window over
//! the selection (a window over sources, not a change of the monitors), made by the maintenance
//! feature's own rules (`maintenance::bulk`); the scheduler asks it before each check.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Deserialize;
use warp::reply::Response;

use super::actions::{self, Action};
use super::matching::Matching;
use super::model::{Monitor, MonitorStatus};
use super::store;
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::WriteHttpMonitors;
use crate::bulk::{self, Outcome, Selection};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{MonitorId, OrgId};
use crate::limits;
use crate::maintenance;
use crate::text_enum::text_enum;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Monitors",
        vec![
            Route::post("/monitors/bulk", apply)
                .audited("monitor", "bulk")
                .summary("Pause, resume, archive, delete, tag or put into maintenance monitors by id or by filter")
                .body::<MonitorBulk>()
                .returns::<bulk::Report>(200, "What matched, changed and was skipped (and why)"),
        ],
    )
}

text_enum!(
    MonitorBulkAction {
        /// As `POST /monitors/{id}/toggle` on an active monitor; paused and archived ones are skipped.
        Pause => "pause",
        /// As `POST /monitors/{id}/toggle` on a paused monitor; active and archived ones are skipped.
        Resume => "resume",
        /// As `POST /monitors/{id}/archive`.
        Archive => "archive",
        /// As `DELETE /monitors/{id}`: with its history and incidents.
        Delete => "delete",
        /// Sets `tag.key` to `tag.value` in the metadata, or removes the key when `value` is
        /// absent or null; archived monitors are skipped.
        Tag => "tag",
        /// One one-off maintenance window from now to `endsAt` (with `title`, `pauseChecks`)
        /// over the selection, as `POST /maintenance-windows` (at most 100 monitors: tag more
        /// and make a window over the tag); archived monitors are skipped.
        Maintenance => "maintenance",
    }
);

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "MonitorTag")]
pub struct Tag {
    #[schemars(length(min = 1, max = limits::METADATA_KEY), regex(pattern = limits::LINE))]
    pub key: String,
    /// Absent or null: remove the key.
    #[schemars(length(max = limits::METADATA_VALUE), regex(pattern = limits::LINE_OR_EMPTY))]
    pub value: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]},
    {"if": {"properties": {"action": {"const": "tag"}}},
     "then": {"required": ["tag"]},
     "else": {"properties": {"tag": false}}},
    {"if": {"properties": {"action": {"const": "maintenance"}}},
     "then": {"required": ["endsAt"]},
     "else": {"properties": {"endsAt": false, "title": false, "pauseChecks": false}}},
]))]
pub struct MonitorBulk {
    /// The monitors (1 to 1,000); or `filter`.
    #[serde(default)]
    #[schemars(with = "Vec<MonitorId>", length(min = 1, max = bulk::MAX_IDS))]
    pub ids: Option<Vec<MonitorId>>,
    /// Every monitor these filters of `GET /monitors` match (at most 100,000); or `ids`.
    #[schemars(extend("not" = {"type": "null"}))]
    pub filter: Option<Matching>,
    pub action: MonitorBulkAction,
    /// The tag to set or remove (action `tag` only).
    #[schemars(extend("not" = {"type": "null"}))]
    pub tag: Option<Tag>,
    #[serde(flatten)]
    pub maintenance: MaintenanceInput,
}

/// Action `maintenance` only: the window to make over the selection (of monitors or tasks).
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceInput {
    /// When it ends (RFC 3339; it starts now).
    #[schemars(extend("not" = {"type": "null"}))]
    pub ends_at: Option<Timestamp>,
    /// Its title (default "Maintenance").
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE), extend("not" = {"type": "null"}))]
    pub title: Option<String>,
    /// Make no checks of the monitors while it is in force (default: checks go on, marked).
    #[schemars(extend("not" = {"type": "null"}))]
    pub pause_checks: Option<bool>,
}

impl MaintenanceInput {
    fn given(&self) -> Option<&'static str> {
        [
            ("endsAt", self.ends_at.is_some()),
            ("title", self.title.is_some()),
            ("pauseChecks", self.pause_checks.is_some()),
        ]
        .into_iter()
        .find_map(|(field, given)| given.then_some(field))
    }

    /// The window's request over the found ids; `endsAt` is required.
    pub fn request(
        self,
        org: OrgId,
        selection_field: &'static str,
    ) -> Result<maintenance::bulk::Request> {
        Ok(maintenance::bulk::Request {
            org,
            title: self.title,
            ends_at: self
                .ends_at
                .ok_or_else(|| Error::invalid_field("endsAt", "is required for maintenance"))?,
            pause_checks: self.pause_checks.unwrap_or(false),
            monitor_ids: Vec::new(),
            task_ids: Vec::new(),
            selection_field,
        })
    }
}

/// For a field given to an action other than maintenance: a 422 naming it.
pub fn only_maintenance(input: &MaintenanceInput) -> Result<()> {
    match input.given() {
        Some(field) => Err(Error::invalid_field(field, "only for action maintenance")),
        None => Ok(()),
    }
}

async fn apply(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let body: MonitorBulk = req.json()?;
    crate::audit::bulk_selection(&req, body.action, body.ids.is_some());
    if body.action == MonitorBulkAction::Maintenance {
        return into_maintenance(&req, &me, body).await;
    }
    only_maintenance(&body.maintenance)?;
    let action = match (body.action, body.tag) {
        (MonitorBulkAction::Tag, Some(tag)) => actions::tag(tag.key, tag.value)?,
        (MonitorBulkAction::Tag, None) => return Err(Error::invalid_field("tag", "is required")),
        (_, Some(_)) => return Err(Error::invalid_field("tag", "only for action tag")),
        (MonitorBulkAction::Pause, None) => Action::Pause,
        (MonitorBulkAction::Resume, None) => Action::Resume,
        (MonitorBulkAction::Archive, None) => Action::Archive,
        (MonitorBulkAction::Delete, None) => Action::Delete,
        (MonitorBulkAction::Maintenance, None) => unreachable!("answered above"),
    };
    let ids = selected(&req, &me, bulk::selection(body.ids, body.filter)?).await?;
    let (db, scheduler) = (req.app.store.clone(), req.app.scheduler.clone());
    let (org, now) = (me.org_id, req.now());
    let report = bulk::run(ids, move |batch| {
        let (db, scheduler, action) = (db.clone(), scheduler.clone(), action.clone());
        async move {
            let done = db
                .write(move |c| perform_all(c, org, &batch, &action, now))
                .await?;
            let mut outcomes = Vec::with_capacity(done.len());
            for (id, outcome, change) in done {
                if let Some((before, after)) = change {
                    actions::reschedule(&scheduler, id, before, after.as_ref());
                }
                outcomes.push((id, outcome));
            }
            Ok(outcomes)
        }
    })
    .await;
    crate::audit::bulk_done(&req, &report).await?;
    let report = report?;
    Ok(reply::ok(&report))
}

/// One window over the selected monitors, from now to `endsAt`: each found and not archived
/// is changed (covered), in one write with the window.
async fn into_maintenance(req: &Request, me: &Principal, body: MonitorBulk) -> Result<Response> {
    if body.tag.is_some() {
        return Err(Error::invalid_field("tag", "only for action tag"));
    }
    let field = if body.ids.is_some() { "ids" } else { "filter" };
    let mut window = body.maintenance.request(me.org_id, field)?;
    let ids = selected(req, me, bulk::selection(body.ids, body.filter)?).await?;
    maintenance::bulk::check_size(field, ids.len())?;
    let (org, now) = (me.org_id, req.now());
    let report = req
        .write(move |c| {
            let mut report = bulk::Report::default();
            for id in ids {
                let outcome = match store::get(c, org, id)? {
                    None => Outcome::NotFound,
                    Some(m) if m.status == MonitorStatus::Archived => Outcome::Skipped("archived"),
                    Some(_) => {
                        window.monitor_ids.push(id);
                        Outcome::Changed
                    }
                };
                report.add(&id, outcome);
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
    me: &Principal,
    selection: Selection<MonitorId, Matching>,
) -> Result<Vec<MonitorId>> {
    match selection {
        Selection::Ids(ids) => Ok(ids),
        Selection::Filter(matching) => {
            let (filter, org) = (matching.filter(me, false)?, me.org_id);
            let matched = req
                .read(move |c| store::matching_ids(c, org, &filter, bulk::MAX_MATCHING + 1))
                .await?;
            bulk::within_bound(matched)
        }
    }
}

/// A changed monitor's due time before, and the monitor after (None once deleted).
type Change = (Option<Timestamp>, Option<Monitor>);

/// One batch, in one write: each monitor as stored now, through the single routes' rules.
fn perform_all(
    c: &Connection,
    org: OrgId,
    ids: &[MonitorId],
    action: &Action,
    now: Timestamp,
) -> Result<Vec<(MonitorId, Outcome, Option<Change>)>> {
    ids.iter()
        .map(|&id| {
            let Some(current) = store::get(c, org, id)? else {
                return Ok((id, Outcome::NotFound, None));
            };
            let before = current.next_check_at;
            Ok(match actions::perform(c, current, action, now)? {
                Ok(after) => (id, Outcome::Changed, Some((before, after))),
                Err(skip) => (id, Outcome::Skipped(skip), None),
            })
        })
        .collect()
}
