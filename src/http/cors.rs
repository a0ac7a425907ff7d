//! CORS: pages on other origins (an internal tool, a wall display, an extension) may call the
//! API with token headers. Safe by construction: `Access-Control-Allow-Credentials` is never
//! sent, so a browser never lets another origin use the dashboard's session cookie, and
//! cookie-authenticated writes are refused from other origins anyway (`auth::check_same_origin`).
//! Routes marked `same_origin_only` (the dashboard, first-run setup, the cookie login) get no
//! CORS headers at all.

use warp::http::{HeaderMap, HeaderValue, Method, header};
use warp::reply::Response;

use super::reply;
use super::router::Router;
use crate::error::{Error, Kind};

const ALLOW_HEADERS: &str = "X-Api-Token-Id, X-Api-Token-Secret-Key, Content-Type";
/// What a script may read besides the always-readable headers: how long to wait after a 429.
const EXPOSE_HEADERS: &str = "Retry-After";
/// How long a browser may reuse a preflight answer (Chrome caps it at 2 hours).
const MAX_AGE_SECS: &str = "7200";

/// `--cors-origins`: which other origins may call the API.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CorsOrigins {
    /// Any origin: tokens are not ambient credentials, a page must hold one to use it.
    #[default]
    Any,
    /// Only these (`https://tool.example.com`, lower case, no trailing slash).
    List(Vec<String>),
}

impl CorsOrigins {
    /// `*`, or origins separated by commas.
    pub fn parse(text: &str) -> std::result::Result<CorsOrigins, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(CorsOrigins::Any);
        }
        let origins = text
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(parse_origin)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if origins.is_empty() {
            return Err("list at least one origin, or * for any".into());
        }
        Ok(CorsOrigins::List(origins))
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn allow(&self, origin: Option<&str>) -> Option<HeaderValue> {
        match self {
            CorsOrigins::Any => Some(HeaderValue::from_static("*")),
            CorsOrigins::List(list) => {
                let origin = origin?;
                list.iter()
                    .any(|o| o.eq_ignore_ascii_case(origin))
                    .then(|| HeaderValue::from_str(origin).ok())?
            }
        }
    }
}

/// `scheme://host[:port]`, as browsers send it in `Origin`.
fn parse_origin(raw: &str) -> std::result::Result<String, String> {
    let bad = || format!("{raw:?} is not an origin like https://tool.example.com");
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || !bare {
        return Err(bad());
    }
    Ok(url.origin().ascii_serialization())
}

/// What CORS says about one request, decided once from its path and `Origin`.
pub struct Cors {
    /// The methods of the routes at the path, when they accept other origins.
    methods: Option<Vec<Method>>,
    allow_origin: Option<HeaderValue>,
    origin: Option<String>,
    vary: bool,
}

impl Cors {
    pub fn of(
        origins: &CorsOrigins,
        router: &Router,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Cors {
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut methods: Vec<Method> = Vec::new();
        let mut cross_origin = true;
        // Browsers send `Origin` on every cross-origin request: without it (API clients, the
        // CLI, same-origin reads) there is nothing to decide, and no route-table scan to pay.
        let concerned = origin.is_some() || method == Method::OPTIONS;
        let routes = concerned.then(|| router.routes_at(path));
        for route in routes.into_iter().flatten() {
            cross_origin &= !route.same_origin_only;
            if !methods.contains(&route.method) {
                methods.push(route.method.clone());
            }
        }
        Cors {
            methods: (cross_origin && !methods.is_empty()).then_some(methods),
            allow_origin: origins.allow(origin.as_deref()),
            origin,
            vary: matches!(origins, CorsOrigins::List(_)),
        }
    }

    /// The answer to a preflight (`OPTIONS` on a route that accepts other origins): 204 with
    /// the route's methods, or 403 for an origin `--cors-origins` does not list. None for any
    /// other request, which goes to its route.
    pub fn preflight(&self, method: &Method) -> Option<Response> {
        if method != Method::OPTIONS {
            return None;
        }
        let methods = self.methods.as_ref()?;
        let Some(allow_origin) = &self.allow_origin else {
            return Some(reply::error(&Error::new(
                Kind::Forbidden,
                "origin_not_allowed",
                format!(
                    "cross-origin requests from {} are not allowed (--cors-origins)",
                    self.origin.as_deref().unwrap_or("a page without an Origin")
                ),
            )));
        };
        let mut response = reply::no_content();
        let list: Vec<&str> = methods.iter().map(Method::as_str).collect();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_str(&list.join(", ")).expect("method names are ASCII"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
        self.add_vary(headers);
        Some(response)
    }

    /// Lets the calling page read the response (errors included, so it can tell a wrong token
    /// from a network failure).
    pub fn decorate(&self, response: &mut Response) {
        if self.methods.is_none() {
            return;
        }
        let headers = response.headers_mut();
        if let Some(allow_origin) = &self.allow_origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
        }
        self.add_vary(headers);
    }

    /// With a list of origins the answer depends on `Origin`: caches must keep them apart.
    fn add_vary(&self, headers: &mut HeaderMap) {
        if self.vary {
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse() {
        assert_eq!(CorsOrigins::parse("*"), Ok(CorsOrigins::Any));
        assert_eq!(
            CorsOrigins::parse("https://A.example/, http://127.0.0.1:8081"),
            Ok(CorsOrigins::List(vec![
                "https://a.example".into(),
                "http://127.0.0.1:8081".into()
            ]))
        );
        for bad in [
            "",
            "a.example",
            "https://a.example/path",
            "ftp://a.example",
            "null",
        ] {
            assert!(CorsOrigins::parse(bad).is_err(), "{bad:?}");
        }
        let list = CorsOrigins::parse("https://a.example").unwrap();
        assert!(list.allow(Some("https://a.example")).is_some());
        assert!(list.allow(Some("https://b.example")).is_none());
        assert!(list.allow(None).is_none());
        assert_eq!(CorsOrigins::Any.allow(None).unwrap(), "*");
    }
}
