//! Ping URLs, for crontab lines with plain curl and no headers (Healthchecks' protocol): the
//! secret key in the path names the task. `GET|POST|HEAD /ping/{key}` reports success, `/start`
//! starts a run, `/fail` a failure, `/{0-255}` an exit code, `/log` records a message without
//! changing anything. The organization's ping key names a task by its id instead:
//! `/ping/{orgKey}/{taskId}` and the same actions after it (`?create=1` makes the task on its
//! first ping). `?rid=<uuid>` (runitor sends one per run) matches a run's start and end, so runs
//! of one task may overlap. A POST body is kept as the run's output (its last 10 KB, which every
//! answer states in `Ping-Body-Limit` so runitor sends no more). They answer `OK`.

use serde::Deserialize;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

use super::lifecycle::{self, Ping};
use super::model::{MAX_OUTPUT, output_tail};
use super::ping_target::{self, Located};
use super::run_store;
use super::settings::TaskIdParam;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    [
        both(
            "/ping/{key}",
            "Report a successful run (GET, POST or HEAD)",
            |r| ping(r, Action::Success),
        ),
        both("/ping/{key}/start", "Report that a run starts", |r| {
            ping(r, Action::Start)
        }),
        both("/ping/{key}/fail", "Report a failed run", |r| {
            ping(r, Action::Fail)
        }),
        both("/ping/{key}/log", "Record a message; no status change", |r| {
            ping(r, Action::Log)
        }),
        both(
            "/ping/{key}/{exitCode}",
            "Report a run's exit code: 0 success, 1–255 failure (after an organization's ping key, this segment is a task id: a success)",
            |r| ping(r, Action::Code),
        ),
        both(
            "/ping/{key}/{slug}/start",
            "By the organization's ping key and the task's id: a run starts",
            |r| ping(r, Action::Start),
        ),
        both(
            "/ping/{key}/{slug}/fail",
            "By the organization's ping key and the task's id: a failed run",
            |r| ping(r, Action::Fail),
        ),
        both(
            "/ping/{key}/{slug}/log",
            "By the organization's ping key and the task's id: a message",
            |r| ping(r, Action::Log),
        ),
        both(
            "/ping/{key}/{slug}/{exitCode}",
            "By the organization's ping key and the task's id: an exit code",
            |r| ping(r, Action::Code),
        ),
    ]
    .concat()
    .into_iter()
    .map(|r| {
        r.param::<u8>("exitCode")
            .param::<TaskIdParam>("slug")
            .query::<PingQuery>()
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
            .returns_empty(200, "OK (text/plain)")
            .returns_empty(201, "Created (text/plain): the task was made by this ping"),
        Route::post(path, handler)
            .summary(summary)
            .public()
            .returns_empty(200, "OK (text/plain); the body is kept as the run's output")
            .returns_empty(201, "Created (text/plain): the task was made by this ping"),
    ];
    Route::tagged("Ping URLs", routes)
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct PingQuery {
    /// The run's id (a UUID, as runitor sends): the start and the end of one run carry the same,
    /// so runs of one task may overlap. An end whose start never came records a run without
    /// duration. Without it, a ping concerns the run started without one.
    // The pattern documents what `parse_rid` refuses (a 400), so the document and server agree.
    #[schemars(regex(pattern = crate::ids::UUID_PATTERN))]
    pub rid: Option<String>,
    /// `1`: on a URL with the organization's ping key, make the task if it does not exist (an
    /// ad-hoc task named by its id; 201 `Created`).
    pub create: Option<String>,
}

#[derive(Clone, Copy)]
enum Action {
    Success,
    Start,
    Fail,
    Log,
    /// The `exitCode` segment.
    Code,
}

/// A run id as Healthchecks takes it (a UUID with its dashes, in any case), stored lowercase.
/// The other forms `Uuid` reads (no dashes, braces, `urn:`) are refused as the document says.
pub fn parse_rid(raw: Option<&str>) -> Result<Option<String>> {
    raw.map(|r| {
        uuid::Uuid::try_parse(r)
            .ok()
            .filter(|_| r.len() == HYPHENATED_LEN)
            .map(|u| u.hyphenated().to_string())
            .ok_or(())
            .map_err(|_| {
                Error::bad_request("invalid_rid", format!("rid: {r:?} is not a UUID"))
                    .in_field("rid")
            })
    })
    .transpose()
}

/// The length of a UUID written with its dashes, the only form of that length `Uuid` reads.
const HYPHENATED_LEN: usize = 36;

/// What the path's segment says: the report of `action`, an exit code checked.
fn report(action: Action, code: &str) -> Result<Option<Ping>> {
    Ok(Some(match action {
        Action::Success => Ping::Success,
        Action::Start => Ping::Start,
        Action::Fail => Ping::Fail,
        Action::Log => return Ok(None),
        Action::Code => Ping::ExitCode(exit_code(code)?),
    }))
}

fn exit_code(raw: &str) -> Result<u8> {
    // Plain digits only, as `$?` prints them: "+1" or "01" is a typo, not an exit code.
    let canonical =
        raw.chars().all(|c| c.is_ascii_digit()) && (raw == "0" || !raw.starts_with('0'));
    raw.parse::<u8>().ok().filter(|_| canonical).ok_or_else(|| {
        Error::bad_request(
            "invalid_ping",
            format!("{raw:?}: use start, fail, log or an exit code from 0 to 255"),
        )
    })
}

/// The segment after the key, on the routes without `{slug}` (a literal action or an exit
/// code): after an organization's key it is a task id instead.
fn second_segment(action: Action, code: Option<&str>) -> Option<String> {
    match action {
        Action::Success => None,
        Action::Start => Some("start".to_owned()),
        Action::Fail => Some("fail".to_owned()),
        Action::Log => Some("log".to_owned()),
        Action::Code => code.map(str::to_owned),
    }
}

/// A path parameter the route has.
fn param(req: &Request, name: &str) -> Option<String> {
    req.params
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
}

async fn ping(req: Request, action: Action) -> Result<Response> {
    let query: PingQuery = req.query()?;
    let rid = parse_rid(query.rid.as_deref())?;
    let create = query.create.as_deref() == Some("1");
    let key = req.param("key").to_owned();
    let slug = param(&req, "slug");
    let code = param(&req, "exitCode");
    let second = second_segment(action, code.as_deref());
    let body = (!req.body.is_empty()).then(|| output_tail(&String::from_utf8_lossy(&req.body)));
    let now = req.now();
    let created = req
        .write(move |c| {
            let (task, action) = match (slug, ping_target::by_task_key(c, &key)?, second) {
                (Some(slug), _, _) => (ping_target::by_slug(c, &key, &slug, create, now)?, action),
                (None, Some(task), _) => (task, action),
                // `/ping/{orgKey}/{taskId}`: the second segment names the task.
                (None, None, Some(id)) => (
                    ping_target::by_slug(c, &key, &id, create, now)?,
                    Action::Success,
                ),
                (None, None, None) => return Err(Error::not_found("ping key")),
            };
            let Located { task, created } = task;
            match report(action, code.as_deref().unwrap_or(""))? {
                None => {
                    let body = body.as_deref().unwrap_or("");
                    run_store::insert_log(c, task.organization_id, &task.id, body, now)?
                }
                Some(p) => lifecycle::ping(c, &task, p, rid.as_deref(), body.as_deref(), now)?,
            }
            Ok(created)
        })
        .await?;
    let mut answer = match created {
        true => reply::text(StatusCode::CREATED, "Created"),
        false => reply::text(StatusCode::OK, "OK"),
    };
    answer
        .headers_mut()
        .insert("ping-body-limit", HeaderValue::from(MAX_OUTPUT));
    Ok(answer)
}
