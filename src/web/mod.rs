//! The dashboard: static files embedded in the binary, served under `/dashboard` (deep links
//! fall back to the single-page app's `index.html`) and the API docs page at `/docs`.

use std::io::Read;

use bytes::Bytes;
use rust_embed::RustEmbed;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use crate::error::{Error, Result};
use crate::http::request::Request;
use crate::http::router::Route;

mod index;

/// `assets/`, each file gzipped by `build.rs`: sent as it is to clients that accept gzip (all
/// browsers), inflated for the others.
#[derive(RustEmbed)]
#[folder = "$OUT_DIR/assets/"]
struct Assets;

/// The hashed names `build.rs` gave the dashboard's files (`build/hashed.rs`), sorted.
mod hashed {
    include!(concat!(env!("OUT_DIR"), "/hashed_assets.rs"));
}

/// No inline scripts, nothing from other origins, never framed.
const APP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// The docs renderer sets style attributes; scripts stay as strict.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/dashboard/{*rest}", dashboard)
            .public()
            .hidden()
            .same_origin_only(),
        Route::get("/docs", docs)
            .public()
            .hidden()
            .same_origin_only(),
    ]
}

async fn dashboard(req: Request) -> Result<Response> {
    let rest = req.param("rest");
    if rest == "index.html" {
        return index::serve(&req).await;
    }
    if !rest.is_empty() && Assets::get(rest).is_some() {
        return serve(&req, rest, APP_CSP);
    }
    let last = rest.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return Err(Error::not_found(&format!("file /dashboard/{rest}")));
    }
    // Any other path is a page of the app; the app routes it.
    index::serve(&req).await
}

async fn docs(req: Request) -> Result<Response> {
    serve(&req, "docs.html", DOCS_CSP)
}

fn serve(req: &Request, path: &str, csp: &'static str) -> Result<Response> {
    let file = Assets::get(path).ok_or_else(|| Error::not_found(&format!("file {path}")))?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let mime = if path.ends_with(".mjs") || path.ends_with(".js") {
        "text/javascript; charset=utf-8".to_owned()
    } else {
        file.metadata.mimetype().to_owned()
    };
    let mut response = if req.header(header::IF_NONE_MATCH.as_str()) == Some(etag.as_str()) {
        let mut r = Response::default();
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else if accepts_gzip(req) {
        let mut r = Response::new(Bytes::from(file.data.into_owned()).into());
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(file.data.as_ref())
            .read_to_end(&mut plain)
            .map_err(Error::internal)?;
        Response::new(Bytes::from(plain).into())
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime).map_err(Error::internal)?,
    );
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(Error::internal)?,
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    // Vendored files carry their version in the name, hashed ones their content's hash: they
    // never change. The rest (old unhashed names) revalidates; `index` serves index.html.
    let cache = if path.starts_with("vendor/") || hashed::IMMUTABLE.binary_search(&path).is_ok() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    Ok(response)
}

fn accepts_gzip(req: &Request) -> bool {
    req.header(header::ACCEPT_ENCODING.as_str())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}
