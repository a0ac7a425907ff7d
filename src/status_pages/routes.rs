//! `/status-pages`: list, create, read, change (PATCH), delete, and the preview of a draft as
//! visitors would see it. Read and written like monitors (the permissions maintenance uses).

use warp::http::{HeaderValue, header};
use warp::reply::Response;

use super::model::{Settings, StatusPage};
use super::settings::{self, PageInput, PagePatch};
use super::store::{self, Stored};
use super::{components, render, view};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteHttpMonitors};
use crate::error::{Error, Result};
use crate::http::openapi::Create;
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::{OrgId, StatusPageId};

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages",
        vec![
            Route::get("/status-pages", list)
                .summary("List status pages, oldest first")
                .query::<Page>()
                .returns::<ListPage<StatusPage>>(200, "A page of status pages"),
            Route::post("/status-pages", create)
                .summary("Create a status page (its slug is unique on the instance: 409 if taken)")
                .body::<Create<PageInput>>()
                .returns::<StatusPage>(201, "The new page"),
            Route::post("/status-pages/preview", preview)
                .not_audited("a preview changes nothing")
                .summary("The HTML of a draft page as a visitor would see it (slug uniqueness not checked)")
                .body::<Create<PageInput>>()
                .returns_empty(200, "text/html"),
            Route::get("/status-pages/{id}", get)
                .summary("A status page")
                .returns::<StatusPage>(200, "The page"),
            Route::patch("/status-pages/{id}", patch)
                .summary("Change a status page: the fields sent replace the stored ones, groups wholesale")
                .body::<PagePatch>()
                .returns::<StatusPage>(200, "The page"),
            Route::delete("/status-pages/{id}", delete)
                .summary("Delete a status page, its share links and announcements")
                .returns_empty(204, "Deleted"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<StatusPageId>("id").audited_as("status_page"))
    .collect()
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let (offset, limit) = req.query::<Page>()?.window(50);
    let org = me.org_id;
    let page = req
        .read(move |c| store::list(c, org, offset, limit))
        .await?;
    Ok(ListPage::reply(page.map(Stored::view)))
}

/// Validated settings whose components name sources of `org`.
pub(super) fn checked(c: &rusqlite::Connection, org: OrgId, input: PageInput) -> Result<Settings> {
    let mut s = settings::from_input(input)?;
    components::resolve(c, org, &mut s)?;
    Ok(s)
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: PageInput = req.json()?;
    settings::from_input(input.clone())?;
    let (org, now) = (me.org_id, req.now());
    let page = req
        .write(move |c| {
            let page = super::upsert::create(c, org, StatusPageId::generate(), input, now)?;
            crate::audit::created(page.id);
            Ok(page)
        })
        .await?;
    Ok(reply::created(&page.view()))
}

/// The page named by the path, in the caller's organization.
pub async fn find(req: &Request, me: &Principal) -> Result<Stored> {
    let id: StatusPageId = req.param_id("id")?;
    let org = me.org_id;
    req.read(move |c| store::get(c, org, id))
        .await?
        .ok_or_else(|| Error::not_found("status page"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    Ok(reply::ok(&find(&req, &me).await?.view()))
}

async fn patch(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let change: PagePatch = req.json()?;
    let id: StatusPageId = req.param_id("id")?;
    let (org, now) = (me.org_id, req.now());
    let page = req
        .write(move |c| {
            let stored = store::get(c, org, id)?.ok_or_else(|| Error::not_found("status page"))?;
            let s = checked(c, org, change.over(&stored.settings))?;
            store::update(c, id, &s, now)?;
            super::changed(org);
            store::get(c, org, id)?.ok_or_else(|| Error::internal("the page just stored is gone"))
        })
        .await?;
    Ok(reply::ok(&page.view()))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let id: StatusPageId = req.param_id("id")?;
    let org = me.org_id;
    req.write(move |c| {
        store::get(c, org, id)?.ok_or_else(|| Error::not_found("status page"))?;
        store::delete(c, id)?;
        super::changed(org);
        Ok(())
    })
    .await?;
    Ok(reply::no_content())
}

/// The draft rendered as the page would be, in the page's language (or the editor's, for
/// `auto`), its logo inline (it has no address yet) and without the live script.
async fn preview(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let input: PageInput = req.json()?;
    let (org, now) = (me.org_id, req.now());
    let snapshot = req
        .read(move |c| {
            let s = checked(c, org, input)?;
            view::build(c, org, None, &s, now)
        })
        .await?;
    let lang = render::language(snapshot.settings.language, req.header("accept-language"));
    let html = render::html::page(&snapshot, lang, render::html::Mode::Preview);
    let mut response = Response::new(html.into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
