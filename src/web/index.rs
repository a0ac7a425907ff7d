//! `index.html`, rendered per request with the facts the shell asks first (is the first-run
//! setup needed? who is logged in?) in a JSON data block, so the first paint costs no API round
//! trip. A data block (`type="application/json"`) is never executed: `script-src 'self'` holds.

use std::io::Read;
use std::sync::OnceLock;

use bytes::Bytes;
use warp::http::{HeaderValue, header};
use warp::reply::Response;

use super::{APP_CSP, Assets};
use crate::accounts::routes::boot;
use crate::error::{Error, Result};
use crate::http::request::Request;

/// Where `index.html` wants the data block.
const MARKER: &str = "<!-- boot -->";

pub async fn serve(req: &Request) -> Result<Response> {
    // Without the facts (a failing read) the shell asks the API itself, as on a later refresh.
    let facts = match boot(req).await {
        Ok(facts) => Some(serde_json::to_string(&facts).map_err(Error::internal)?),
        Err(e) => {
            log::warn!("index.html without its boot facts: {e}");
            None
        }
    };
    let page = render(template()?, facts.as_deref());
    let mut response = Response::new(Bytes::from(page).into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // It carries the user's profile: no shared cache keeps it, no browser cache either (a
    // reload must not show the profile of a session that ended). Hence no ETag.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(APP_CSP),
    );
    Ok(response)
}

/// The embedded `index.html`, inflated once.
fn template() -> Result<&'static str> {
    static PAGE: OnceLock<String> = OnceLock::new();
    if let Some(page) = PAGE.get() {
        return Ok(page);
    }
    let file = Assets::get("index.html").ok_or_else(|| Error::not_found("file index.html"))?;
    let mut page = String::new();
    flate2::read::GzDecoder::new(file.data.as_ref())
        .read_to_string(&mut page)
        .map_err(Error::internal)?;
    Ok(PAGE.get_or_init(|| page))
}

/// The page with `facts` (JSON) in its data block. `<` is escaped so no `</script>` or `<!--`
/// inside a string can end the block early; `JSON.parse` reads `\u003c` back as `<`.
pub fn render(template: &str, facts: Option<&str>) -> String {
    let block = facts.map_or(String::new(), |json| {
        let json = json.replace('<', "\\u003c");
        format!("<script type=\"application/json\" id=\"boot\">{json}</script>")
    });
    template.replacen(MARKER, &block, 1)
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn the_facts_cannot_close_the_block() {
        let page = render(
            "<body><!-- boot --></body>",
            Some(r#"{"name":"</script><script>x()</script><!--"}"#),
        );
        assert_eq!(
            page,
            r#"<body><script type="application/json" id="boot">{"name":"\u003c/script>\u003cscript>x()\u003c/script>\u003c!--"}</script></body>"#
        );
        assert_eq!(render("<body><!-- boot --></body>", None), "<body></body>");
    }
}
