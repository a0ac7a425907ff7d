//! The pages' own stylesheet and script, embedded: `/status/_/status.css` and
//! `/status/_/status.js` (`_` is no slug). Apart from the dashboard's files, so a status page
//! loads two small files and nothing of the app.

use std::sync::LazyLock;

use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use crate::error::Result;
use crate::http::request::Request;
use crate::http::router::Route;

const CSS: &str = include_str!("assets/status.css");
const JS: &str = include_str!("assets/status.js");

static ETAGS: LazyLock<[String; 2]> = LazyLock::new(|| {
    [CSS, JS].map(|text| {
        let digest = crate::secret::digest(text.as_bytes());
        format!("\"{}\"", hex::encode(&digest[..12]))
    })
});

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages (visitors)",
        vec![
            Route::get("/status/_/status.css", css)
                .summary("The status pages' stylesheet")
                .public()
                .returns_empty(200, "text/css"),
            Route::get("/status/_/status.js", js)
                .summary("The status pages' script (live updates, local times)")
                .public()
                .returns_empty(200, "text/javascript"),
        ],
    )
}

fn serve(req: &Request, body: &'static str, etag: &str, mime: &'static str) -> Response {
    let mut r = if req.header(header::IF_NONE_MATCH.as_str()) == Some(etag) {
        let mut r = Response::default();
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(body.into())
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn css(req: Request) -> Result<Response> {
    Ok(serve(&req, CSS, &ETAGS[0], "text/css; charset=utf-8"))
}

async fn js(req: Request) -> Result<Response> {
    Ok(serve(&req, JS, &ETAGS[1], "text/javascript; charset=utf-8"))
}
