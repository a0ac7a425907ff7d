//! `/status-pages/{id}/share-links`: list, create (the secret shown once), revoke.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::model::{NewShareLink, ShareLink, url_of};
use super::routes::find;
use super::share_links;
use crate::accounts::roles::Permission::{ReadHttpMonitors, WriteHttpMonitors};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{ShareLinkId, StatusPageId};
use crate::limits;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages",
        vec![
            Route::get("/status-pages/{id}/share-links", list)
                .summary("A status page's share links, revoked ones included")
                .returns::<ShareLinks>(200, "The links"),
            Route::post("/status-pages/{id}/share-links", create)
                .summary("Create a share link: its secret URL is shown this once")
                .body::<LinkInput>()
                .returns::<NewShareLink>(201, "The link with its secret"),
            Route::delete("/status-pages/{id}/share-links/{linkId}", revoke)
                .summary("Revoke a share link: its URL no longer opens the page")
                .returns_empty(204, "Revoked"),
        ],
    )
    .into_iter()
    .map(|r| {
        r.param::<StatusPageId>("id")
            .param::<ShareLinkId>("linkId")
            .audited_as("share_link")
    })
    .collect()
}

#[derive(Serialize, JsonSchema)]
pub struct ShareLinks {
    items: Vec<ShareLink>,
}

#[derive(Deserialize, JsonSchema)]
pub struct LinkInput {
    /// Who it is for, e.g. "Customer Acme".
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    label: String,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let page = find(&req, &me).await?;
    let items = req.read(move |c| share_links::list(c, page.id)).await?;
    Ok(reply::ok(&ShareLinks { items }))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let input: LinkInput = req.json()?;
    let label = limits::required_line("label", &input.label, limits::LABEL)?;
    let page = find(&req, &me).await?;
    let secret = crate::secret::generate();
    let digest = crate::secret::digest(&secret);
    let (now, id, stored_label) = (req.now(), page.id, label.clone());
    let link = req
        .write(move |c| {
            if share_links::count(c, id)? >= share_links::MAX_PER_PAGE {
                return Err(Error::conflict(
                    "too_many_share_links",
                    format!(
                        "a page has at most {} share links; revoked ones count",
                        share_links::MAX_PER_PAGE
                    ),
                ));
            }
            let link = share_links::insert(c, id, &stored_label, &digest, now)?;
            crate::audit::created(link);
            Ok(link)
        })
        .await?;
    let secret = hex::encode(secret);
    Ok(reply::created(&NewShareLink {
        id: link,
        label,
        created_at: now,
        url: format!("{}?share={secret}", url_of(&page.settings.slug)),
        secret,
    }))
}

async fn revoke(req: Request) -> Result<Response> {
    let me = req.require(WriteHttpMonitors).await?;
    let page = find(&req, &me).await?;
    let link: ShareLinkId = req.param_id("linkId")?;
    let (now, org) = (req.now(), me.org_id);
    req.write(move |c| {
        if !share_links::revoke(c, page.id, link, now)? {
            return Err(Error::not_found("share link"));
        }
        super::changed(org);
        Ok(())
    })
    .await?;
    Ok(reply::no_content())
}
