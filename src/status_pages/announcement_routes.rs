//! `/status-pages/{id}/announcements`: list, create (with its first update), read, change,
//! delete, and post an update (its status becomes the announcement's).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::announcements::{self, Announcement, AnnouncementStatus, Fields, Impact};
use super::routes::find;
use super::store::Stored;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteHttpMonitors};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::{AnnouncementId, ComponentId, StatusPageId};
use crate::limits;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages",
        vec![
            Route::get("/status-pages/{id}/announcements", list)
                .summary("A status page's announcements, newest first, each with its updates oldest first")
                .query::<Page>()
                .returns::<Announcements>(200, "A page of announcements"),
            Route::post("/status-pages/{id}/announcements", create)
                .summary("Announce something on a status page; the body is its first update")
                .body::<NewAnnouncement>()
                .returns::<Announcement>(201, "The announcement"),
            Route::get("/status-pages/{id}/announcements/{announcementId}", get)
                .summary("An announcement with its updates")
                .returns::<Announcement>(200, "The announcement"),
            Route::patch("/status-pages/{id}/announcements/{announcementId}", patch)
                .summary("Change an announcement's title, impact, components or status")
                .body::<AnnouncementPatch>()
                .returns::<Announcement>(200, "The announcement"),
            Route::delete("/status-pages/{id}/announcements/{announcementId}", delete)
                .summary("Delete an announcement and its updates")
                .returns_empty(204, "Deleted"),
            Route::post("/status-pages/{id}/announcements/{announcementId}/updates", update)
                .audited("announcement", "post_update")
                .summary("Post an update: its status becomes the announcement's (resolved ends it)")
                .body::<UpdateInput>()
                .returns::<Announcement>(201, "The announcement with the update"),
        ],
    )
    .into_iter()
    .map(|r| {
        r.param::<StatusPageId>("id")
            .param::<AnnouncementId>("announcementId")
            .audited_as("announcement")
    })
    .collect()
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Announcements {
    items: Vec<Announcement>,
    total_number_of_results: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewAnnouncement {
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE))]
    title: String,
    impact: Impact,
    status: AnnouncementStatus,
    /// Markdown (raw HTML is shown as text).
    #[schemars(length(min = 1, max = limits::TEXT), regex(pattern = limits::MULTILINE_REQUIRED))]
    body: String,
    /// Components of the page it concerns.
    #[serde(default)]
    #[schemars(length(max = limits::LIST))]
    component_ids: Vec<ComponentId>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnnouncementPatch {
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE))]
    title: Option<String>,
    impact: Option<Impact>,
    /// Sets the status without an update.
    status: Option<AnnouncementStatus>,
    #[schemars(length(max = limits::LIST))]
    component_ids: Option<Vec<ComponentId>>,
}

#[derive(Deserialize, JsonSchema)]
pub struct UpdateInput {
    status: AnnouncementStatus,
    /// Markdown (raw HTML is shown as text).
    #[schemars(length(min = 1, max = limits::TEXT), regex(pattern = limits::MULTILINE_REQUIRED))]
    body: String,
}

fn body(text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid_field("body", "is required"));
    }
    limits::multiline("body", text, limits::TEXT)?;
    Ok(text.to_owned())
}

/// The fields checked: a title, and components of this page.
fn fields(page: &Stored, title: &str, impact: Impact, ids: Vec<ComponentId>) -> Result<Fields> {
    let title = limits::required_line("title", title, limits::NAME)?;
    limits::count("componentIds", ids.len(), limits::LIST)?;
    for (i, id) in ids.iter().enumerate() {
        if !page.settings.components().any(|c| c.id == *id) {
            return Err(Error::invalid_field(
                &format!("componentIds[{i}]"),
                format!("{id} is not a component of this page"),
            ));
        }
    }
    Ok(Fields {
        title,
        impact,
        component_ids: ids,
    })
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let (offset, limit) = req.query::<Page>()?.window(20);
    let page = find(&req, &me).await?;
    let (items, total) = req
        .read(move |c| announcements::list(c, page.id, offset, limit))
        .await?;
    Ok(reply::ok(&Announcements {
        items,
        total_number_of_results: total,
    }))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: NewAnnouncement = req.json()?;
    let page = find(&req, &me).await?;
    let f = fields(&page, &input.title, input.impact, input.component_ids)?;
    let text = body(&input.body)?;
    let (now, org, status) = (req.now(), me.org_id, input.status);
    let a = req
        .write(move |c| {
            if announcements::count(c, page.id)? >= announcements::MAX_PER_PAGE {
                return Err(Error::conflict(
                    "too_many_announcements",
                    format!(
                        "a page keeps at most {} announcements; delete old ones",
                        announcements::MAX_PER_PAGE
                    ),
                ));
            }
            let id = announcements::insert(c, page.id, &f, status, &text, now)?;
            crate::audit::created(id);
            super::changed(org);
            found(c, page.id, id)
        })
        .await?;
    Ok(reply::created(&a))
}

fn found(c: &rusqlite::Connection, page: StatusPageId, id: AnnouncementId) -> Result<Announcement> {
    announcements::get(c, page, id)?.ok_or_else(|| Error::not_found("announcement"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let page = find(&req, &me).await?;
    let id: AnnouncementId = req.param_id("announcementId")?;
    Ok(reply::ok(&req.read(move |c| found(c, page.id, id)).await?))
}

async fn patch(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let change: AnnouncementPatch = req.json()?;
    let page = find(&req, &me).await?;
    let id: AnnouncementId = req.param_id("announcementId")?;
    let (now, org) = (req.now(), me.org_id);
    let a = req
        .write(move |c| {
            let a = found(c, page.id, id)?;
            let f = fields(
                &page,
                change.title.as_deref().unwrap_or(&a.title),
                change.impact.unwrap_or(a.impact),
                change.component_ids.unwrap_or(a.component_ids),
            )?;
            announcements::set_fields(c, id, &f)?;
            if let Some(status) = change.status.filter(|s| *s != a.status) {
                announcements::set_status(c, id, status, now)?;
            }
            super::changed(org);
            found(c, page.id, id)
        })
        .await?;
    Ok(reply::ok(&a))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let page = find(&req, &me).await?;
    let id: AnnouncementId = req.param_id("announcementId")?;
    let org = me.org_id;
    req.write(move |c| {
        found(c, page.id, id)?;
        announcements::delete(c, id)?;
        super::changed(org);
        Ok(())
    })
    .await?;
    Ok(reply::no_content())
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: UpdateInput = req.json()?;
    let text = body(&input.body)?;
    let page = find(&req, &me).await?;
    let id: AnnouncementId = req.param_id("announcementId")?;
    let (now, org) = (req.now(), me.org_id);
    let a = req
        .write(move |c| {
            found(c, page.id, id)?;
            if announcements::update_count(c, id)? >= announcements::MAX_UPDATES {
                return Err(Error::conflict(
                    "too_many_updates",
                    format!(
                        "an announcement has at most {} updates",
                        announcements::MAX_UPDATES
                    ),
                ));
            }
            announcements::add_update(c, id, input.status, &text, now)?;
            super::changed(org);
            found(c, page.id, id)
        })
        .await?;
    Ok(reply::created(&a))
}
