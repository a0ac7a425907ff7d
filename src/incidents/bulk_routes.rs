//! `POST /incidents/bulk`: acknowledge, resolve, comment on or silence many incidents at once,
//! named by id or by the filters of `GET /incidents` ("all matching"). Each incident goes
//! through `actions::perform`, the rules of the single-incident routes, in batches of one write
//! each (`crate::bulk`). Silencing creates ONE silence naming the selection's sources (a
//! silence mutes sources, it does not change incidents), by the silences feature's own rules,
//! reached through the `silencer` seam.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Deserialize;
use warp::reply::Response;

use chrono::{DateTime, FixedOffset};

use super::actions::{self, Action, CommentInput};
use super::matching::Matching;
use super::{silencer, store};
use crate::accounts::principal::{Credential, Principal};
use crate::accounts::roles::Permission::{CommentIncidents, EditIncidents};
use crate::bulk::{self, Outcome, Selection};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{IncidentId, OrgId, UserId};
use crate::limits;
use crate::text_enum::text_enum;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Incidents",
        vec![
            Route::post("/incidents/bulk", apply)
                .audited("incident", "bulk")
                .summary("Acknowledge, resolve, comment on or silence incidents by id or by filter")
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
        /// One silence, as `POST /silences` with `endsAt` (and `reason`), whose matchers name
        /// the selected incidents' sources (at most 100); manual incidents are skipped.
        Silence => "silence",
    }
);

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("allOf" = [
    {"oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]},
    {"if": {"properties": {"action": {"const": "comment"}}},
     "then": {"required": ["text"]},
     "else": {"properties": {"text": false, "format": false}}},
    {"if": {"properties": {"action": {"const": "silence"}}},
     "then": {"required": ["endsAt"]},
     "else": {"properties": {"endsAt": false, "reason": false}}},
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
    /// Action `silence` only: when the silence ends (RFC 3339; in the future, at most 30 days).
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Action `silence` only: why (at most 1000 characters, one line).
    #[schemars(length(max = limits::SHORT), regex(pattern = limits::LINE_OR_EMPTY))]
    pub reason: Option<String>,
}

async fn apply(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let body: IncidentBulk = req.json()?;
    crate::audit::bulk_selection(&req, body.action, body.ids.is_some());
    if body.action == IncidentBulkAction::Silence {
        return silence(&req, &me, body).await;
    }
    for (field, given) in [
        ("endsAt", body.ends_at.is_some()),
        ("reason", body.reason.is_some()),
    ] {
        if given {
            return Err(Error::invalid_field(field, "only a silence has one"));
        }
    }
    let action = match body.action {
        IncidentBulkAction::Acknowledge | IncidentBulkAction::Resolve => {
            me.require(EditIncidents)?;
            if body.comment.text.is_some() || body.comment.format.is_some() {
                return Err(Error::invalid_field("text", "only a comment has text"));
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
        IncidentBulkAction::Silence => unreachable!("answered above"),
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
    .await;
    crate::audit::bulk_done(&req, &report).await?;
    let report = report?;
    Ok(reply::ok(&report))
}

/// One silence over the sources of the selected incidents: each with a source counts as
/// changed (covered now), a manual one is skipped (`noSource`).
async fn silence(req: &Request, me: &Principal, body: IncidentBulk) -> Result<Response> {
    me.require(EditIncidents)?;
    if body.comment.text.is_some() || body.comment.format.is_some() {
        return Err(Error::invalid_field("text", "only a comment has text"));
    }
    let ends_at = body
        .ends_at
        .ok_or_else(|| Error::invalid_field("endsAt", "is required to silence"))?
        .to_utc();
    let selection_field = if body.ids.is_some() { "ids" } else { "filter" };
    let ids = selected(req, me, bulk::selection(body.ids, body.filter)?).await?;
    let org = me.org_id;
    let sources = req
        .read(move |c| {
            ids.into_iter()
                .map(|id| {
                    let source = store::source_of(c, id)?.filter(|(o, ..)| *o == org);
                    Ok((id, source))
                })
                .collect::<Result<Vec<_>>>()
        })
        .await?;
    let mut report = bulk::Report::default();
    let mut source_ids: Vec<String> = Vec::new();
    for (id, source) in sources {
        let outcome = match source {
            None => Outcome::NotFound,
            Some((_, _, Some(source_id))) => {
                if !source_ids.contains(&source_id) {
                    source_ids.push(source_id);
                }
                Outcome::Changed
            }
            Some((_, _, None)) => Outcome::Skipped("noSource"),
        };
        report.add(&id, outcome);
    }
    let request = silencer::Request {
        org,
        user: me.user_id,
        token: match me.credential {
            Credential::Token { id } => Some(id),
            Credential::Session { .. } => None,
        },
        source_ids,
        ends_at,
        reason: body.reason,
        selection_field,
    };
    let (now, counts) = (req.now(), crate::audit::counts(&report));
    let id = req
        .write(move |c| {
            crate::audit::more_details(counts);
            silencer::silence(c, &request, now)
        })
        .await?;
    report.silence_id = Some(id);
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
