//! Routes about the server itself: build information, metrics, the OpenAPI document (health is
//! in `health::routes`).

use schemars::JsonSchema;
use serde::Serialize;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use super::reply;
use super::request::Request;
use super::router::Route;
use crate::error::{Error, Result};

pub fn routes() -> Vec<Route> {
    Route::tagged(
"System",
vec![
        Route::get("/", root)
            .public()
            .summary("Build information (a browser is sent to the dashboard)",
            )
            .returns::<BuildInfo>(200, "Version, commit and build time"),
        Route::get("/metrics", metrics)
            .public()
            .summary("Check scheduler figures, tasks and notifications by status, in the Prometheus text format; with --metrics-token, needs Authorization: Bearer <token>",
            )
            .returns_empty(200, "text/plain; version=0.0.4"),
        Route::get("/openapi.json", openapi)
            .public()
            .summary("This OpenAPI 3.1 document")
            .returns_empty(200, "The OpenAPI document"),
    ],
)
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    pub version: &'static str,
    pub git_commit_hash: Option<&'static str>,
    /// RFC 3339.
    pub build_time: String,
}

pub fn build_info() -> BuildInfo {
    let commit = env!("DUTYDUCK_GIT_COMMIT");
    let epoch: i64 = env!("DUTYDUCK_BUILD_EPOCH").parse().unwrap_or(0);
    BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        git_commit_hash: (!commit.is_empty()).then_some(commit),
        build_time: chrono::DateTime::from_timestamp(epoch, 0)
            .unwrap_or_default()
            .to_rfc3339(),
    }
}

async fn root(req: Request) -> Result<Response> {
    let accept = req.header(header::ACCEPT.as_str()).unwrap_or("");
    if accept.contains("text/html") && !accept.contains("application/json") {
        let mut response = reply::no_content();
        *response.status_mut() = StatusCode::SEE_OTHER;
        response
            .headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/dashboard"));
        return Ok(response);
    }
    Ok(reply::ok(&build_info()))
}

