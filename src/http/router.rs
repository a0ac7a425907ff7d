//! The route table. Every API route is declared once, as a `Route`: method, path template,
//! handler and documentation. The same table dispatches requests and generates `/openapi.json`,
//! so the two cannot drift apart.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use warp::http::Method;
use warp::reply::Response;

use super::request::Request;
use crate::error::Result;

pub type Handler =
    Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Result<Response>> + Send>> + Send + Sync>;
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    Param(&'static str),
    /// `{*rest}`: matches the remaining segments, possibly none.
    Rest(&'static str),
}

/// What `/openapi.json` says about a route.
#[derive(Clone, Default)]
pub struct Doc {
    pub summary: &'static str,
    pub tag: &'static str,
    pub public: bool,
    pub hidden: bool,
    pub body: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    /// The type of a path parameter (default: a non-empty string).
    pub params: Vec<(&'static str, SchemaFn)>,
    /// (status, description, schema of the JSON body if any)
    pub responses: Vec<(u16, &'static str, Option<SchemaFn>)>,
}

#[derive(Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    segments: Vec<Segment>,
    pub doc: Doc,
    /// Pages and login: never answered to other origins (see `http::cors`).
    pub same_origin_only: bool,
    handler: Handler,
}

impl Route {
    pub fn new<F, Fut>(method: Method, path: &'static str, handler: F) -> Route
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + Send + 'static,
    {
        Route {
            method,
            path,
            segments: parse_template(path),
            doc: Doc::default(),
            same_origin_only: false,
            handler: Arc::new(move |req| Box::pin(handler(req))),
        }
    }

    pub fn get<F, Fut>(path: &'static str, handler: F) -> Route
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + Send + 'static,
    {
        Route::new(Method::GET, path, handler)
    }

    pub fn post<F, Fut>(path: &'static str, handler: F) -> Route
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + Send + 'static,
    {
        Route::new(Method::POST, path, handler)
    }

    pub fn put<F, Fut>(path: &'static str, handler: F) -> Route
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + Send + 'static,
    {
        Route::new(Method::PUT, path, handler)
    }

    pub fn patch<F, Fut>(path: &'static str, handler: F) -> Route
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + Send + 'static,
    {
        Route::new(Method::PATCH, path, handler)
    }

    pub fn delete<F, Fut>(path: &'static str, handler: F) -> Route
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response>> + Send + 'static,
    {
        Route::new(Method::DELETE, path, handler)
    }

    pub fn summary(mut self, tag: &'static str, summary: &'static str) -> Self {
        self.doc.tag = tag;
        self.doc.summary = summary;
        self
    }

    /// No credentials needed.
    pub fn public(mut self) -> Self {
        self.doc.public = true;
        self
    }

    /// No CORS headers and no preflight: the dashboard's pages and the cookie login are for
    /// its own origin only.
    pub fn same_origin_only(mut self) -> Self {
        self.same_origin_only = true;
        self
    }

    /// Not an API route (dashboard pages, assets): left out of the OpenAPI document.
    pub fn hidden(mut self) -> Self {
        self.doc.hidden = true;
        self
    }

    pub fn body<T: JsonSchema>(mut self) -> Self {
        self.doc.body = Some(|g| g.subschema_for::<T>());
        self
    }

    pub fn query<T: JsonSchema>(mut self) -> Self {
        self.doc.query = Some(|g| g.subschema_for::<T>());
        self
    }

    /// Says what the path parameter `name` is, when the template has one: one call can cover a
    /// whole table (`.map(|r| r.param::<MonitorId>("id"))`).
    pub fn param<T: JsonSchema>(mut self, name: &'static str) -> Self {
        if self.param_names().any(|n| n == name) {
            self.doc.params.retain(|(n, _)| *n != name);
            self.doc.params.push((name, |g| g.subschema_for::<T>()));
        }
        self
    }

    pub fn returns<T: JsonSchema>(mut self, status: u16, description: &'static str) -> Self {
        self.doc
            .responses
            .push((status, description, Some(|g| g.subschema_for::<T>())));
        self
    }

    pub fn returns_empty(mut self, status: u16, description: &'static str) -> Self {
        self.doc.responses.push((status, description, None));
        self
    }

    /// The names of the template's parameters, in order.
    pub fn param_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) | Segment::Rest(name) => Some(*name),
            Segment::Literal(_) => None,
        })
    }

    pub(super) fn handler(&self) -> Handler {
        self.handler.clone()
    }

    /// The parameters if `path` fits the template.
    fn matches(&self, path: &[&str]) -> Option<Vec<(&'static str, String)>> {
        let mut params = Vec::new();
        let mut parts = path.iter();
        for segment in &self.segments {
            match segment {
                Segment::Rest(name) => {
                    let rest: Vec<&str> = parts.by_ref().copied().collect();
                    params.push((*name, rest.join("/")));
                    return Some(params);
                }
                Segment::Literal(lit) => {
                    if parts.next() != Some(lit) {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let part = parts.next().filter(|p| !p.is_empty())?;
                    params.push((*name, decode(part)?));
                }
            }
        }
        parts.next().is_none().then_some(params)
    }
}

fn parse_template(path: &'static str) -> Vec<Segment> {
    assert!(path.starts_with('/'), "route paths start with '/': {path}");
    path[1..]
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match name.strip_prefix('*') {
                    Some(rest) => Segment::Rest(rest),
                    None => Segment::Param(name),
                },
                None => Segment::Literal(s),
            },
        )
        .collect()
}

fn decode(part: &str) -> Option<String> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// The segments of a request path; a trailing slash is ignored.
fn path_parts(path: &str) -> Vec<&str> {
    let trimmed = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    match trimmed.trim_start_matches('/') {
        "" => Vec::new(),
        rest => rest.split('/').collect(),
    }
}

pub enum Match<'a> {
    Found(&'a Route, Vec<(&'static str, String)>),
    /// The path exists with other methods.
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    pub fn new(routes: Vec<Route>) -> Router {
        for (i, a) in routes.iter().enumerate() {
            for b in &routes[i + 1..] {
                assert!(
                    !(a.method == b.method && a.segments == b.segments),
                    "route declared twice: {} {}",
                    a.method,
                    a.path
                );
            }
        }
        Router { routes }
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Every route whose template fits `path`, whatever its method.
    pub fn routes_at(&self, path: &str) -> impl Iterator<Item = &Route> {
        let parts = path_parts(path);
        self.routes
            .iter()
            .filter(move |r| r.matches(&parts).is_some())
    }

    /// Finds the route for `method` and `path`. Literal segments win over parameters, so
    /// `/tasks/preview` is not taken for a task id. HEAD falls back to GET.
    pub fn find(&self, method: &Method, path: &str) -> Match<'_> {
        let parts = path_parts(path);
        let parts: &[&str] = &parts;
        let mut candidates: Vec<(&Route, Vec<(&'static str, String)>)> = self
            .routes
            .iter()
            .filter_map(|r| r.matches(parts).map(|p| (r, p)))
            .collect();
        // Most specific first: more literal segments, then no catch-all.
        candidates.sort_by_key(|(r, _)| {
            let literals = r
                .segments
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count();
            let rest = r.segments.iter().any(|s| matches!(s, Segment::Rest(_)));
            (std::cmp::Reverse(literals), rest)
        });
        let wanted = |m: &Method| m == method || (method == Method::HEAD && m == Method::GET);
        if let Some(i) = candidates
            .iter()
            .position(|(r, _)| r.method == method)
            .or_else(|| candidates.iter().position(|(r, _)| wanted(&r.method)))
        {
            let (route, params) = candidates.swap_remove(i);
            return Match::Found(route, params);
        }
        if candidates.is_empty() {
            return Match::NotFound;
        }
        let mut allowed: Vec<Method> = candidates
            .into_iter()
            .map(|(r, _)| r.method.clone())
            .collect();
        allowed.dedup();
        Match::MethodNotAllowed(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ok(_: Request) -> Result<Response> {
        Ok(Response::default())
    }

    fn router() -> Router {
        Router::new(vec![
            Route::get("/tasks", ok),
            Route::get("/tasks/{id}", ok),
            Route::get("/tasks/preview", ok),
            Route::post("/tasks/{id}/start", ok),
            Route::get("/dashboard/{*rest}", ok),
        ])
    }

    fn found(m: Match<'_>) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        match m {
            Match::Found(r, p) => Some((r.path, p)),
            _ => None,
        }
    }

    #[test]
    fn matching_table() {
        let r = router();
        let cases: [(Method, &str, Option<(&str, Vec<(&str, &str)>)>); 9] = [
            (Method::GET, "/tasks", Some(("/tasks", vec![]))),
            (Method::GET, "/tasks/", Some(("/tasks", vec![]))),
            (
                Method::GET,
                "/tasks/backup%20db",
                Some(("/tasks/{id}", vec![("id", "backup db")])),
            ),
            (
                Method::GET,
                "/tasks/preview",
                Some(("/tasks/preview", vec![])),
            ),
            (
                Method::HEAD,
                "/tasks/x",
                Some(("/tasks/{id}", vec![("id", "x")])),
            ),
            (
                Method::POST,
                "/tasks/x/start",
                Some(("/tasks/{id}/start", vec![("id", "x")])),
            ),
            (
                Method::GET,
                "/dashboard",
                Some(("/dashboard/{*rest}", vec![("rest", "")])),
            ),
            (
                Method::GET,
                "/dashboard/account/tokens",
                Some(("/dashboard/{*rest}", vec![("rest", "account/tokens")])),
            ),
            (Method::GET, "/nope", None),
        ];
        for (method, path, expected) in cases {
            let expected = expected.map(|(p, params)| {
                (
                    p,
                    params.into_iter().map(|(k, v)| (k, v.to_owned())).collect(),
                )
            });
            assert_eq!(found(r.find(&method, path)), expected, "{method} {path}");
        }
    }

    #[test]
    fn wrong_method_lists_the_allowed_ones() {
        match router().find(&Method::DELETE, "/tasks/x") {
            Match::MethodNotAllowed(allowed) => assert_eq!(allowed, vec![Method::GET]),
            _ => panic!("expected 405"),
        }
    }
}
