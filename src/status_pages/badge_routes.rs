//! A component's badge: `/status/{slug}/components/{componentId}/badge/{metric}.svg` (and
//! `.json`), drawn by `badges::render` from the component's source, for whoever may read the
//! page (no badge key needed: the page is what is shared).

use warp::http::{HeaderValue, header};
use warp::reply::Response;

use super::access::Access;
use super::public_routes::entry;
use crate::badges::{Format, Metric, Source};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::ComponentId;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages (visitors)",
        vec![
            Route::get(
                "/status/{slug}/components/{componentId}/badge/{metric}.svg",
                |r| badge(r, Format::Svg),
            )
            .summary("A component's badge as SVG; metric as for /badge/{key}/{metric}.svg")
            .public()
            .returns_empty(200, "image/svg+xml"),
            Route::get(
                "/status/{slug}/components/{componentId}/badge/{metric}.json",
                |r| badge(r, Format::Json),
            )
            .summary("A component's badge as shields.io endpoint JSON")
            .public()
            .returns::<crate::badges::Endpoint>(200, "shields.io's endpoint schema"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<ComponentId>("componentId"))
    .collect()
}

async fn badge(req: Request, format: Format) -> Result<Response> {
    let (e, access) = entry(&req).await?;
    let id: ComponentId = req.param_id("componentId")?;
    let metric = Metric::parse(req.param("metric"))?;
    let component = e
        .page
        .settings
        .components()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::not_found("component"))?;
    let source = Source::parse(component.source_type.as_str(), &component.source_id)?;
    let (org, now) = (e.page.organization_id, req.now());
    let mut r = req
        .read(move |c| crate::badges::render(c, org, &source, metric, format, now))
        .await?;
    if let Access::Private { .. } = access {
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(r)
}
