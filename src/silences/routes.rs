//! `/silences`: list (all, in force, or covering one source), create, read, and end now.

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::Deserialize;
use warp::reply::Response;

use super::model::{Matchers, Silence, check_end};
use super::store::{self, NewSilence};
use crate::accounts::principal::{Credential, Principal};
use crate::accounts::roles::Permission::{EditIncidents, ReadIncidents};
use crate::error::{Error, Result};
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::SilenceId;
use crate::incidents::model::SourceType;
use crate::limits;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Silences",
        vec![
            Route::get("/silences", list)
                .summary(
                    "List silences, newest first: all, those in force, or those covering a source",
                )
                .query::<ListQuery>()
                .returns::<ListPage<Silence>>(200, "A page of silences"),
            Route::post("/silences", create)
                .summary("Silence the notifications of some sources until a time (at most 30 days)")
                .body::<NewSilenceInput>()
                .returns::<Silence>(201, "The silence, in force"),
            Route::get("/silences/{id}", get)
                .summary("A silence")
                .returns::<Silence>(200, "The silence"),
            Route::post("/silences/{id}/expire", expire)
                .summary("End a silence now: held notifications of still-open incidents go out")
                .returns::<Silence>(200, "The silence, ended"),
            Route::delete("/silences/{id}", expire)
                .summary("End a silence now (the same as POST /silences/{id}/expire)")
                .returns::<Silence>(200, "The silence, ended"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<SilenceId>("id").audited_as("silence"))
    .collect()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[serde(flatten)]
    pub page: Page,
    /// "true": only those in force now.
    #[schemars(extend("enum" = ["true", "false"]))]
    pub active: Option<String>,
    /// With `sourceType` and/or `sourceId`: only the silences in force that cover this source
    /// (one page, every one of them); without its type, a source is known by its id alone.
    pub source_type: Option<SourceType>,
    #[schemars(length(min = 1, max = limits::TASK_ID), regex(pattern = limits::LINE))]
    pub source_id: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSilenceInput {
    pub matchers: Matchers,
    /// RFC 3339; in the future and at most 30 days ahead.
    pub ends_at: DateTime<FixedOffset>,
    /// Why (at most 1000 characters, one line).
    #[serde(default)]
    #[schemars(length(max = limits::SHORT), regex(pattern = limits::LINE_OR_EMPTY))]
    pub reason: Option<String>,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    let q: ListQuery = req.query()?;
    let active_only = match q.active.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("active: {other:?} is not true or false"),
            ));
        }
    };
    let (org, now) = (me.org_id, req.now());
    let page = if q.source_type.is_some() || q.source_id.is_some() {
        let (source_type, source_id) = (q.source_type, q.source_id);
        if let Some(id) = &source_id {
            limits::line("sourceId", id, limits::TASK_ID)?;
        }
        req.read(move |c| {
            let total = store::count_active(c, org, now)?;
            let items = super::all_covering(c, org, source_type, source_id.as_deref(), now)?;
            Ok(crate::store::Page {
                filtered: items.len() as i64,
                items,
                total,
            })
        })
        .await?
    } else {
        let (offset, limit) = q.page.window(20);
        req.read(move |c| store::list(c, org, active_only, now, offset, limit))
            .await?
    };
    Ok(ListPage::reply(page))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(EditIncidents).await?;
    let body: NewSilenceInput = req.json()?;
    body.matchers.validate()?;
    let now = req.now();
    let ends_at = check_end("endsAt", now, body.ends_at.to_utc())?;
    let reason =
        limits::optional("reason", body.reason, limits::SHORT, limits::line)?.unwrap_or_default();
    let token = match me.credential {
        Credential::Token { id } => Some(id),
        Credential::Session { .. } => None,
    };
    let (org, user) = (me.org_id, me.user_id);
    let silence = req
        .write(move |c| {
            let new = NewSilence {
                org,
                matchers: &body.matchers,
                reason: &reason,
                ends_at,
                user,
                token,
            };
            let silence = super::create(c, &new, now)?;
            crate::audit::created(silence.id);
            Ok(silence)
        })
        .await?;
    Ok(reply::created(&silence))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    Ok(reply::ok(&find(&req, &me).await?))
}

/// The silence named by the path, in the caller's organization.
async fn find(req: &Request, me: &Principal) -> Result<Silence> {
    let id: SilenceId = req.param_id("id")?;
    let (org, now) = (me.org_id, req.now());
    req.read(move |c| store::get(c, org, id, now))
        .await?
        .ok_or_else(|| Error::not_found("silence"))
}

async fn expire(req: Request) -> Result<Response> {
    let me = req.require(EditIncidents).await?;
    let id: SilenceId = req.param_id("id")?;
    let (org, now) = (me.org_id, req.now());
    let silence = req
        .write(move |c| {
            store::get(c, org, id, now)?.ok_or_else(|| Error::not_found("silence"))?;
            // Ending one already over changes nothing (a retried request answers the same).
            if store::end_now(c, id, now)? {
                super::ended(c, org, id, now)?;
            }
            store::get(c, org, id, now)?.ok_or_else(|| Error::not_found("silence"))
        })
        .await?;
    Ok(reply::ok(&silence))
}
