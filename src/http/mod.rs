//! HTTP plumbing: one warp filter that reads the request, finds its route in the table, runs
//! the handler and turns any error into the JSON error body. Feature modules only declare routes.

pub mod auth;
mod body;
pub mod client_addr;
mod connections;
pub mod cors;
pub mod known_fields;
pub mod limits;
pub mod listener;
pub mod openapi;
pub mod reply;
pub mod request;
pub mod router;
pub mod socket;
pub mod sse;
mod system_routes;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use bytes::Buf;
use futures_util::{FutureExt, Stream};
use warp::Filter;
use warp::http::{HeaderMap, HeaderValue, Method, header};
use warp::reply::Response;

use crate::app::App;
use crate::error::{Error, Kind};
use limits::Limits;
use listener::Peer;
use request::Request;
use router::{Match, Router};

pub use system_routes::{build_info, routes as system_routes};

/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;

/// The whole server as one warp filter, answering from `router` (`crate::routes::router`).
pub fn filter(
    app: Arc<App>,
    limits: Arc<Limits>,
    router: Router,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let shared = Arc::new(Shared {
        router,
        bodies: body::BodyBudget::new(limits.max_pending_body_bytes),
        limits,
    });
    let remote = warp::ext::optional::<Peer>().map(|peer: Option<Peer>| peer.map(|p| p.0));
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method()
        .and(warp::path::full())
        .and(query)
        .and(warp::header::headers_cloned())
        .and(remote)
        .and(warp::body::stream())
        .and_then(
            move |method, path: warp::path::FullPath, query, headers, remote, body| {
                let (app, shared) = (app.clone(), shared.clone());
                async move {
                    let path = path.as_str().to_owned();
                    let cors =
                        cors::Cors::of(&app.cors_origins, &shared.router, &method, &path, &headers);
                    let mut response = match cors.preflight(&method) {
                        Some(mut preflight) => {
                            add_default_headers(preflight.headers_mut());
                            preflight
                        }
                        None => {
                            let head = Head {
                                method,
                                path,
                                query,
                                headers,
                                remote,
                            };
                            dispatch(app, &shared, head, body).await
                        }
                    };
                    cors.decorate(&mut response);
                    Ok::<_, Infallible>(response)
                }
            },
        )
}

/// What every request shares: the route table, the limits and the body budget.
struct Shared {
    router: Router,
    limits: Arc<Limits>,
    bodies: body::BodyBudget,
}

/// What a request says before its body.
struct Head {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    remote: Option<SocketAddr>,
}

async fn dispatch<S, B>(app: Arc<App>, shared: &Shared, head: Head, body: S) -> Response
where
    S: Stream<Item = Result<B, warp::Error>> + Unpin,
    B: Buf,
{
    let started = Instant::now();
    let Head {
        method,
        path,
        query,
        headers,
        remote,
    } = head;
    let limits = &shared.limits;
    let checked = limits.check_head(&path, &query, &headers);
    let result = match checked.map(|()| shared.router.find(&method, &path)) {
        Err(e) => Err(e),
        Ok(Match::NotFound) => Err(Error::new(
            Kind::NotFound,
            "route_not_found",
            format!("no route for {method} {path}"),
        )),
        Ok(Match::MethodNotAllowed(allowed)) => Err(method_not_allowed(&method, &path, &allowed)),
        Ok(Match::Found(route, params)) => {
            match body::read(&headers, body, limits.body_timeout, &shared.bodies).await {
                Err(e) => Err(e),
                Ok(body::Body {
                    bytes: body,
                    budget: _held_until_handled,
                }) => {
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
                        audit: crate::audit::Trail::new(route.audit),
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
            }
        }
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

/// 405 with the `Allow` header. HEAD is listed wherever GET is: the router answers it.
fn method_not_allowed(method: &Method, path: &str, allowed: &[Method]) -> Error {
    let mut list: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    if allowed.contains(&Method::GET) && !allowed.contains(&Method::HEAD) {
        list.push(Method::HEAD.as_str());
    }
    let list = list.join(", ");
    Error {
        allow: Some(list.clone()),
        ..Error::new(
            Kind::MethodNotAllowed,
            "method_not_allowed",
            format!("{method} is not allowed on {path}; use {list}"),
        )
    }
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
