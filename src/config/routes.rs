//! `/config`: the organization's document (`GET`), what applying one would change
//! (`POST /config/plan`), and applying it (`PUT /config`, audited once with its counts).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use super::apply::{Applied, apply_with, plan_with};
use super::document::Document;
use super::plan::Plan;
use super::{export, parse, yaml};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{self, *};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Config",
        vec![
            Route::get("/config", get)
                .not_audited("a read")
                .query::<FormatQuery>()
                .summary("The organization's monitors, tasks, channels, escalation policies, maintenance windows and status pages as one document (YAML with Accept: application/yaml, JSON otherwise); secrets as ${NAME} references, listed in X-Dutyduck-Secrets")
                .returns::<Document>(200, "The document")
                .also_as(200, "application/yaml"),
            Route::post("/config/plan", plan)
                .not_audited("changes nothing")
                .summary("What applying a document (YAML or JSON by Content-Type) would create, change and delete, field by field; changes nothing")
                .query::<PruneQuery>()
                .body::<Document>()
                .returns::<PlanReply>(200, "The plan"),
            Route::put("/config", put)
                .audited("config", "apply")
                .summary("Apply a document in one transaction: all of it, or nothing at the first error (422 naming its line and field)")
                .query::<PruneQuery>()
                .body::<Document>()
                .returns::<PlanReply>(200, "What was applied"),
        ],
    )
}

#[derive(Deserialize, JsonSchema)]
pub struct PruneQuery {
    /// Also delete what the document does not list. Default false.
    #[serde(default)]
    pub prune: bool,
}

#[derive(Deserialize, JsonSchema)]
pub struct FormatQuery {
    /// `yaml` or `json`, over what `Accept` asks (for a plain download link).
    #[schemars(extend("enum" = ["yaml", "json"]))]
    pub format: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanReply {
    #[serde(flatten)]
    #[schemars(with = "serde_json::Value")]
    pub plan: Plan,
    /// The plan as `dutyduck apply` prints it.
    pub text: String,
}

const READ: [Permission; 3] = [ReadHttpMonitors, ReadTasks, ReadNotificationChannels];
const WRITE: [Permission; 3] = [WriteHttpMonitors, WriteTasks, WriteNotificationChannels];

/// Every section's permission: the document holds all of them.
async fn require_all(req: &Request, permissions: [Permission; 3]) -> Result<Principal> {
    let me = req.require(permissions[0]).await?;
    for p in &permissions[1..] {
        me.require(*p)?;
    }
    Ok(me)
}

fn wants_yaml(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("application/yaml")
            || v.contains("text/yaml")
            || v.contains("application/x-yaml")
    })
}

async fn get(req: Request) -> Result<Response> {
    let me = require_all(&req, READ).await?;
    let org = me.org_id;
    let yaml = match req.query::<FormatQuery>()?.format.as_deref() {
        None => wants_yaml(req.header("accept")),
        Some("yaml") => true,
        Some("json") => false,
        Some(other) => {
            return Err(Error::bad_request(
                "invalid_query",
                format!("format: {other:?} is not \"yaml\" or \"json\""),
            ));
        }
    };
    let exported = req.read(move |c| export::export(c, org)).await?;
    let mut response = if yaml {
        let mut r = Response::new(yaml::to_yaml(&exported.document).into());
        let headers = r.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/yaml; charset=utf-8"),
        );
        // The YAML is a file to keep in a repository: saved under its usual name.
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"dutyduck.yaml\""),
        );
        r
    } else {
        reply::ok(&exported.document)
    };
    if let Ok(names) = HeaderValue::from_str(&exported.secrets.join(", ")) {
        response.headers_mut().insert("x-dutyduck-secrets", names);
    }
    Ok(response)
}

/// The body as a document: JSON or YAML (`Content-Type` says which; both read alike).
fn document(req: &Request) -> Result<Document> {
    let content_type = req.header("content-type").unwrap_or("");
    if !(wants_yaml(Some(content_type)) || content_type.to_ascii_lowercase().contains("json")) {
        return Err(Error::new(
            crate::error::Kind::UnsupportedMediaType,
            "unsupported_media_type",
            "send the document with Content-Type: application/yaml or application/json",
        ));
    }
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| Error::bad_request("malformed_document", "the document is not UTF-8"))?;
    parse(text)
}

async fn plan(req: Request) -> Result<Response> {
    let me = require_all(&req, WRITE).await?;
    let (doc, prune) = (document(&req)?, req.query::<PruneQuery>()?.prune);
    let (org, now) = (me.org_id, req.now());
    let plan = req
        .write(move |c| plan_with(c, org, &doc, prune, now, None))
        .await?;
    Ok(answer(plan))
}

async fn put(req: Request) -> Result<Response> {
    let me = require_all(&req, WRITE).await?;
    let (doc, prune) = (document(&req)?, req.query::<PruneQuery>()?.prune);
    let (org, now) = (me.org_id, req.now());
    let (store, scheduler) = (req.app.store.clone(), req.app.scheduler.clone());
    // The entry's details: `prune`, then the counts the job adds.
    req.audit.details(serde_json::json!({ "prune": prune }));
    let job = req.audited(move |c| {
        let applied = apply_with(c, org, &doc, prune, now, None)?;
        let counts = serde_json::json!({
            "creates": applied.plan.creates, "updates": applied.plan.updates,
            "deletes": applied.plan.deletes,
        });
        if let serde_json::Value::Object(counts) = counts {
            crate::audit::more_details(counts);
        }
        Ok(applied)
    });
    // Detached from the request: the scheduler must hear of every committed monitor.
    let applied: Applied = tokio::spawn(async move {
        let applied = store.write(job).await?;
        for (id, before, after) in &applied.monitors {
            crate::monitors::actions::reschedule(&scheduler, *id, *before, after.as_ref());
        }
        Ok::<_, Error>(applied)
    })
    .await
    .map_err(Error::internal)??;
    Ok(answer(applied.plan))
}

fn answer(plan: Plan) -> Response {
    let text = plan.to_string();
    reply::json(StatusCode::OK, &PlanReply { plan, text })
}
