//! `/incidents`: list, read, timeline, acknowledge, comment, resolve, reprioritize, declare.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use warp::reply::Response;

use super::cause::CommentText;
use super::model::{
    Cause, EventType, Incident, IncidentStatus, Payload, Priority, SourceType, TimelineEvent,
};
use super::store::{self, Filter, NewIncident};
use super::{redact, source};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{CommentIncidents, EditIncidents, ReadIncidents};
use crate::error::{Error, Result};
use crate::http::reply::{self, ListPage};
use crate::http::request::{Page, Request, metadata_filter};
use crate::http::router::Route;
use crate::ids::IncidentId;
use crate::limits;
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
    .map(|r| r.param::<IncidentId>("id"))
    .collect()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    #[serde(flatten)]
    pub page: Page,
    /// Repeat the key; default: ongoing and resolved.
    #[serde(default)]
    pub status: Vec<IncidentStatus>,
    #[serde(default)]
    pub priority: Vec<Priority>,
    pub source_type: Option<SourceType>,
    #[schemars(length(max = limits::TASK_ID))]
    pub source_id: Option<String>,
    /// RFC 3339.
    pub from_date: Option<DateTime<FixedOffset>>,
    pub to_date: Option<DateTime<FixedOffset>>,
    /// createdAt (default) or priority.
    #[schemars(extend("enum" = ["createdAt", "priority"]))]
    pub order_by: Option<String>,
    /// asc or desc (default).
    #[schemars(extend("enum" = ["asc", "desc"]))]
    pub order_direction: Option<String>,
    /// JSON: {"items": {"key": ["value", ...]}}.
    #[schemars(length(max = limits::SHORT), regex(pattern = crate::http::request::METADATA_FILTER_PATTERN))]
    pub metadata_filter: Option<String>,
}

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
    /// 1 to 10,000 characters; required unless `payload` is given.
    #[schemars(
        length(min = 1, max = limits::TEXT),
        regex(pattern = limits::MULTILINE_REQUIRED),
        extend("type" = "string")
    )]
    pub text: Option<String>,
    /// "plain" (default) or "markdown".
    #[schemars(extend("enum" = ["plain", "markdown"]))]
    pub format: Option<String>,
    /// The original dashboard's shape: {"editorjsData": …}; stored as given.
    #[schemars(extend("not" = {"type": "null"}))]
    pub payload: Option<Value>,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadIncidents).await?;
    let q: ListQuery = req.query()?;
    limits::length(
        "sourceId",
        q.source_id.as_deref().unwrap_or(""),
        limits::TASK_ID,
    )?;
    let (offset, limit) = q.page.window(10);
    let ascending = match q.order_direction.as_deref() {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("orderDirection: {other:?} is not asc or desc"),
            ));
        }
    };
    let order_by_priority = match q.order_by.as_deref() {
        None | Some("createdAt") => false,
        Some("priority") => true,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("orderBy: {other:?} is not createdAt or priority"),
            ));
        }
    };
    let statuses = if q.status.is_empty() {
        vec![IncidentStatus::Ongoing, IncidentStatus::Resolved]
    } else {
        q.status
    };
    let filter = Filter {
        statuses,
        priorities: q.priority,
        source_type: q.source_type,
        source_id: q.source_id,
        from: q.from_date.map(|d| d.to_utc()),
        to: q.to_date.map(|d| d.to_utc()),
        metadata: redact::metadata_filter_for(&me, metadata_filter(q.metadata_filter.as_deref())?),
        order_by_priority,
        ascending,
        offset,
        limit,
    };
    list_page(&req, &me, filter).await
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
        if incident.status == IncidentStatus::Resolved {
            return Err(Error::conflict(
                "incident_resolved",
                "a resolved incident needs no acknowledgement",
            ));
        }
        store::acknowledge(c, incident.id, user, now).map(drop)
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
    let payload = match (body.text, body.payload) {
        (Some(text), _) => {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Err(Error::invalid_field("text", "is required"));
            }
            limits::multiline("text", &text, limits::TEXT)?;
            let format = body.format.unwrap_or_else(|| "plain".into());
            if !matches!(format.as_str(), "plain" | "markdown") {
                return Err(Error::invalid_field("format", "must be plain or markdown"));
            }
            Payload::Comment(CommentText { text, format })
        }
        (None, Some(original)) => Payload::Other(original),
        (None, None) => return Err(Error::invalid_field("text", "is required")),
    };
    let (user, now, id, org) = (me.user_id, req.now(), incident.id, me.org_id);
    let event = req
        .write(move |c| {
            // It may have been discarded (an unconfirmed blip) since it was read.
            store::get(c, org, id)?.ok_or_else(|| Error::not_found("incident"))?;
            let event =
                store::add_event(c, id, now, Some(user), EventType::Comment, Some(&payload))?;
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
        if incident.status == IncidentStatus::Resolved {
            return Err(Error::conflict(
                "incident_resolved",
                "the incident is already resolved",
            ));
        }
        store::set_status(c, incident.id, IncidentStatus::Resolved, Some(user), now)?;
        let (org, source_type) = (incident.organization_id, incident.incident_source_type);
        crate::incidents::report::ended(c, org, source_type, now)
    })
    .await?;
    Ok(reply::ok(&updated))
}
