//! `/incidents`: list, read, timeline, acknowledge, comment, resolve, reprioritize, declare.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use warp::reply::Response;

use super::actions::{self, Action, CommentInput, Skip};
use super::matching::Matching;
use super::model::{Cause, Incident, IncidentStatus, Priority, SourceType, TimelineEvent};
use super::store::{self, Filter, NewIncident};
use super::{redact, source};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{CommentIncidents, EditIncidents, ReadIncidents};
use crate::error::{Error, Result};
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request, order};
use crate::http::router::Route;
use crate::ids::IncidentId;
use crate::limits;
use crate::store::filter::Order;
use crate::url_mask::sees_secrets;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Incidents",
        vec![
            Route::get("/incidents", list)
                .summary("List incidents, filtered and ordered")
                .query::<ListQuery>()
                .returns::<ListPage<Incident>>(200, "A page of incidents"),
            Route::post("/incidents", declare)
                .summary("Declare an incident by hand")
                .body::<Declare>()
                .returns::<Incident>(201, "The new incident, ongoing"),
            Route::get("/incidents/ongoing-count", ongoing_count)
                .summary("How many incidents are ongoing (the navigation badge)")
                .returns::<OngoingCount>(200, "The count"),
            Route::get("/incidents/{id}", get)
                .summary("An incident with its source's name and URL")
                .returns::<IncidentDetail>(200, "The incident"),
            Route::patch("/incidents/{id}", update)
                .summary("Change an incident's priority")
                .body::<Update>()
                .returns::<Incident>(200, "The incident"),
            Route::get("/incidents/{id}/events", events)
                .summary("The incident's timeline, oldest first")
                .query::<Page>()
                .returns::<Timeline>(200, "Events"),
            Route::post("/incidents/{id}/acknowledge", acknowledge)
                .summary("Say you are handling it (stops re-notification)")
                .returns::<Incident>(200, "The incident"),
            Route::post("/incidents/{id}/comment", comment)
                .summary("Add a comment (plain text or markdown) to the timeline")
                .body::<Comment>()
                .returns::<TimelineEvent>(201, "The comment event"),
            Route::post("/incidents/{id}/resolve", resolve)
                .summary("Resolve an incident by hand")
                .returns::<Incident>(200, "The incident"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<IncidentId>("id").audited_as("incident"))
    .collect()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[serde(flatten)]
    pub page: Page,
    #[serde(flatten)]
    pub matching: Matching,
    /// The original clients' order: createdAt (default) or priority; `sort` wins when given.
    #[schemars(extend("enum" = ["createdAt", "priority"]))]
    pub order_by: Option<String>,
    /// asc or desc (default), with `orderBy`.
    #[schemars(extend("enum" = ["asc", "desc"]))]
    pub order_direction: Option<String>,
    /// What to order by (ties by id): createdAt, priority (by urgency), title, status
    /// (to be confirmed, ongoing, resolved) or resolvedAt.
    #[schemars(extend("enum" = store::SORTS.map(|(name, _)| name)))]
    pub sort: Option<String>,
    /// asc or desc; default desc (asc for title).
    #[schemars(extend("enum" = ["asc", "desc"]))]
    pub order: Option<String>,
}

/// Sort fields newest or most urgent first unless `order` says otherwise.
const DESCENDING: [&str; 4] = ["createdAt", "priority", "status", "resolvedAt"];

#[derive(Serialize, JsonSchema)]
pub struct OngoingCount {
    pub ongoing: i64,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct IncidentDetail {
    pub incident: Incident,
    /// The monitor (or task) behind it; null for manual incidents or deleted sources.
    pub source: Option<Source>,
}

#[derive(Serialize, JsonSchema)]
pub struct Timeline {
    pub items: Vec<TimelineEvent>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Declare {
    /// 1 to 200 characters.
    #[schemars(length(min = 1, max = limits::NAME), regex(pattern = limits::LINE))]
    pub title: String,
    /// Default major.
    pub priority: Option<Priority>,
    /// What is going on (plain text or markdown).
    #[schemars(length(max = limits::TEXT), regex(pattern = limits::MULTILINE))]
    pub description: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "limits::metadata_schema")]
    pub metadata: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, JsonSchema)]
