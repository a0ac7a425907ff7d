//! `GET /healthz`: 200 when the server keeps watching, 503 with what is wrong when it does not,
//! so systemd, Docker and an outside uptime checker all see a server that fell behind.

use schemars::JsonSchema;
use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{Problem, assess, observe};
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "System",
        vec![
            Route::get("/healthz", healthz)
                .public()
                .summary(
                    "Health: 200 when the server keeps up with its checks, deadlines and \
                 notifications and its database stores changes; 503 saying what is wrong otherwise",
                )
                .returns::<Health>(200, "Healthy")
                .returns::<Health>(503, "Falling behind: the problems say how"),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// "ok" or "degraded".
    pub status: &'static str,
    /// Empty when healthy. Instance-wide facts only: no organization's data.
    pub problems: Vec<Problem>,
}

async fn healthz(req: Request) -> Result<Response> {
    let now = req.now();
    let problems = assess(&observe(&req.app, now).await, now);
    Ok(match problems.is_empty() {
        true => reply::ok(&Health {
            status: "ok",
            problems,
        }),
        false => reply::json(
            StatusCode::SERVICE_UNAVAILABLE,
            &Health {
                status: "degraded",
                problems,
            },
        ),
    })
}
