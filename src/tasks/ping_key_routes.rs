//! `/task-ping-key`: the organization's ping key, which names its tasks by id in
//! `/ping/{orgKey}/{taskId}` (Healthchecks' slug URLs). Made on demand by the POST, which also
//! replaces it (the old slug URLs stop working; each task's own key keeps working).

use schemars::JsonSchema;
use serde::Serialize;
use warp::reply::Response;

use super::ping_keys;
use crate::accounts::roles::Permission::{WriteTaskRuns, WriteTasks};
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Tasks",
        vec![
            Route::get("/task-ping-key", show)
                .summary(
                    "The organization's ping key for /ping/{key}/{taskId} URLs (null until made)",
                )
                .returns::<OrgPingKey>(200, "The key"),
            Route::post("/task-ping-key", regenerate)
                .audited("task_ping_key", "regenerate")
                .summary(
                    "Make or replace the organization's ping key (the old slug URLs stop working)",
                )
                .returns::<OrgPingKey>(200, "The new key"),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgPingKey {
    /// Null until an Editor makes one.
    pub ping_key: Option<String>,
}

/// A credential for the runs of every task: shown to those who may report runs, as tasks' keys.
async fn show(req: Request) -> Result<Response> {
    let me = req.require(WriteTaskRuns).await?;
    let org = me.org_id;
    let ping_key = req.read(move |c| ping_keys::of_org(c, org)).await?;
    Ok(reply::ok(&OrgPingKey { ping_key }))
}

async fn regenerate(req: Request) -> Result<Response> {
    let me = req.require(WriteTasks).await?;
    let (org, now) = (me.org_id, req.now());
    let key = req
        .write(move |c| {
            let key = ping_keys::regenerate(c, org, now)?;
            // The entry names the organization: the key is never written to the log.
            crate::audit::created(org);
            Ok(key)
        })
        .await?;
    Ok(reply::ok(&OrgPingKey {
        ping_key: Some(key),
    }))
}
