//! The one authentication path. Every protected route calls `Request::principal`, which lands
//! here: API-token headers first (explicit beats ambient), then the session cookie. Nothing is
//! cached: each request reads the token or session, and the member's role, from the database,
//! so a revoke from the CLI applies to the very next request.

use warp::http::{Method, header};

use super::request::Request;
use crate::accounts::principal::{Credential, Principal};
use crate::accounts::{sessions, store as accounts};
use crate::error::{Error, Result};
use crate::ids::TokenId;
use crate::secret;
use crate::tokens::store as tokens;
use crate::two_factor;

pub const TOKEN_ID_HEADER: &str = "x-api-token-id";
pub const TOKEN_SECRET_HEADER: &str = "x-api-token-secret-key";

pub async fn authenticate(req: &Request) -> Result<Principal> {
    if req.headers.contains_key(TOKEN_ID_HEADER) || req.headers.contains_key(TOKEN_SECRET_HEADER) {
        return by_token(req).await;
    }
    if let Some(cookie) = session_cookie(req) {
        return by_session(req, &cookie).await;
    }
    Err(Error::unauthorized(
        "missing_credentials",
        "X-Api-Token-Id header is missing: authenticate with the X-Api-Token-Id and X-Api-Token-Secret-Key headers, or log in",
    ))
}

async fn by_token(req: &Request) -> Result<Principal> {
    let raw_id = req.headers.get(TOKEN_ID_HEADER).ok_or_else(|| {
        Error::unauthorized("missing_credentials", "X-Api-Token-Id header is missing")
    })?;
    let id: TokenId = raw_id
        .to_str()
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| {
            Error::bad_request(
                "invalid_token_id",
                "Invalid X-Api-Token-Id header: expected a UUID",
            )
        })?;
    let raw_secret = req.headers.get(TOKEN_SECRET_HEADER).ok_or_else(|| {
        Error::unauthorized(
            "missing_credentials",
            "X-Api-Token-Secret-Key header is missing",
        )
    })?;
    let presented = raw_secret
        .to_str()
        .ok()
        .and_then(|s| hex::decode(s.trim()).ok())
        .ok_or_else(|| {
            Error::bad_request(
                "invalid_token_secret",
                "Invalid X-Api-Token-Secret-Key header: expected hexadecimal",
            )
        })?;

    let stored = req.read(move |conn| tokens::credential(conn, id)).await?;
    let invalid = || Error::unauthorized("invalid_token", "API token is invalid");
    let stored = stored.ok_or_else(invalid)?;
    // The secret is checked before the expiry, so only the holder learns that a token expired.
    if !secret::matches(&presented, &stored.secret_digest) {
        return Err(invalid());
    }
    let now = req.now();
    if stored.expires_at <= now {
        return Err(Error::unauthorized("token_expired", "API token is expired"));
    }
    let role = stored.role.ok_or_else(|| {
        Error::unauthorized(
            "invalid_token",
            "API token is invalid: its user is no longer a member of its organization",
        )
    })?;
    req.app.token_usage.record(id, now);
    Ok(Principal {
        user_id: stored.user_id,
        org_id: stored.org_id,
        role,
        scopes: stored.scopes,
        credential: Credential::Token { id },
    })
}

