//! `GET /monitors/{id}/locations`: where a monitor is checked from, and how each location
//! fares.

use warp::reply::Response;

use super::view::{self, Locations};
use crate::accounts::roles::Permission::ReadHttpMonitors;
use crate::error::Result;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::MonitorId;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Monitors",
        vec![
            Route::get("/monitors/{id}/locations", locations)
                .summary("Where a monitor is checked from: each location's latest result and last 24 hours")
                .returns::<Locations>(200, "The locations, the quorum used and how many report"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<MonitorId>("id").audited_as("monitor"))
    .collect()
}

async fn locations(req: Request) -> Result<Response> {
    let me = req.require(ReadHttpMonitors).await?;
    let monitor = crate::monitors::routes::find(&req, &me).await?;
    let now = req.now();
    let locations = req.read(move |c| view::of(c, &monitor, now)).await?;
    Ok(reply::ok(&locations))
}
