//! `POST /incidents/bulk`: acknowledge, resolve or comment on many incidents at once, named by
//! id or by the filters of `GET /incidents` ("all matching"). Each incident goes through
//! `actions::perform`, the rules of the single-incident routes, in batches of one write each
//! (`crate::bulk`).
//!
//! Silencing a selection belongs to the silences feature (a silence mutes sources, it does not
//! change incidents): it would select with [`selected`] and create its silence itself, next to
//! these actions in the dashboard's action bar, without a new action here.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Deserialize;
use warp::reply::Response;

use super::actions::{self, Action, CommentInput};
use super::matching::Matching;
use super::store;
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{CommentIncidents, EditIncidents};
use crate::bulk::{self, Outcome, Selection};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{IncidentId, OrgId, UserId};
use crate::text_enum::text_enum;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Incidents",
        vec![
            Route::post("/incidents/bulk", apply)
                .summary("Acknowledge, resolve or comment on incidents by id or by filter")
                .body::<IncidentBulk>()
                .returns::<bulk::Report>(200, "What matched, changed and was skipped (and why)"),
        ],
    )
}

text_enum!(
    IncidentBulkAction {
        /// As `POST /incidents/{id}/acknowledge`; resolved ones are skipped.
        Acknowledge => "acknowledge",
        /// As `POST /incidents/{id}/resolve`; resolved ones are skipped.
        Resolve => "resolve",
        /// As `POST /incidents/{id}/comment`, with `text` (and `format`).
        Comment => "comment",
    }
);

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]},
    {"if": {"properties": {"action": {"const": "comment"}}},
     "then": {"required": ["text"]},
     "else": {"properties": {"text": false, "format": false}}},
]))]
pub struct IncidentBulk {
    /// The incidents (1 to 1,000); or `filter`.
    #[serde(default)]
    #[schemars(with = "Vec<IncidentId>", length(min = 1, max = bulk::MAX_IDS))]
    pub ids: Option<Vec<IncidentId>>,
    /// Every incident these filters of `GET /incidents` match (at most 100,000); or `ids`.
    #[schemars(extend("not" = {"type": "null"}))]
    pub filter: Option<Matching>,
    pub action: IncidentBulkAction,
    /// `text` (and `format`): action `comment` only.
    #[serde(flatten)]
    pub comment: CommentInput,
}

async fn apply(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let body: IncidentBulk = req.json()?;
    let action = match body.action {
        IncidentBulkAction::Acknowledge | IncidentBulkAction::Resolve => {
            me.require(EditIncidents)?;
            if body.comment.text.is_some() || body.comment.format.is_some() {
                return Err(crate::error::Error::invalid_field(
                    "text",
                    "only a comment has text",
                ));
            }
            match body.action {
                IncidentBulkAction::Acknowledge => Action::Acknowledge,
                _ => Action::Resolve,
            }
        }
        IncidentBulkAction::Comment => {
            me.require(CommentIncidents)?;
            Action::Comment(actions::comment_payload(body.comment, None)?)
        }
    };
    let ids = selected(&req, &me, bulk::selection(body.ids, body.filter)?).await?;
    let (db, org, user, now) = (req.app.store.clone(), me.org_id, me.user_id, req.now());
    let report = bulk::run(ids, move |batch| {
        let (db, action) = (db.clone(), action.clone());
        async move {
            db.write(move |c| perform_all(c, org, &batch, &action, user, now))
                .await
        }
    })
    .await?;
    Ok(reply::ok(&report))
}

/// The ids a selection names: the given ones, or those the filter matches now (at most
/// `bulk::MAX_MATCHING`, a 422 naming `filter` past it).
pub async fn selected(
    req: &Request,
    me: &Principal,
    selection: Selection<IncidentId, Matching>,
) -> Result<Vec<IncidentId>> {
    match selection {
        Selection::Ids(ids) => Ok(ids),
        Selection::Filter(matching) => {
            let (filter, org) = (matching.filter(me)?, me.org_id);
            let matched = req
                .read(move |c| store::matching_ids(c, org, &filter, bulk::MAX_MATCHING + 1))
                .await?;
            bulk::within_bound(matched)
        }
    }
}

/// One batch, in one write: each incident as stored now, through the single routes' rules.
fn perform_all(
    c: &Connection,
    org: OrgId,
    ids: &[IncidentId],
    action: &Action,
    user: UserId,
    now: Timestamp,
) -> Result<Vec<(IncidentId, Outcome)>> {
    ids.iter()
        .map(|&id| {
            let outcome = match store::get(c, org, id)? {
                None => Outcome::NotFound,
                Some(incident) => match actions::perform(c, &incident, action, user, now)? {
                    Ok(_) => Outcome::Changed,
                    Err(skip) => Outcome::Skipped(skip.reason()),
                },
            };
            Ok((id, outcome))
        })
        .collect()
}