pub struct Update {
    pub priority: Priority,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(extend("anyOf" = [{"required": ["text"]}, {"required": ["payload"]}]))]
pub struct Comment {
    #[serde(flatten)]
    pub comment: CommentInput,
    /// The original dashboard's shape: {"editorjsData": …}; stored as given.
    #[schemars(extend("not" = {"type": "null"}))]
    pub payload: Option<Value>,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    let q: ListQuery = req.query()?;
    let (offset, limit) = q.page.window(10);
    let order = match q.sort.as_deref() {
        Some(_) => order(
            q.sort.as_deref(),
            q.order.as_deref(),
            &store::SORTS,
            &DESCENDING,
        )?,
        None => original_order(q.order_by.as_deref(), q.order_direction.as_deref())?,
    };
    let filter = Filter {
        order,
        offset,
        limit,
        ..q.matching.filter(&me)?
    };
    list_page(&req, &me, filter).await
}

/// `orderBy` and `orderDirection`, as the original clients send them (400 otherwise, as ever).
fn original_order(by: Option<&str>, direction: Option<&str>) -> Result<Order> {
    let ascending = match direction {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("orderDirection: {other:?} is not asc or desc"),
            ));
        }
    };
    let key = match by {
        None | Some("createdAt") => "",
        Some("priority") => store::SORTS[1].1,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("orderBy: {other:?} is not createdAt or priority"),
            ));
        }
    };
    Ok(Order { key, ascending })
}

/// A page of the caller's incidents, as they may see them (also `/monitors/{id}/incidents`).
pub async fn list_page(req: &Request, me: &Principal, filter: Filter) -> Result<Response> {
    let org = me.org_id;
    let mut page = req.read(move |c| store::list(c, org, &filter)).await?;
    page.items = redact::incidents_for(me, page.items);
    Ok(ListPage::reply(page))
}

async fn ongoing_count(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    let ongoing = req
        .read(move |c| store::count_ongoing(c, me.org_id))
        .await?;
    Ok(reply::ok(&OngoingCount { ongoing }))
}

