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
    /// (status, another media type that status answers with, same schema as its JSON)
    pub also_as: Vec<(u16, &'static str)>,
}

#[derive(Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub doc: Doc,
    /// Pages and login: never answered to other origins (see `http::cors`).
    pub same_origin_only: bool,
    /// What the audit log records of a call (`crate::audit::declare`).
    pub audit: crate::audit::Audit,
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
            doc: Doc::default(),
            same_origin_only: false,
            audit: Default::default(),
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

    pub fn summary(mut self, summary: &'static str) -> Self {
        self.doc.summary = summary;
        self
    }

    /// Gives every route of a group its OpenAPI tag, so each line only says what it does.
    pub fn tagged(tag: &'static str, routes: Vec<Route>) -> Vec<Route> {
        routes
            .into_iter()
            .map(|mut r| {
                r.doc.tag = tag;
                r
            })
            .collect()
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

    /// The response of `status` may also come as `media_type` (YAML for a download), in the
    /// shape its JSON has.
    pub fn also_as(mut self, status: u16, media_type: &'static str) -> Self {
        self.doc.also_as.push((status, media_type));
        self
    }

    pub fn returns_empty(mut self, status: u16, description: &'static str) -> Self {
        self.doc.responses.push((status, description, None));
        self
    }

    /// The names of the template's parameters, in order (`{*rest}` gives `rest`, `{slug}.json`
    /// gives `slug`: a segment may end with a literal suffix).
    pub fn param_names(&self) -> impl Iterator<Item = &'static str> + 'static {
        self.path.split('/').filter_map(|s| {
            let (name, _suffix) = s.strip_prefix('{')?.split_once('}')?;
            Some(name.strip_prefix('*').unwrap_or(name))
        })
    }

    pub(super) fn handler(&self) -> Handler {
        self.handler.clone()
    }
}

pub enum Match<'a> {
    Found(&'a Route, Vec<(&'static str, String)>),
    /// The path exists with other methods.
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

/// The routes declared at one path template, one per method, in declaration order.
struct Template {
    routes: Vec<usize>,
    /// Ends in `{*rest}`, which may also be empty (`/dashboard` is `/dashboard/{*rest}`).
    rest: Option<&'static str>,
}

pub struct Router {
    routes: Vec<Route>,
    templates: Vec<Template>,
    /// Path → its index in `templates`. `matchit` puts literal segments before parameters.
    matcher: matchit::Router<usize>,
    /// (alias, prefix): a path under `alias` is matched as the same path under `prefix`.
    aliases: Vec<(&'static str, &'static str)>,
}

impl Router {
    /// The table of `routes`. A route declared twice, or two templates `matchit` cannot tell
    /// apart (`/tasks/{id}` and `/tasks/{name}`), is a bug: it panics at start-up.
    pub fn new(routes: Vec<Route>) -> Router {
        let mut templates: Vec<Template> = Vec::new();
        let mut slots: std::collections::HashMap<&'static str, usize> = Default::default();
        let mut matcher = matchit::Router::new();
        for (i, route) in routes.iter().enumerate() {
            assert!(
                route.path.starts_with('/'),
                "route paths start with '/': {}",
                route.path
            );
            let template = normalize(route.path);
            let slot = *slots.entry(template).or_insert_with(|| {
                let insert = |matcher: &mut matchit::Router<usize>, path: &str| {
                    if let Err(e) = matcher.insert(path, templates.len()) {
                        panic!("route {path} conflicts with another: {e}");
                    }
                };
                let rest = template.rsplit_once("/{*").map(|(prefix, name)| {
                    insert(&mut matcher, if prefix.is_empty() { "/" } else { prefix });
                    name.trim_end_matches('}')
                });
                insert(&mut matcher, template);
                templates.push(Template {
                    routes: Vec::new(),
                    rest,
                });
                templates.len() - 1
            });
            let template = &mut templates[slot];
            assert!(
                !template
                    .routes
                    .iter()
                    .any(|&j| routes[j].method == route.method),
                "route declared twice: {} {}",
                route.method,
                route.path
            );
            template.routes.push(i);
        }
        Router {
            routes,
            templates,
            matcher,
            aliases: Vec::new(),
        }
    }

    /// Serves every route under `prefix` at `alias` too (`/http-monitors` for `/monitors`, the
    /// original clients' path): the path is rewritten before matching, so the alias answers
    /// exactly as the routes it stands for, and the document lists them once.
    pub fn alias(mut self, alias: &'static str, prefix: &'static str) -> Router {
        self.aliases.push((alias, prefix));
        self
    }

    /// Every route at `path`, whatever its method.
    pub fn routes_at(&self, path: &str) -> impl Iterator<Item = &Route> {
        self.lookups(path)
            .flat_map(|(slot, _)| &self.templates[slot].routes)
            .map(|&i| &self.routes[i])
    }

