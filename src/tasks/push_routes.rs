//! Uptime Kuma's push URLs, so the scripts of its push monitors keep working once they are tasks:
//! `GET|POST /api/push/{pushToken}?status=up|down&msg=…&ping=…` finds the task whose ping key is
//! the token. `up` (the default) is a success, `down` a failure, `msg` the run's output. `ping`
//! (a response time Kuma charts) is checked as Kuma checks it, then ignored: a task has no
//! response time. Answers as Kuma does: `{"ok":true}`, or `{"ok":false,"msg":…}` with 404 for an
//! unknown token (and 400 for a bad parameter).

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

pub fn routes() -> Vec<Route> {
    let summary = "Uptime Kuma push URL: a run's result by the task's ping key";
    let routes = vec![
        Route::get("/api/push/{pushToken}", push),
        Route::post("/api/push/{pushToken}", push),
    ];
    Route::tagged("Ping URLs", routes)
        .into_iter()
        .map(|r| {
            r.summary(summary)
                .public()
                .query::<PushQuery>()
                .returns::<PushReply>(200, "{\"ok\": true}")
                .returns::<PushReply>(404, "{\"ok\": false, \"msg\": …}: no task has this key")
                .not_audited("a run's report by its ping key (kept in the run history)")
        })
        .collect()
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PushQuery {
    /// `up` (default): a success; `down`: a failure.
    pub status: Option<String>,
    /// Kept as the run's output.
    pub msg: Option<String>,
    /// A response time in ms (0 to 100,000,000,000, as Kuma takes it); ignored.
    pub ping: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct PushReply {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
}

/// Kuma's own bound on `ping`.
const MAX_PING_MS: f64 = 100_000_000_000.0;

fn parse(q: &PushQuery) -> Result<Ping> {
    if let Some(ping) = q.ping.as_deref().filter(|p| !p.is_empty()) {
        let ms = ping
            .parse::<f64>()
            .ok()
            .filter(|ms| (0.0..=MAX_PING_MS).contains(ms));
        if ms.is_none() {
            return Err(Error::invalid_field(
                "ping",
                format!("{ping:?}: must be a number of ms from 0 to {MAX_PING_MS}"),
            ));
        }
    }
    match q.status.as_deref() {
        None | Some("up") => Ok(Ping::Success),
        Some("down") => Ok(Ping::Fail),
        Some(other) => Err(Error::invalid_field(
            "status",
            format!("{other:?}: use up or down"),
        )),
    }
}

async fn push(req: Request) -> Result<Response> {
    match report(&req).await {
        Ok(()) => Ok(reply::ok(&PushReply {
            ok: true,
            msg: None,
        })),
        Err(e) if e.is_internal() => Err(e),
        // Kuma's clients read `msg`; its 404 says which token was not found.
        Err(e) => {
            let msg = match e.kind {
                Kind::NotFound => "Monitor not found or not active.".to_owned(),
                _ => e.message,
            };
            let body = PushReply {
                ok: false,
                msg: Some(msg),
            };
            Ok(reply::json(reply::status_of(e.kind), &body))
        }
    }
}

async fn report(req: &Request) -> Result<()> {
    let q: PushQuery = req.query()?;
    let ping = parse(&q)?;
    let output = q.msg.as_deref().map(output_tail);
    let token = req.param("pushToken").to_owned();
    let now = req.now();
    req.write(move |c| {
        let task = ping_target::by_task_key(c, &token)?.ok_or_else(|| Error::not_found("task"))?;
        lifecycle::ping(c, task.org, &task.id, ping, None, output.as_deref(), now)
    })
    .await
}
