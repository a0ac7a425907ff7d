//! Sign-in by a reverse proxy that already authenticated the user (Authelia, Authentik,
//! oauth2-proxy…): `serve --auth-proxy-header Remote-Email` (the header holding the e-mail). A request from a `--trusted-proxy`
//! address carrying the header and no valid session gets an ordinary session, opened by
//! `/auth/session` (which the dashboard calls first), so sessions, organization switching and
//! logout keep their one path. The header from any other address is ignored: anyone can send
//! it. Two-factor sign-in is not asked behind the proxy: the proxy did the sign-in.

use std::sync::atomic::{AtomicBool, Ordering};

use super::members::create_member;
use super::model::normalize_email;
use super::roles::Role;
use super::store::{self, NewUser};
use crate::error::{Error, Kind, Result};
use crate::http::request::Request;
use crate::ids::UserId;

/// `--auth-proxy-header` and its companion flags.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthProxy {
    /// The header naming the signed-in user (lowercase).
    pub header: String,
    /// Create unknown users (joined to the only organization as Reporter) instead of refusing them.
    pub create_users: bool,
}

/// A stored password hash that never matches: a user created by the proxy has no password until
/// `dutyduck user set-password` gives one.
const NO_PASSWORD: &str = "!signed-in-by-proxy";

/// Logged once per process: a header from an untrusted address is either a misconfigured proxy
/// list or someone trying their luck, and logging each request would flood the log.
static WARNED: AtomicBool = AtomicBool::new(false);

/// The user the proxy's header signs in (created if so configured), when the request comes from a
/// trusted proxy with the header; None otherwise (nobody is signed in).
pub async fn sign_in(req: &Request) -> Result<Option<UserId>> {
    let Some(proxy) = &req.app.auth_proxy else {
        return Ok(None);
    };
    let Some(name) = req
        .header(&proxy.header)
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    let peer = req.remote.map(|a| a.ip());
    if !peer.is_some_and(|ip| req.app.trusted_proxies.contains(ip)) {
        if !WARNED.swap(true, Ordering::Relaxed) {
            log::warn!(
                "ignored the {} header from {peer:?}, which is not a --trusted-proxy (logged once)",
                proxy.header
            );
        }
        return Ok(None);
    }
    // Only the configured header is believed: a proxy overwrites the headers it is told to set
    // and passes the others through from the client, who could then name anyone.
    let email = normalize_email(name).map_err(|_| {
        refused(format!(
            "the proxy's {} header is not an e-mail address: point --auth-proxy-header at the header carrying the e-mail (Authelia: Remote-Email; oauth2-proxy: X-Forwarded-Email)",
            proxy.header
        ))
    })?;
    let display = email.split('@').next().unwrap_or_default().to_owned();
    let (create, now) = (proxy.create_users, req.now());
    // Read first: signing a known user in must work on a full disk too (`start_session` copes).
    let lookup = email.clone();
    let known = req
        .read(move |conn| store::user_by_email(conn, &lookup))
        .await?;
    if let Some((user, _)) = known {
        return Ok(Some(user.id));
    }
    let lookup = email.clone();
    let user = req
        .write(move |conn| {
            // Created meanwhile by a concurrent first request of the same user.
            if let Some((user, _)) = store::user_by_email(conn, &lookup)? {
                return Ok(user.id);
            }
            if !create {
                return Err(refused(format!(
                    "{lookup} has no account here; ask an administrator to create it (or start the server with --auth-proxy-create-users)"
                )));
            }
            let orgs = store::organizations(conn)?;
            let [org] = orgs.as_slice() else {
                return Err(refused(format!(
                    "{lookup} has no account here, and with {} organizations it is not clear which to join: ask an administrator to invite you",
                    orgs.len()
                )));
            };
            let (first, last) = display.split_once(' ').unwrap_or((&display, ""));
            let new = NewUser {
                email: &lookup,
                first_name: first,
                last_name: last.trim(),
                password_hash: NO_PASSWORD,
            };
            let (user, _, _) = create_member(conn, &new, &org.name, Some(Role::Reporter), now)?;
            log::info!("created {lookup} as a Reporter of {}, signed in by the proxy", org.name);
            Ok(user.id)
        })
        .await?;
    Ok(Some(user))
}

/// The e-mail the auth proxy vouches for on this request (from a trusted proxy, with the header),
/// as typed by the proxy. A session of someone else is then not honoured: a shared browser whose
/// proxy sign-in changed hands must not keep the previous user's session.
pub fn vouched_email(req: &Request) -> Option<String> {
    let proxy = req.app.auth_proxy.as_ref()?;
    let name = req
        .header(&proxy.header)
        .map(str::trim)
        .filter(|n| !n.is_empty())?;
    let ip = req.remote?.ip();
    if !req.app.trusted_proxies.contains(ip) {
        return None;
    }
    Some(name.to_owned())
}

fn refused(message: String) -> Error {
    Error::new(Kind::Forbidden, "auth_proxy_user_refused", message)
}
