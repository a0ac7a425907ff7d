//! Uptime Kuma's push URLs, so the scripts of its push monitors keep working once they are tasks:
//! `/api/push/{pushToken}?status=up|down&msg=…&ping=…` (any method, as Kuma) finds the task whose
//! ping key is the token. `up` (the default) is a success, anything else a failure, `msg` the
//! run's output. `ping` (a response time Kuma charts) is ignored: a task has no response time,
//! and Kuma itself ignores one that is not a number. Answers as Kuma does: `{"ok":true}`, or
//! `{"ok":false,"msg":…}` with 404 for any refusal (an unknown token included).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::lifecycle::{self, Ping};
use super::model::output_tail;
use super::ping_target;
use crate::error::{Error, Kind, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use warp::http::StatusCode;

pub fn routes() -> Vec<Route> {
    let summary = "Uptime Kuma push URL: a run's result by the task's ping key";
    let routes = vec![
        // Kuma answers any method (`router.all`): scripts use GET, POST and sometimes others.
        Route::get("/api/push/{pushToken}", push),
        Route::post("/api/push/{pushToken}", push),
        Route::put("/api/push/{pushToken}", push),
        Route::patch("/api/push/{pushToken}", push),
        Route::delete("/api/push/{pushToken}", push),
    ];
    Route::tagged("Ping URLs", routes)
        .into_iter()
        .map(|r| {
            r.summary(summary)
                .public()
                .query::<PushQuery>()
                .returns::<PushReply>(200, "{\"ok\": true}")
                .returns::<PushReply>(
                    404,
                    "{\"ok\": false, \"msg\": …}: no task has this key, or a refusal",
                )
                .not_audited("a run's report by its ping key (kept in the run history)")
        })
        .collect()
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PushQuery {
    /// `up` (default, also when empty): a success; anything else (`down`, …): a failure.
    pub status: Option<String>,
    /// Kept as the run's output.
    pub msg: Option<String>,
    /// A response time in ms, which Kuma reads leniently (`parseFloat(ping) || null`: garbage is
    /// no response time); ignored, a task has none.
    pub ping: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PushReply {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
}

/// Kuma reads `status` as `=== "up" ? UP : DOWN` after defaulting an empty one to `up`: anything
/// else (`DOWN`, `0`, `null`) is a failure, never a refusal, so a script's report is not lost.
fn parse(q: &PushQuery) -> Ping {
    match q.status.as_deref() {
        None | Some("" | "up") => Ping::Success,
        Some(_) => Ping::Fail,
    }
}

async fn push(req: Request) -> Result<Response> {
    match report(&req).await {
        Ok(()) => Ok(reply::ok(&PushReply {
            ok: true,
            msg: None,
        })),
        Err(e) if e.is_internal() => Err(e),
        // Kuma answers every refusal 404 with `msg` (its clients read it), whatever the cause.
        Err(e) => {
            let msg = match e.kind {
                Kind::NotFound => "Monitor not found or not active.".to_owned(),
                _ => e.message,
            };
            let body = PushReply {
                ok: false,
                msg: Some(msg),
            };
            Ok(reply::json(StatusCode::NOT_FOUND, &body))
        }
    }
}

async fn report(req: &Request) -> Result<()> {
    let q: PushQuery = req.query()?;
    let ping = parse(&q);
    let output = q.msg.as_deref().map(output_tail);
    let token = req.param("pushToken").to_owned();
    let now = req.now();
    req.write(move |c| {
        let task = ping_target::by_task_key(c, &token)?.ok_or_else(|| Error::not_found("task"))?;
        lifecycle::ping(c, &task.task, ping, None, output.as_deref(), now)
    })
    .await
}
