//! `GET /overview`: counts by status (each links to the filtered list in the dashboard), the
//! ongoing incidents, the last 24 hours, the maintenance to come and the instance's health.

use std::sync::Arc;

use warp::reply::Response;

use super::batch::Batches;
use super::gather::{Sees, gather};
use super::model::{Health, Overview};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadHttpMonitors, ReadIncidents, ReadTasks};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::OrgId;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Overview",
        vec![
            Route::get("/overview", overview)
                .summary(
                    "What is down now: monitors and tasks by status, ongoing incidents (not \
                     acknowledged first), the last 24 hours' changes, maintenance in the next \
                     7 days and the instance's health; sections the caller may not read are left out",
                )
                .returns::<Overview>(200, "The overview"),
            Route::get("/events", super::events::events)
                .summary(
                    "Server-sent events: `event: change` with `{\"subject\":\"monitors\"}` (or \
                     tasks, incidents, maintenance, silences, statusPages) when something of the \
                     caller's organization changed; a comment every 15 s keeps the stream open",
                )
                .returns_empty(200, "text/event-stream"),
        ],
    )
}

async fn overview(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let sees = Sees {
        monitors: me.can(ReadHttpMonitors),
        tasks: me.can(ReadTasks),
        incidents: me.can(ReadIncidents),
    };
    let secrets = crate::url_mask::sees_secrets(&me);
    let key = (me.org_id, sees, secrets);
    let body = SHARED.get(key, || read(&req, me, sees)).await?;
    Ok(reply::ok(&*body))
}

/// Overviews being read, shared by the requests of the same organization and rights.
static SHARED: Batches<(OrgId, Sees, bool), Arc<serde_json::Value>> = Batches::new();

/// The overview as `me` sees it, now.
async fn read(req: &Request, me: Principal, sees: Sees) -> Result<Arc<serde_json::Value>> {
    let (org, now) = (me.org_id, req.now());
    // Scans every monitor of the organization: a long read, off the async workers.
    let mut g = req
        .app
        .store
        .read_long(move |c| gather(c, org, sees, now))
        .await?;
    if let Some(incidents) = g.incidents.as_mut() {
        for item in &mut incidents.items {
            let incident = item.incident.clone();
            item.incident = crate::incidents::redact::incident_for(&me, incident);
        }
    }
    let problems = crate::health::assess(&crate::health::observe(&req.app, now).await, now);
    let overview = Overview {
        generated_at: now,
        monitors: g.monitors,
        tasks: g.tasks,
        incidents: g.incidents,
        changes: g.changes,
        maintenance: g.maintenance,
        health: Health {
            status: if problems.is_empty() {
                "ok"
            } else {
                "degraded"
            },
            problems,
        },
    };
    Ok(Arc::new(
        serde_json::to_value(&overview).map_err(Error::internal)?,
    ))
}
