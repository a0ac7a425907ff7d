//! Badges: a monitor's or task's status, uptime (24 h, 7 d, 30 d, 90 d), response time and
//! certificate days left, as an SVG image in shields.io's flat style or as shields.io's endpoint
//! JSON (`{schemaVersion, label, message, color}`), for READMEs and wikis. Public by a badge key
//! (`badge_keys`, this feature's table: revocable, regenerable) or, for status pages, by
//! `render` on a component's source. The numbers are read through the monitors' and tasks' own
//! functions; the words and colours are pure rules (`measure.rs`), the drawing `svg.rs`.

pub mod measure;
pub mod routes;
pub mod store;
pub mod svg;

use chrono::Duration;
use rusqlite::Connection;
use schemars::JsonSchema;
use serde::Serialize;
use warp::http::{HeaderValue, header};
use warp::reply::Response;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::ids::{MonitorId, OrgId};
use crate::incidents::quiet::Quiet;
use crate::monitors;
use crate::tasks;
use measure::Reading;

/// What a badge is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Monitor(MonitorId),
    /// A task, by its id.
    Task(String),
}

impl Source {
    /// A status page component's `sourceType` ("monitor" or "task") and `sourceId`; anything
    /// else names nothing (404).
    pub fn parse(source_type: &str, id: &str) -> Result<Source> {
        match source_type {
            "monitor" => id
                .parse()
                .map(Source::Monitor)
                .map_err(|_| Error::not_found("monitor")),
            "task" => Ok(Source::Task(id.to_owned())),
            _ => Err(Error::not_found("badge source")),
        }
    }
}

/// What a badge shows, as written in its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Status,
    Uptime24h,
    Uptime7d,
    Uptime30d,
    Uptime90d,
    ResponseTime,
    Certificate,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::Status,
        Metric::Uptime24h,
        Metric::Uptime7d,
        Metric::Uptime30d,
        Metric::Uptime90d,
        Metric::ResponseTime,
        Metric::Certificate,
    ];

    /// Its name in a badge URL (`/badge/{key}/uptime-7d.svg`).
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Status => "status",
            Metric::Uptime24h => "uptime-24h",
            Metric::Uptime7d => "uptime-7d",
            Metric::Uptime30d => "uptime-30d",
            Metric::Uptime90d => "uptime-90d",
            Metric::ResponseTime => "response-time",
            Metric::Certificate => "certificate",
        }
    }

    /// An unknown metric is a badge that does not exist: 404, as for a wrong key.
    pub fn parse(text: &str) -> Result<Metric> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| Error::not_found("badge metric"))
    }

    /// The left half of the badge.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Status => "status",
            Metric::Uptime24h => "uptime 24h",
            Metric::Uptime7d => "uptime 7d",
            Metric::Uptime30d => "uptime 30d",
            Metric::Uptime90d => "uptime 90d",
            Metric::ResponseTime => "response time",
            Metric::Certificate => "certificate",
        }
    }

    fn uptime_window(self) -> Option<Duration> {
        match self {
            Metric::Uptime24h => Some(Duration::hours(24)),
            Metric::Uptime7d => Some(Duration::days(7)),
            Metric::Uptime30d => Some(Duration::days(30)),
            Metric::Uptime90d => Some(Duration::days(90)),
            _ => None,
        }
    }

    /// Tasks have no response time nor certificate.
    pub fn applies_to(self, source: &Source) -> bool {
        !matches!(
            (self, source),
            (Metric::ResponseTime | Metric::Certificate, Source::Task(_))
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    /// shields.io's endpoint JSON.
    Json,
}

/// shields.io's endpoint badge schema (https://shields.io/badges/endpoint-badge).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// Always 1.
    pub schema_version: u8,
    pub label: String,
    pub message: String,
    /// A shields.io colour name (brightgreen, green, yellowgreen, yellow, orange, red, blue,
    /// lightgrey).
    pub color: String,
}

/// The badge of `source` in `org`, as a response: 404 when the source is not in the
/// organization or the metric does not apply to it. Badges are public: the caller decided the
/// visitor may see this source (a badge key, a status page's component).
pub fn render(
    conn: &Connection,
    org: OrgId,
    source: &Source,
    metric: Metric,
    format: Format,
    now: Timestamp,
) -> Result<Response> {
    if !metric.applies_to(source) {
        return Err(Error::not_found("badge metric"));
    }
    let reading = read(conn, org, source, metric, now)?;
    Ok(respond(metric.label(), &reading, format))
}

/// Reads the number or status behind a badge, through the owning feature's functions.
fn read(
    conn: &Connection,
    org: OrgId,
    source: &Source,
    metric: Metric,
    now: Timestamp,
) -> Result<Reading> {
    let in_maintenance = |q: &Option<Quiet>| matches!(q, Some(Quiet::Maintenance { .. }));
    match source {
        Source::Monitor(id) => {
            let m = monitors::store::get(conn, org, *id)?.ok_or(Error::not_found("monitor"))?;
            Ok(match metric {
                Metric::Status => {
                    let m = monitors::source::with_quiet(conn, m, now)?;
                    measure::monitor_status(m.status, in_maintenance(&m.quiet))
                }
                Metric::ResponseTime => measure::response_time(monitors::history::response_time(
                    conn,
                    m.id,
                    now - Duration::hours(24),
                )?),
                Metric::Certificate => measure::certificate(m.tls_expires_at, now),
                uptime => {
                    let since = now - uptime.uptime_window().unwrap_or_default();
                    measure::uptime(monitors::history::uptime(conn, m.id, since)?)
                }
            })
        }
        Source::Task(id) => {
            let t = tasks::store::get(conn, org, id)?.ok_or(Error::not_found("task"))?;
            Ok(match metric.uptime_window() {
                None => {
                    let t = tasks::source::with_quiet(conn, t, now)?;
                    measure::task_status(t.status, in_maintenance(&t.quiet))
                }
                Some(window) => measure::uptime(tasks::run_store::success_rate(
                    conn,
                    org,
                    &t.id,
                    now - window,
                )?),
            })
        }
    }
}

fn respond(label: &str, reading: &Reading, format: Format) -> Response {
    let mut response = match format {
        Format::Json => reply::ok(&Endpoint {
            schema_version: 1,
            label: label.to_owned(),
            message: reading.message.clone(),
            color: reading.color.name().to_owned(),
        }),
        Format::Svg => {
            let mut r =
                Response::new(svg::flat(label, &reading.message, reading.color.hex()).into());
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            );
            r
        }
    };
    let headers = response.headers_mut();
    // Image proxies (GitHub's camo) and shields.io cache by these: a minute keeps a README's
    // badge current without a request per view reaching the server.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    // An SVG opened on its own is a document: it may run nothing and load nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    response
}