async fn by_session(req: &Request, cookie: &str) -> Result<Principal> {
    let expired = || {
        Error::unauthorized(
            "session_expired",
            "your session has expired or ended; log in again",
        )
    };
    let digest = sessions::digest_of_cookie(cookie).ok_or_else(expired)?;
    check_same_origin(req)?;
    let now = req.now();
    let unstored = req.app.unstored_sessions.lookup(&digest, now);
    let unstored = unstored.map(|(user, org)| (user, org, false));
    // Behind the auth proxy, the proxy did the sign-in: no two-factor, and its user only.
    let vouched = crate::accounts::proxy::vouched_email(req);
    let found = req
        .read(move |conn| {
            let Some((user, org, stale)) = sessions::lookup(conn, &digest, now)?.or(unstored)
            else {
                return Ok(None);
            };
            let Some(role) = accounts::role_in(conn, user, org)? else {
                return Ok(None);
            };
            if let Some(email) = &vouched {
                let same = accounts::user_by_id(conn, user)?
                    .is_some_and(|u| u.email.eq_ignore_ascii_case(email));
                return Ok(same.then_some((user, org, role, stale, false)));
            }
            let enrolment_required = two_factor::store::enrolment_required(conn, user, org)?;
            Ok(Some((user, org, role, stale, enrolment_required)))
        })
        .await?;
    let (user_id, org_id, role, stale, enrolment_required) = found.ok_or_else(expired)?;
    two_factor::enrolment_gate(&req.path, enrolment_required)?;
    if stale {
        // "Last seen" is coarse: one write per session every ten minutes at most. Failing to
        // note it (a full disk) must not refuse the request.
        if let Err(e) = req
            .write(move |conn| sessions::seen(conn, &digest, now))
            .await
        {
            log::debug!("a session's last-seen time was not stored: {e}");
        }
    }
    Ok(Principal {
        user_id,
        org_id,
        role,
        scopes: Vec::new(),
        credential: Credential::Session {
            digest: digest.to_vec(),
        },
    })
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(req: &Request) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == sessions::COOKIE_NAME).then(|| value.to_owned())
        })
}

/// Cookies ride along on cross-site requests; a state-changing request authenticated by cookie
/// must prove it comes from our own pages. Browsers send `Origin` (or `Sec-Fetch-Site`) on such
/// requests; token-header clients never reach this check. Logout, which needs no valid session,
/// calls it too: a foreign page must not end the user's session either.
pub fn check_same_origin(req: &Request) -> Result<()> {
    if matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if req.header("sec-fetch-site") == Some("same-origin") {
        return Ok(());
    }
    let host = req.header(header::HOST.as_str());
    let origin_host = req
        .header(header::ORIGIN.as_str())
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest);
    match (origin_host, host) {
        (Some(origin), Some(host)) if origin.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(Error::forbidden(
            "cross-origin request refused: a request authenticated by the session cookie must come from the dashboard",
        )),
    }
}

/// A remote probe calling the probe protocol (`/probe/*`), as registered now.
pub struct ProbeCaller {
    pub probe: crate::probes::model::StoredProbe,
    /// The presented token's digest: a long poll checks it again at each wake, so a token
    /// replaced while the poll waits is refused instead of answered.
    pub digest: [u8; 32],
}

/// The probe protocol's only credential: `Authorization: Bearer ddp_…`, read from the database
/// at each request like every credential, so a new token or a removed probe applies to the
/// next one. API tokens and sessions are no credential here, and a probe token is none
/// anywhere else (`authenticate` never reads `Authorization`).
pub async fn probe(req: &Request) -> Result<ProbeCaller> {
    use crate::probes::model::Token;
    let required = |problem: &str| {
        Error::unauthorized(
            "probe_token_required",
            format!(
                "{problem}: the probe routes take a probe's token, as Authorization: Bearer ddp_… (from POST /probes or `dutyduck probes add`)"
            ),
        )
    };
    let header = req
        .header(header::AUTHORIZATION.as_str())
        .ok_or_else(|| required("the Authorization header is missing"))?;
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .and_then(|(_, text)| Token::parse(text.trim()))
        .ok_or_else(|| required("Authorization is not a probe token"))?;
    let id = token.id;
    let stored = req
        .read(move |conn| crate::probes::store::credential(conn, id))
        .await?;
    let invalid = || {
        Error::unauthorized(
            "invalid_probe_token",
            "probe token is invalid: it was replaced by a new one, or its probe was removed",
        )
    };
    let (probe, digest) = stored.ok_or_else(invalid)?;
    if !secret::matches(&token.secret, &digest) {
        return Err(invalid());
    }
    Ok(ProbeCaller {
        probe,
        digest: token.digest(),
    })
}
