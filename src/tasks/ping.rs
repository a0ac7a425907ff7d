//! Ping URLs, for crontab lines with plain curl and no headers (Healthchecks-style): the secret
//! key in the path names the task. `GET|POST|HEAD /ping/{key}` reports success, `/start` starts a
//! run, `/fail` a failure, `/{0-255}` an exit code, `/log` records a message without changing
//! anything. A POST body is kept as the run's output (its last 10 KB). They answer `OK`.

use warp::http::StatusCode;
use warp::reply::Response;

use super::lifecycle::{self, Ping};
use super::model::output_tail;
use super::run_store;
use super::store;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    [
        both(
            "/ping/{key}",
            "Report a successful run (GET, POST or HEAD)",
            success,
        ),
        both("/ping/{key}/start", "Report that a run starts", start),
        both("/ping/{key}/fail", "Report a failed run", fail),
        both("/ping/{key}/log", "Record a message; no status change", log),
        both(
            "/ping/{key}/{exitCode}",
            "Report a run's exit code: 0 success, 1–255 failure",
            exit_code,
        ),
    ]
    .concat()
    .into_iter()
    .map(|r| {
        r.param::<u8>("exitCode")
            .not_audited("a run's report by its ping key (kept in the run history)")
    })
    .collect()
}

/// GET (and HEAD) and POST on `path`: crontab lines use whichever their tool sends.
fn both<F, Fut>(path: &'static str, summary: &'static str, handler: F) -> Vec<Route>
where
    F: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Response>> + Send + 'static,
{
    let routes = vec![
        Route::get(path, handler.clone())
            .summary(summary)
            .public()
            .returns_empty(200, "OK (text/plain)"),
        Route::post(path, handler)
            .summary(summary)
            .public()
            .returns_empty(200, "OK (text/plain); the body is kept as the run's output"),
    ];
    Route::tagged("Ping URLs", routes)
}

enum Action {
    Report(Ping),
    Log,
}

async fn success(req: Request) -> Result<Response> {
    ping(req, Action::Report(Ping::Success)).await
}

async fn start(req: Request) -> Result<Response> {
    ping(req, Action::Report(Ping::Start)).await
}

async fn fail(req: Request) -> Result<Response> {
    ping(req, Action::Report(Ping::Fail)).await
}

async fn log(req: Request) -> Result<Response> {
    ping(req, Action::Log).await
}

async fn exit_code(req: Request) -> Result<Response> {
    let raw = req.param("exitCode");
    // Plain digits only, as `$?` prints them: "+1" or "01" is a typo, not an exit code.
    let canonical =
        raw.chars().all(|c| c.is_ascii_digit()) && (raw == "0" || !raw.starts_with('0'));
    let code = raw
        .parse::<u8>()
        .ok()
        .filter(|_| canonical)
        .ok_or(())
        .map_err(|_| {
            Error::bad_request(
                "invalid_ping",
                format!("{raw:?}: use start, fail, log or an exit code from 0 to 255"),
            )
        })?;
    ping(req, Action::Report(Ping::ExitCode(code))).await
}

async fn ping(req: Request, action: Action) -> Result<Response> {
    let key = req.param("key").to_owned();
    let body = (!req.body.is_empty()).then(|| output_tail(&String::from_utf8_lossy(&req.body)));
    let now = req.now();
    req.write(move |c| {
        let (org, id) =
            store::find_by_ping_key(c, &key)?.ok_or_else(|| Error::not_found("ping key"))?;
        match action {
            Action::Log => run_store::insert_log(c, org, &id, body.as_deref().unwrap_or(""), now),
            Action::Report(p) => lifecycle::ping(c, org, &id, p, body.as_deref(), now),
        }
    })
    .await?;
    Ok(reply::text(StatusCode::OK, "OK"))
}