    /// Finds the route for `method` and `path`. Literal segments win over parameters, so
    /// `/incidents/ongoing-count` is not taken for an incident id. HEAD falls back to GET. Under
    /// an alias, a route declared at the alias's own path wins; other paths and methods are
    /// those of the prefix the alias stands for.
    pub fn find(&self, method: &Method, path: &str) -> Match<'_> {
        let mut allowed: Vec<Method> = Vec::new();
        let mut found_path = false;
        for (slot, params) in self.lookups(path) {
            found_path = true;
            let routes = || self.templates[slot].routes.iter().map(|&i| &self.routes[i]);
            let route = routes().find(|r| r.method == method).or_else(|| {
                let head = method == Method::HEAD;
                head.then(|| routes().find(|r| r.method == Method::GET))
                    .flatten()
            });
            if let Some(route) = route {
                return Match::Found(route, params);
            }
            for route in routes() {
                if !allowed.contains(&route.method) {
                    allowed.push(route.method.clone());
                }
            }
        }
        if found_path {
            Match::MethodNotAllowed(allowed)
        } else {
            Match::NotFound
        }
    }

    /// The templates at `path` with their parameters: the one declared at that very path, then
    /// the one its alias stands for.
    fn lookups(
        &self,
        path: &str,
    ) -> impl Iterator<Item = (usize, Vec<(&'static str, String)>)> + '_ {
        let path = normalize(path);
        let direct = self.lookup(path);
        let aliased = match self.unalias(path) {
            std::borrow::Cow::Owned(target) => self.lookup(&target),
            std::borrow::Cow::Borrowed(_) => None,
        };
        direct.into_iter().chain(aliased)
    }

    /// The template at `path` and its parameters, percent-decoded (`{*rest}` is left as sent).
    fn lookup(&self, path: &str) -> Option<(usize, Vec<(&'static str, String)>)> {
        let found = self.matcher.at(path).ok()?;
        let slot = *found.value;
        let template = &self.templates[slot];
        let route = &self.routes[template.routes[0]];
        let params = route
            .param_names()
            .map(|name| {
                let raw = found.params.get(name).unwrap_or("");
                let value = if template.rest == Some(name) {
                    raw.to_owned()
                } else {
                    decode(raw)?
                };
                Some((name, value))
            })
            .collect::<Option<Vec<_>>>()?;
        Some((slot, params))
    }

    fn unalias<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        for (alias, prefix) in &self.aliases {
            if let Some(rest) = path.strip_prefix(alias)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return format!("{prefix}{rest}").into();
            }
        }
        path.into()
    }
}

/// One leading slash, no trailing one: `//tasks/` is `/tasks`.
fn normalize(path: &str) -> &str {
    let path = path.strip_suffix('/').unwrap_or(path);
    let bare = path.trim_start_matches('/');
    match path.len() - bare.len() {
        _ if bare.is_empty() => "/",
        0 => path,
        slashes => &path[slashes - 1..],
    }
}

fn decode(part: &str) -> Option<String> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
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
    fn odd_paths() {
        let r = router();
        assert_eq!(
            found(r.find(&Method::GET, "//tasks/x/")),
            Some(("/tasks/{id}", vec![("id", "x".to_owned())]))
        );
        // The matcher's own syntax in a request is plain text.
        for id in ["{x}", "{*x}", "*", ":x"] {
            assert_eq!(
                found(r.find(&Method::GET, &format!("/tasks/{id}"))),
                Some(("/tasks/{id}", vec![("id", id.to_owned())])),
            );
        }
        // An empty id, or one that is not UTF-8 once decoded, names no task.
        for path in ["/tasks//start", "/tasks/%FF", "/tasks/x/y", "tasks"] {
            assert!(
                matches!(r.find(&Method::POST, path), Match::NotFound),
                "{path}"
            );
        }
    }

    #[test]
    fn an_alias_answers_as_its_prefix() {
        let r = router().alias("/jobs", "/tasks");
        assert_eq!(
            found(r.find(&Method::POST, "/jobs/x/start")),
            Some(("/tasks/{id}/start", vec![("id", "x".to_owned())]))
        );
        assert_eq!(
            found(r.find(&Method::GET, "/jobs")),
            Some(("/tasks", vec![]))
        );
        assert!(matches!(r.find(&Method::GET, "/jobsx"), Match::NotFound));
        assert_eq!(r.routes_at("/jobs/x").count(), 1);
    }

    #[test]
    #[should_panic(expected = "conflicts")]
    fn ambiguous_templates_panic() {
        Router::new(vec![
            Route::get("/tasks/{id}", ok),
            Route::post("/tasks/{name}", ok),
        ]);
    }

    #[test]
    #[should_panic(expected = "declared twice")]
    fn a_route_declared_twice_panics() {
        Router::new(vec![Route::get("/tasks", ok), Route::get("/tasks/", ok)]);
    }

    #[test]
    fn wrong_method_lists_the_allowed_ones() {
        match router().find(&Method::DELETE, "/tasks/x") {
            Match::MethodNotAllowed(allowed) => assert_eq!(allowed, vec![Method::GET]),
            _ => panic!("expected 405"),
        }
    }
}
