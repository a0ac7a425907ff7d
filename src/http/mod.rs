//! HTTP plumbing: one warp filter that reads the request, finds its route in the table, runs
//! the handler and turns any error into the JSON error body. Feature modules only declare routes.

pub mod auth;
pub mod known_fields;
pub mod openapi;
pub mod reply;
pub mod request;
pub mod router;
mod system_routes;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{FutureExt, Stream, StreamExt};
use warp::Filter;
use warp::http::{HeaderMap, HeaderValue, Method, header};
use warp::reply::Response;

use crate::app::App;
use crate::error::{Error, Kind};
use request::Request;
use router::{Match, Route, Router};

pub use system_routes::build_info;

/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;

/// Every route of the server, feature by feature.
pub fn routes() -> Vec<Route> {
    [
        system_routes::routes(),
        crate::accounts::routes::routes(),
        crate::accounts::setup::routes(),
        crate::tokens::routes::routes(),
        crate::monitors::routes::routes(),
        crate::incidents::routes::routes(),
        crate::tasks::routes::routes(),
        crate::tasks::run_routes::routes(),
        crate::tasks::ping::routes(),
        crate::notify::routes::routes(),
        crate::web::routes(),
    ]
    .concat()
}

/// The whole server as one warp filter.
pub fn filter(
    app: Arc<App>,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let router = Arc::new(Router::new(routes()));
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method()
        .and(warp::path::full())
        .and(query)
        .and(warp::header::headers_cloned())
        .and(warp::addr::remote())
        .and(warp::body::stream())
        .and_then(
            move |method, path: warp::path::FullPath, query, headers, remote, body| {
                let (app, router) = (app.clone(), router.clone());
                async move {
                    let path = path.as_str().to_owned();
                    Ok::<_, Infallible>(
                        dispatch(app, &router, method, path, query, headers, remote, body).await,
                    )
                }
            },
        )
}

#[allow(clippy::too_many_arguments)]
async fn dispatch<S, B>(
    app: Arc<App>,
    router: &Router,
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    remote: Option<SocketAddr>,
    body: S,
) -> Response
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    let started = Instant::now();
    let result = match router.find(&method, &path) {
        Match::NotFound => Err(Error::new(
            Kind::NotFound,
            "route_not_found",
            format!("no route for {method} {path}"),
        )),
        Match::MethodNotAllowed(allowed) => Err(method_not_allowed(&method, &path, &allowed)),
        Match::Found(route, params) => match read_body(&headers, body).await {
            Err(e) => Err(e),
            Ok(body) => {
                let handler = route.handler();
                let req = Request {
                    app,
                    method: method.clone(),
                    path: path.clone(),
                    params,
                    query,
                    headers,
                    body,
                    remote,
                };
                AssertUnwindSafe(handler(req))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::internal(format!(
                            "handler panicked on {method} {path}"
                        )))
                    })
            }
        },
    };
    let mut response = result.unwrap_or_else(|e| reply::error(&e));
    if method == Method::HEAD {
        *response.body_mut() = Default::default();
    }
    add_default_headers(response.headers_mut());
    let status = response.status();
    if status.is_server_error() {
        log::warn!("{method} {path} → {status} in {:?}", started.elapsed());
    } else {
        log::debug!("{method} {path} → {status} in {:?}", started.elapsed());
    }
    response
}

fn method_not_allowed(method: &Method, path: &str, allowed: &[Method]) -> Error {
    let list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    Error::new(
        Kind::MethodNotAllowed,
        "method_not_allowed",
        format!("{method} is not allowed on {path}; use {}", list.join(", ")),
    )
}

/// Bodies a little over the limit are read to the end (and dropped) before answering 413:
/// answering while the client is still sending makes many clients see a connection reset
/// instead of the 413. Bodies past this are cut off at once.
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

/// Reads the body up to `MAX_BODY`, refusing early when Content-Length says it is far too much.
async fn read_body<S, B>(headers: &HeaderMap, mut body: S) -> Result<Bytes, Error>
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    let too_large = || {
        Error::new(
            Kind::PayloadTooLarge,
            "payload_too_large",
            format!("the request body is over {MAX_BODY} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let mut bytes = BytesMut::new();
    let mut seen: u64 = 0;
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| {
            Error::bad_request("body_read_failed", format!("cannot read the body: {e}"))
        })?;
        seen += chunk.remaining() as u64;
        if seen > DRAIN_LIMIT {
            return Err(too_large());
        }
        if seen > MAX_BODY as u64 {
            chunk.advance(chunk.remaining());
            continue;
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            bytes.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    if seen > MAX_BODY as u64 {
        return Err(too_large());
    }
    Ok(bytes.freeze())
}

/// Headers every response carries unless its handler chose otherwise.
fn add_default_headers(headers: &mut HeaderMap) {
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
}
