//! Who may read a page. A public page: anyone. A private one: a member of its organization
//! (signed in: session cookie or API token), or the holder of one of its share links not
//! revoked, given as `?share=<secret>` once; the secret then rides in a cookie for the page's
//! own JSON, feed, logo and live updates. Anyone else gets the same 404 as for a page that does
//! not exist. Checked at every request (renderings are cached, access is not), so a revoked
//! link stops working at once.

use warp::http::HeaderValue;

use super::model::Visibility;
use super::share_links;
use super::store::Stored;
use crate::error::{Error, Result};
use crate::http::request::Request;

/// How the request may read the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Public,
    /// A member of the organization, or a share link.
    Private {
        /// `Set-Cookie` for a secret just given in the query.
        cookie: Option<HeaderValue>,
    },
}

/// How long the share cookie lasts; revoking the link ends it sooner.
const COOKIE_DAYS: i64 = 30;

/// The cookie holding page `slug`'s share secret. Its path is `/status`, not `/status/<slug>`:
/// browsers would not send the latter with `/status/<slug>.json`. Hence one name per page.
pub fn cookie_name(slug: &str) -> String {
    format!("dd_share_{slug}")
}

fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers
        .get_all(warp::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (n, value) = pair.trim().split_once('=')?;
            (n == name).then(|| value.to_owned())
        })
}

#[derive(serde::Deserialize)]
struct ShareQuery {
    share: Option<String>,
}

pub fn not_found() -> Error {
    Error::not_found("status page")
}

/// May this request read `page`? A 404 if not.
pub async fn check(req: &Request, page: &Stored) -> Result<Access> {
    if page.settings.visibility == Visibility::Public {
        return Ok(Access::Public);
    }
    let slug = &page.settings.slug;
    let given = req
        .query::<ShareQuery>()
        .ok()
        .and_then(|q| q.share)
        .filter(|s| !s.is_empty());
    let secret = given.clone().or_else(|| cookie(req, &cookie_name(slug)));
    if let Some(bytes) = secret.as_deref().and_then(|s| hex::decode(s.trim()).ok()) {
        let digest = crate::secret::digest(&bytes);
        let id = page.id;
        if let Some((link, last_used)) = req
            .read(move |c| share_links::valid(c, id, &digest))
            .await?
        {
            let now = req.now();
            let stale = last_used
                .is_none_or(|t| (now - t).num_milliseconds() >= share_links::USE_GRANULARITY_MS);
            if stale {
                req.write(move |c| share_links::mark_used(c, link, now))
                    .await?;
            }
            // The secret as it was checked (hex of its bytes), whatever spaces came around it.
            let cookie = given.map(|_| hex::encode(&bytes)).map(|secret| {
                let secure = req
                    .header("x-forwarded-proto")
                    .is_some_and(|p| p.eq_ignore_ascii_case("https"));
                HeaderValue::from_str(&format!(
                    "{}={secret}; Path=/status; HttpOnly; SameSite=Lax; Max-Age={}{}",
                    cookie_name(slug),
                    COOKIE_DAYS * 86_400,
                    if secure { "; Secure" } else { "" }
                ))
                .map_err(Error::internal)
            });
            return Ok(Access::Private {
                cookie: cookie.transpose()?,
            });
        }
    }
    // Signed in: a member of the page's organization.
    let has_credentials = crate::http::auth::session_cookie(req).is_some()
        || req.headers.contains_key(crate::http::auth::TOKEN_ID_HEADER);
    if has_credentials
        && let Ok(me) = req.principal().await
        && me.org_id == page.organization_id
    {
        return Ok(Access::Private { cookie: None });
    }
    Err(not_found())
}