/// Built at its first request rather than at start, and kept as its JSON text (about 450 KB)
/// rather than the tree it is built as (several times that): a server nobody asks for its
/// document holds none of it.
async fn openapi(_req: Request) -> Result<Response> {
    static DOCUMENT: std::sync::OnceLock<bytes::Bytes> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        let document = super::openapi::document(&crate::routes::all());
        serde_json::to_vec(&document)
            .expect("the document serializes")
            .into()
    });
    let mut response = Response::new(body.clone().into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// With `--metrics-token`, the scraper must present it as a bearer token. Both sides are
/// hashed before the constant-time comparison, so neither the length nor a prefix leaks.
fn require_metrics_token(req: &Request) -> Result<()> {
    let Some(expected) = req.app.metrics_token.as_deref() else {
        return Ok(());
    };
    let presented = req
        .header(header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(p)
            if crate::secret::matches(
                p.as_bytes(),
                &crate::secret::digest(expected.as_bytes()),
            ) =>
        {
            Ok(())
        }
        Some(_) => Err(Error::unauthorized(
            "invalid_token",
            "the metrics token is invalid",
        )),
        None => Err(Error::unauthorized(
            "missing_credentials",
            "this server requires `Authorization: Bearer <metrics token>` on /metrics",
        )),
    }
}

/// Prometheus text format. Lateness is the delay between a check's due time and its start,
/// over the last 10,000 checks.
async fn metrics(req: Request) -> Result<Response> {
    require_metrics_token(&req)?;
    let stats = req.app.scheduler.stats();
    let mut lateness: Vec<u32> = stats.lateness_ms.iter().copied().collect();
    lateness.sort_unstable();
    let quantile = |q: f64| -> f64 {
        if lateness.is_empty() {
            return 0.0;
        }
        let i = ((lateness.len() - 1) as f64 * q).round() as usize;
        f64::from(lateness[i]) / 1000.0
    };
    let counts = req
        .read(|c| {
            Ok((
                crate::tasks::store::count_by_status(c)?,
                crate::notify::outbox::count_by_status(c)?,
            ))
        })
        .await?;
    let labelled = |name: &str, rows: &[(String, i64)]| -> String {
        rows.iter()
            .map(|(status, n)| format!("{name}{{status=\"{status}\"}} {n}\n"))
            .collect()
    };
    let mut text = format!(
        "# HELP dutyduck_checks_total Monitor checks performed since start.\n\
         # TYPE dutyduck_checks_total counter\n\
         dutyduck_checks_total {}\n\
         # HELP dutyduck_monitors_scheduled Monitors with a check scheduled.\n\
         # TYPE dutyduck_monitors_scheduled gauge\n\
         dutyduck_monitors_scheduled {}\n\
         # HELP dutyduck_check_lateness_seconds Delay between a check's due time and its start.\n\
         # TYPE dutyduck_check_lateness_seconds summary\n\
         dutyduck_check_lateness_seconds{{quantile=\"0.5\"}} {}\n\
         dutyduck_check_lateness_seconds{{quantile=\"0.99\"}} {}\n\
         dutyduck_check_lateness_seconds_count {}\n",
        stats.checks,
        req.app.scheduler.scheduled(),
        quantile(0.5),
        quantile(0.99),
        lateness.len(),
    );
    text.push_str(
        "# HELP dutyduck_check_results_total Monitor checks since start, by kind and result.\n\
         # TYPE dutyduck_check_results_total counter\n",
    );
    for ((kind, passed), n) in &stats.results {
        let result = if *passed { "ok" } else { "failed" };
        text.push_str(&format!(
            "dutyduck_check_results_total{{kind=\"{kind}\",result=\"{result}\"}} {n}\n"
        ));
    }
    let now = req.now();
    let observed = crate::health::observe(&req.app, now).await;
    let problems = crate::health::assess(&observed, now);
    text.push_str(&format!(
        "# HELP dutyduck_healthy 1 when /healthz answers 200, 0 when it reports problems.\n\
         # TYPE dutyduck_healthy gauge\n\
         dutyduck_healthy {}\n\
         # HELP dutyduck_problem Problems /healthz reports, by code.\n\
         # TYPE dutyduck_problem gauge\n",
        u8::from(problems.is_empty())
    ));
    for p in &problems {
        text.push_str(&format!("dutyduck_problem{{code=\"{}\"}} 1\n", p.code));
    }
    text.push_str(&format!(
        "# HELP dutyduck_monitors_overdue Monitors whose check is overdue by more than their interval.\n\
         # TYPE dutyduck_monitors_overdue gauge\n\
         dutyduck_monitors_overdue {}\n\
         # HELP dutyduck_check_record_failures_total Check results that could not be recorded (each retried).\n\
         # TYPE dutyduck_check_record_failures_total counter\n\
         dutyduck_check_record_failures_total {}\n\
         # HELP dutyduck_store_write_failures_total Write batches the database refused since start.\n\
         # TYPE dutyduck_store_write_failures_total counter\n\
         dutyduck_store_write_failures_total {}\n\
         # HELP dutyduck_watchdog_looks_total Times the watchdog looked at the server (every 5 s).\n\
         # TYPE dutyduck_watchdog_looks_total counter\n\
         dutyduck_watchdog_looks_total {}\n\
         # HELP dutyduck_instance_incident_open 1 while the instance incident is open.\n\
         # TYPE dutyduck_instance_incident_open gauge\n\
         dutyduck_instance_incident_open {}\n",
        observed.checks.overdue,
        stats.record_failures,
        observed.write.failures_total,
        req.app.watchdog.looks(),
        u8::from(req.app.watchdog.incident_open()),
    ));
    if req.app.backups.schedule.is_some() {
        let backups = req.app.backups.status();
        text.push_str(&format!(
            "# HELP dutyduck_last_backup_timestamp_seconds When the last scheduled backup was written (0: none yet).\n\
             # TYPE dutyduck_last_backup_timestamp_seconds gauge\n\
             dutyduck_last_backup_timestamp_seconds {}\n\
             # HELP dutyduck_backup_failures_total Scheduled backups that failed since start (each retried).\n\
             # TYPE dutyduck_backup_failures_total counter\n\
             dutyduck_backup_failures_total {}\n",
            backups.last_backup_at.map_or(0, |t| t.timestamp()),
            backups.failures_total,
        ));
    }
    text.push_str("# HELP dutyduck_tasks Tasks by status.\n# TYPE dutyduck_tasks gauge\n");
    text.push_str(&labelled("dutyduck_tasks", &counts.0));
    text.push_str(
        "# HELP dutyduck_notifications Notifications kept in the outbox, by status.\n\
         # TYPE dutyduck_notifications gauge\n",
    );
    text.push_str(&labelled("dutyduck_notifications", &counts.1));
    let mut response = Response::new(text.into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}
