//! `/monitors/{id}/badge-key` and `/tasks/{id}/badge-key` (read, create or regenerate, revoke),
//! and the public badges themselves, `/badge/{key}/{metric}.svg` and `.json`.

use schemars::JsonSchema;
use serde::Serialize;
use warp::reply::Response;

use super::{Format, Metric, Source, store};
use crate::accounts::roles::Permission::{
    ReadHttpMonitors, ReadTasks, WriteHttpMonitors, WriteTasks,
};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{MonitorId, OrgId};
use crate::{monitors, tasks};

pub fn routes() -> Vec<Route> {
    let keys = Route::tagged(
        "Badges",
        vec![
            Route::get("/monitors/{id}/badge-key", |r| {
                key(r, Kind::Monitor, Do::Read)
            })
            .summary("The monitor's badge key and its badge URLs (404 without one)")
            .returns::<BadgeKey>(200, "The key and the badges' URLs"),
            Route::post("/monitors/{id}/badge-key", |r| {
                key(r, Kind::Monitor, Do::Create)
            })
            .summary("Give the monitor a new badge key, revoking the previous one")
            .returns::<BadgeKey>(201, "The new key and the badges' URLs"),
            Route::delete("/monitors/{id}/badge-key", |r| {
                key(r, Kind::Monitor, Do::Revoke)
            })
            .summary("Revoke the monitor's badge key: its badges answer 404")
            .returns_empty(204, "Revoked"),
            Route::get("/tasks/{id}/badge-key", |r| key(r, Kind::Task, Do::Read))
                .summary("The task's badge key and its badge URLs (404 without one)")
                .returns::<BadgeKey>(200, "The key and the badges' URLs"),
            Route::post("/tasks/{id}/badge-key", |r| key(r, Kind::Task, Do::Create))
                .summary("Give the task a new badge key, revoking the previous one")
                .returns::<BadgeKey>(201, "The new key and the badges' URLs"),
            Route::delete("/tasks/{id}/badge-key", |r| key(r, Kind::Task, Do::Revoke))
                .summary("Revoke the task's badge key: its badges answer 404")
                .returns_empty(204, "Revoked"),
            Route::get("/badge/{key}/{metric}.svg", |r| badge(r, Format::Svg))
                .summary(
                    "A badge as an SVG image (shields.io flat style); metric: status, \
                     uptime-24h, uptime-7d, uptime-30d, uptime-90d, response-time, certificate \
                     (the last two for monitors only)",
                )
                .public()
                .returns_empty(200, "image/svg+xml, cacheable for 60 s"),
            Route::get("/badge/{key}/{metric}.json", |r| badge(r, Format::Json))
                .summary("A badge as shields.io endpoint JSON (same metrics as the SVG)")
                .public()
                .returns::<super::Endpoint>(200, "shields.io's endpoint schema"),
        ],
    );
    keys.into_iter()
        // The resource id is the monitor's or task's: its badge key is secret.
        .map(|r| r.audited_as("badge_key"))
        .map(|r| match r.path.starts_with("/monitors") {
            true => r.param::<MonitorId>("id"),
            false => r.param::<crate::tasks::settings::TaskIdParam>("id"),
        })
        .map(|r| r.param::<MetricName>("metric"))
        .collect()
}

/// The metric in a badge URL.
#[derive(JsonSchema)]
#[schemars(extend("enum" = ["status", "uptime-24h", "uptime-7d", "uptime-30d", "uptime-90d",
                            "response-time", "certificate"]))]
#[allow(dead_code)] // Only its schema is used, by /openapi.json.
struct MetricName(String);

/// A badge key and the URLs of its SVG badges (replace `.svg` by `.json` for shields.io's
/// endpoint JSON). Paths from the server's root.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BadgeKey {
    pub key: String,
    pub urls: BadgeUrls,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BadgeUrls {
    pub status: String,
    pub uptime24h: String,
    pub uptime7d: String,
    pub uptime30d: String,
    pub uptime90d: String,
    /// Null for a task.
    pub response_time: Option<String>,
    /// Null for a task.
    pub certificate: Option<String>,
}

impl BadgeKey {
    fn new(key: String, source: &Source) -> BadgeKey {
        let url = |m: Metric| {
            m.applies_to(source)
                .then(|| format!("/badge/{key}/{}.svg", m.as_str()))
        };
        let always = |m: Metric| url(m).unwrap_or_default();
        BadgeKey {
            urls: BadgeUrls {
                status: always(Metric::Status),
                uptime24h: always(Metric::Uptime24h),
                uptime7d: always(Metric::Uptime7d),
                uptime30d: always(Metric::Uptime30d),
                uptime90d: always(Metric::Uptime90d),
                response_time: url(Metric::ResponseTime),
                certificate: url(Metric::Certificate),
            },
            key,
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Monitor,
    Task,
}

#[derive(Clone, Copy)]
enum Do {
    Read,
    Create,
    Revoke,
}

async fn key(req: Request, kind: Kind, action: Do) -> Result<Response> {
    let permission = match (kind, action) {
        (Kind::Monitor, Do::Read) => ReadHttpMonitors,
        (Kind::Monitor, _) => WriteHttpMonitors,
        (Kind::Task, Do::Read) => ReadTasks,
        (Kind::Task, _) => WriteTasks,
    };
    let me = req.require(permission).await?;
    let source = match kind {
        Kind::Monitor => Source::Monitor(req.param_id("id")?),
        Kind::Task => Source::Task(req.param("id").to_owned()),
    };
    let (org, now) = (me.org_id, req.now());
    match action {
        Do::Read => {
            let key = req
                .read(move |c| {
                    exists(c, org, &source)?;
                    Ok(store::key_of(c, org, &source)?.map(|k| BadgeKey::new(k, &source)))
                })
                .await?;
            Ok(reply::ok(
                &key.ok_or_else(|| Error::not_found("badge key"))?,
            ))
        }
        Do::Create => {
            let created = req
                .write(move |c| {
                    exists(c, org, &source)?;
                    let key = store::new_key();
                    store::replace(c, org, &source, &key, now)?;
                    Ok(BadgeKey::new(key, &source))
                })
                .await?;
            Ok(reply::created(&created))
        }
        Do::Revoke => {
            let removed = req
                .write(move |c| {
                    exists(c, org, &source)?;
                    store::remove(c, org, &source)
                })
                .await?;
            match removed {
                true => Ok(reply::no_content()),
                false => Err(Error::not_found("badge key")),
            }
        }
    }
}

/// 404 unless the monitor or task is the organization's.
fn exists(c: &rusqlite::Connection, org: OrgId, source: &Source) -> Result<()> {
    let found = match source {
        Source::Monitor(id) => monitors::store::get(c, org, *id)?.is_some(),
        Source::Task(id) => tasks::store::exists(c, org, id)?,
    };
    match (found, source) {
        (true, _) => Ok(()),
        (false, Source::Monitor(_)) => Err(Error::not_found("monitor")),
        (false, Source::Task(_)) => Err(Error::not_found("task")),
    }
}

async fn badge(req: Request, format: Format) -> Result<Response> {
    let key = req.param("key").to_owned();
    let metric = Metric::parse(req.param("metric"))?;
    let now = req.now();
    req.read(move |c| {
        let (org, source) = store::find(c, &key)?.ok_or_else(|| Error::not_found("badge"))?;
        super::render(c, org, &source, metric, format, now)
    })
    .await
}