/// The incident named by the path, in the caller's organization.
async fn find(req: &Request, me: &Principal) -> Result<Incident> {
    let id: IncidentId = req.param_id("id")?;
    let org = me.org_id;
    req.read(move |c| store::get(c, org, id))
        .await?
        .ok_or_else(|| Error::not_found("incident"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    let incident = find(&req, &me).await?;
    let source_id = incident.incident_source_id.clone();
    let source_type = incident.incident_source_type;
    let org = me.org_id;
    let described = req
        .read(move |c| source::describe(c, org, source_type, source_id.as_deref()))
        .await?;
    let source = described.map(|d| Source {
        name: d.name,
        url: if sees_secrets(&me) {
            d.url
        } else {
            d.masked_url
        },
    });
    Ok(reply::ok(&IncidentDetail {
        incident: redact::incident_for(&me, incident),
        source,
    }))
}

async fn declare(req: Request) -> Result<Response> {
    let me = req.require(EditIncidents).await?;
    let body: Declare = req.json()?;
    let title = limits::required_line("title", &body.title, limits::NAME)?;
    if let Some(description) = &body.description {
        limits::multiline("description", description, limits::TEXT)?;
    }
    let metadata = body.metadata.unwrap_or_default();
    limits::metadata("metadata", metadata.iter())?;
    let cause = body
        .description
        .filter(|d| !d.trim().is_empty())
        .map(|description| Cause::Manual { description });
    let (org, user, now) = (me.org_id, me.user_id, req.now());
    let incident = req
        .write(move |c| {
            let new = NewIncident {
                org_id: org,
                source_type: SourceType::Manual,
                source_id: None,
                title: &title,
                status: IncidentStatus::Ongoing,
                priority: body.priority.unwrap_or(Priority::Major),
                cause: cause.as_ref(),
                metadata: &metadata,
                created_by: Some(user),
            };
            let id = store::insert(c, &new, now)?;
            crate::audit::created(id);
            store::get(c, org, id)?.ok_or_else(|| Error::internal("incident vanished after insert"))
        })
        .await?;
    Ok(reply::created(&incident))
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(EditIncidents).await?;
    let body: Update = req.json()?;
    let (user, now) = (me.user_id, req.now());
    let updated = change(&req, &me, move |c, incident| {
        if incident.priority == body.priority {
            return Ok(());
        }
        store::set_priority(c, incident.id, body.priority, user, now)
    })
    .await?;
    Ok(reply::ok(&updated))
}

async fn events(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    let id = find(&req, &me).await?.id;
    // A timeline is read whole: larger pages than lists.
    let (offset, limit) = req.query::<Page>()?.window_up_to(200, 500);
    let items = req
        .read(move |c| store::events(c, id, 0, offset, limit))
        .await?;
    Ok(reply::ok(&Timeline { items }))
}

async fn acknowledge(req: Request) -> Result<Response> {
    let me = req.require(EditIncidents).await?;
    let (user, now) = (me.user_id, req.now());
    let updated = change(&req, &me, move |c, incident| {
        match actions::perform(c, incident, &Action::Acknowledge, user, now)? {
            Err(Skip::AlreadyResolved) => Err(Error::conflict(
                "incident_resolved",
                "a resolved incident needs no acknowledgement",
            )),
            // Acknowledging twice is harmless: the incident is as the caller wants it.
            Ok(_) | Err(Skip::AlreadyAcknowledged) => Ok(()),
        }
    })
    .await?;
    Ok(reply::ok(&updated))
}

/// Runs `f` on the incident named by the path as stored *inside* the write, so a decision
/// (already resolved?) cannot race with the checker changing it; returns it afterwards, as `me`
/// may see it.
async fn change<F>(req: &Request, me: &Principal, f: F) -> Result<Incident>
where
    F: FnOnce(&rusqlite::Connection, &Incident) -> Result<()> + Send + 'static,
{
    let id: IncidentId = req.param_id("id")?;
    let org = me.org_id;
    let incident = req
        .write(move |c| {
            let incident = store::get(c, org, id)?.ok_or_else(|| Error::not_found("incident"))?;
            f(c, &incident)?;
            store::get(c, org, id)?.ok_or_else(|| Error::not_found("incident"))
        })
        .await?;
    Ok(redact::incident_for(me, incident))
}

async fn comment(req: Request) -> Result<Response> {
    let me = req.require(CommentIncidents).await?;
    let incident = find(&req, &me).await?;
    let body: Comment = req.json()?;
    let action = Action::Comment(actions::comment_payload(body.comment, body.payload)?);
    let (user, now, id, org) = (me.user_id, req.now(), incident.id, me.org_id);
    let event = req
        .write(move |c| {
            // It may have been discarded (an unconfirmed blip) since it was read.
            let incident = store::get(c, org, id)?.ok_or_else(|| Error::not_found("incident"))?;
            let event = actions::perform(c, &incident, &action, user, now)?
                .ok()
                .flatten()
                .ok_or_else(|| Error::internal("a comment is never skipped"))?;
            store::events(c, id, event, 0, 1)?
                .pop()
                .ok_or_else(|| Error::internal("comment vanished"))
        })
        .await?;
    Ok(reply::created(&event))
}

async fn resolve(req: Request) -> Result<Response> {
    let me = req.require(EditIncidents).await?;
    let (user, now) = (me.user_id, req.now());
    let updated = change(&req, &me, move |c, incident| {
        match actions::perform(c, incident, &Action::Resolve, user, now)? {
            Ok(_) => Ok(()),
            Err(_) => Err(Error::conflict(
                "incident_resolved",
                "the incident is already resolved",
            )),
        }
    })
    .await?;
    Ok(reply::ok(&updated))
}
