//! What visitors read: `/status/{slug}` (HTML), `/status/{slug}.json`, `/status/{slug}/feed.atom`
//! and `/status/{slug}/logo`, served from the cache once access is checked. Public pages may be
//! cached briefly by browsers and proxies; private ones never.

use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use super::access::{self, Access};
use super::cache::{Entry, Format, MAX_AGE_SECS, Rendered};
use super::model::Language;
use super::render::{self, Lang};
use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::router::Route;
use std::sync::Arc;

/// Scripts and styles from our own files only; nothing inline, nothing from elsewhere.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
/// An SVG logo opened on its own runs no script and loads nothing.
const LOGO_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Status pages (visitors)",
        vec![
            Route::get("/status/{slug}", html)
                .summary("A status page, as HTML (private pages: members, or ?share=<secret>)")
                .public()
                .returns_empty(200, "text/html"),
            Route::get("/status/{slug}.json", json)
                .summary("A status page's contents as JSON")
                .public()
                .returns_empty(200, "application/json"),
            Route::get("/status/{slug}/feed.atom", atom)
                .summary("A status page's announcements and incidents as an Atom feed")
                .public()
                .returns_empty(200, "application/atom+xml"),
            Route::get("/status/{slug}/logo", logo)
                .summary("A status page's logo")
                .public()
                .returns_empty(200, "The image"),
        ],
    )
}

/// The page at the path's slug, if this request may read it (404 otherwise, alike).
pub async fn entry(req: &Request) -> Result<(Arc<Entry>, Access)> {
    let slug = req.param("slug").to_owned();
    let app = &req.app;
    let entry = app
        .status_pages
        .get(&app.store, &slug, req.now())
        .await?
        .ok_or_else(access::not_found)?;
    let access = access::check(req, &entry.page).await?;
    Ok((entry, access))
}

fn lang(req: &Request, e: &Entry) -> Lang {
    render::language(e.page.settings.language, req.header("accept-language"))
}

fn set(r: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// The rendering with its caching, robots and security headers; 304 when the client has it.
fn respond(
    req: &Request,
    e: &Entry,
    access: Access,
    rendered: Rendered,
    content_type: &str,
) -> Response {
    let mut r = if req.header(header::IF_NONE_MATCH.as_str()) == Some(rendered.etag.as_str()) {
        let mut r = Response::default();
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(rendered.body.into())
    };
    set(&mut r, header::CONTENT_TYPE, content_type);
    set(&mut r, header::ETAG, &rendered.etag);
    set(&mut r, header::CONTENT_SECURITY_POLICY, PAGE_CSP);
    set(&mut r, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if e.page.settings.noindex {
        set(
            &mut r,
            header::HeaderName::from_static("x-robots-tag"),
            "noindex",
        );
    }
    if e.page.settings.language == Language::Auto {
        set(&mut r, header::VARY, "Accept-Language");
    }
    match access {
        Access::Public => {
            set(
                &mut r,
                header::CACHE_CONTROL,
                &format!("public, max-age={MAX_AGE_SECS}"),
            );
        }
        Access::Private { cookie } => {
            set(&mut r, header::CACHE_CONTROL, "private, no-store");
            // The share secret may be in this page's URL: links out must not carry it.
            set(&mut r, header::REFERRER_POLICY, "no-referrer");
            if let Some(cookie) = cookie {
                r.headers_mut().insert(header::SET_COOKIE, cookie);
            }
        }
    }
    r
}

/// The page in `format`, in the visitor's language.
async fn rendered(req: Request, format: Format, content_type: &str) -> Result<Response> {
    let (e, access) = entry(&req).await?;
    let rendered = e.render(format, lang(&req, &e));
    Ok(respond(&req, &e, access, rendered, content_type))
}

async fn html(req: Request) -> Result<Response> {
    rendered(req, Format::Html, "text/html; charset=utf-8").await
}

async fn json(req: Request) -> Result<Response> {
    rendered(req, Format::Json, "application/json").await
}

async fn atom(req: Request) -> Result<Response> {
    rendered(req, Format::Atom, "application/atom+xml; charset=utf-8").await
}

async fn logo(req: Request) -> Result<Response> {
    let (e, access) = entry(&req).await?;
    let Some((mime, bytes)) = e
        .page
        .settings
        .logo
        .as_deref()
        .and_then(super::logo::decode)
    else {
        return Err(Error::not_found("logo"));
    };
    let digest = crate::secret::digest(&bytes);
    let rendered = Rendered {
        etag: format!("\"{}\"", hex::encode(&digest[..12])),
        body: bytes.into(),
    };
    let mut r = respond(&req, &e, access, rendered, mime);
    set(&mut r, header::CONTENT_SECURITY_POLICY, LOGO_CSP);
    Ok(r)
}
