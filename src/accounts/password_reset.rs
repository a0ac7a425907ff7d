//! A forgotten password: `POST /auth/password-reset {email}` e-mails a link holding a
//! single-use secret valid one hour; `POST /auth/password-reset/confirm {token, password}` sets
//! the new password and ends every session of the user.
//!
//! The request answers 202 with the same body whatever the e-mail (no account enumeration): the
//! body depends on the server's configuration only, the write job runs for unknown e-mails too,
//! and the e-mail is sent after the answer. Links are built from `--public-url` only, never from
//! the request's Host header, which an attacker asking for someone else's reset would choose.
//! Without a relay or a public URL nothing is sent, and the answer says to ask an administrator
//! (`dutyduck user set-password`).

use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;
use warp::reply::Response;

use super::model::{User, normalize_email};
use super::store::{self, ProfileChange};
use super::throttle::LoginKeys;
use super::{password, sessions};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::UserId;
use crate::store::time::{from_db, to_db};

pub const LINK_LIFETIME: Duration = Duration::hours(1);
/// The dashboard page a link opens, with `?token=`.
pub const PAGE: &str = "/dashboard/reset-password";

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Accounts",
        vec![
            Route::post("/auth/password-reset", request)
                .public()
                .summary("Ask for a password reset link by e-mail (same answer for every address)")
                .body::<ResetRequest>()
                .returns::<ResetRequested>(202, "Accepted; says whether this server e-mails links")
                .not_audited("asking for a link changes no account; answered alike for every address, and throttled")
                .same_origin_only(),
            Route::post("/auth/password-reset/confirm", confirm)
                .public()
                .summary(
                    "Set a new password with a reset link's token; ends all the user's sessions",
                )
                .body::<ResetConfirm>()
                .returns_empty(204, "Password set: sign in with it")
                .returns_empty(
                    400,
                    "reset_link_invalid (unknown or already used) or reset_link_expired",
                )
                .not_audited("nobody is signed in: the handler logs the reset itself, the account as its actor")
                .same_origin_only(),
        ],
    )
}

#[derive(Deserialize, JsonSchema)]
pub struct ResetRequest {
    #[schemars(length(min = 1, max = super::model::MAX_EMAIL))]
    pub email: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequested {
    /// True when this server e-mails reset links (whether or not the address has an account).
    pub by_email: bool,
    pub message: &'static str,
}

#[derive(Deserialize, JsonSchema)]
pub struct ResetConfirm {
    /// The `token` of the link, 64 hexadecimal characters.
    #[schemars(length(min = 1, max = 128))]
    pub token: String,
    #[schemars(length(min = password::MIN_LENGTH, max = password::MAX_LENGTH))]
    pub password: String,
}

/// Whether reset links can be e-mailed: a relay to send them, a public URL to point them at.
pub fn by_email(req: &Request) -> bool {
    req.app.notifier.email_configured() && req.app.notifier.public_url().is_some()
}

async fn request(req: Request) -> Result<Response> {
    let body: ResetRequest = req.json()?;
    let keys = LoginKeys::new(&body.email, req.client_addr());
    req.app
        .account_throttle
        .admit(&keys, req.now())
        .map_err(|wait| {
            Error::too_many_requests(
                format!("too many reset requests; try again in {wait} s"),
                wait,
            )
        })?;
    let by_email = by_email(&req);
    let answer = ResetRequested {
        by_email,
        message: if by_email {
            "if an account has this e-mail, a link to choose a new password was sent to it; it works once, for one hour"
        } else {
            "this server sends no e-mail: ask an administrator to set a new password (dutyduck user set-password)"
        },
    };
    let email = normalize_email(&body.email).ok();
    if let (true, Some(email)) = (by_email, email) {
        let (cookie, digest) = sessions::new_secret();
        let now = req.now();
        let found = req
            .write(move |conn| {
                purge_expired(conn, now)?;
                let Some((user, _)) = store::user_by_email(conn, &email)? else {
                    return Ok(None);
                };
                insert(conn, &digest, user.id, now)?;
                Ok(Some(user))
            })
            .await?;
        if let Some(user) = found {
            send(&req, user, cookie);
        }
    }
    Ok(reply::json(StatusCode::ACCEPTED, &answer))
}

/// E-mails the link after the answer, so how long a relay takes tells nothing about the address.
fn send(req: &Request, user: User, token: String) {
    let notifier = req.app.notifier.clone();
    let base = notifier.public_url().unwrap_or_default();
    let link = format!("{base}{PAGE}?token={token}");
    let text = format!(
        "Hello {},\n\nSomeone (we hope you) asked to reset the password of your dutyduck account {}.\n\
         Choose a new password here (the link works once, for one hour):\n\n{link}\n\n\
         If you did not ask, ignore this e-mail: your password stays as it is.\n",
        user.first_name, user.email
    );
    tokio::spawn(async move {
        let subject = "Reset your dutyduck password";
        if let Err(e) = notifier.account_email(&user.email, subject, &text).await {
            log::warn!(
                "the password reset e-mail to {} was not sent: {e}",
                user.email
            );
        }
    });
}

fn invalid_link() -> Error {
    Error::bad_request(
        "reset_link_invalid",
        "this reset link is unknown or was already used: ask for a new one",
    )
}

async fn confirm(req: Request) -> Result<Response> {
    let body: ResetConfirm = req.json()?;
    let digest = sessions::digest_of_cookie(body.token.trim()).ok_or_else(invalid_link)?;
    let now = req.now();
    let (user_id, expires_at) = req
        .read(move |conn| find(conn, &digest))
        .await?
        .ok_or_else(invalid_link)?;
    if expires_at <= now {
        return Err(Error::bad_request(
            "reset_link_expired",
            "this reset link has expired (links work for one hour): ask for a new one",
        ));
    }
    let user = req
        .read(move |conn| store::user_by_id(conn, user_id))
        .await?
        .ok_or_else(invalid_link)?;
    password::check_strength(
        &body.password,
        &[&user.email, &user.first_name, &user.last_name],
    )
    .map_err(|e| e.in_field("password"))?;
    let hash = password::hash_async(body.password).await?;
    let address = req.client_addr();
    req.write(move |conn| {
        // Used once: the row goes with the change; a second confirm racing this one finds none.
        let used = conn.execute(
            "DELETE FROM password_resets WHERE digest = ?1 AND expires_at > ?2",
            params![digest, to_db(now)],
        )?;
        if used == 0 {
            return Err(invalid_link());
        }
        // Names and e-mail as they are now (read in this job), so a change made since the read
        // above is not undone: only the password changes.
        let user = store::user_by_id(conn, user_id)?.ok_or_else(invalid_link)?;
        let change = ProfileChange {
            first_name: user.first_name,
            last_name: user.last_name,
            email: user.email,
            password_hash: Some(hash),
        };
        store::update_profile(conn, user_id, &change, now)?;
        conn.execute("DELETE FROM password_resets WHERE user_id = ?1", [user_id])?;
        sessions::delete_others(conn, user_id, None)?;
        let subject = ("user", user_id.to_string());
        crate::audit::account_event(conn, user_id, None, subject, "password_reset", address, now)
    })
    .await?;
    log::info!("password reset by link for user {user_id}");
    Ok(reply::no_content())
}

/// Stores a new link, replacing the user's older ones (the newest e-mail is the one to use).
fn insert(conn: &Connection, digest: &[u8], user: UserId, now: Timestamp) -> Result<()> {
    conn.execute("DELETE FROM password_resets WHERE user_id = ?1", [user])?;
    conn.execute(
        "INSERT INTO password_resets (digest, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![digest, user, to_db(now), to_db(now + LINK_LIFETIME)],
    )?;
    Ok(())
}

fn find(conn: &Connection, digest: &[u8]) -> Result<Option<(UserId, Timestamp)>> {
    Ok(conn
        .query_row(
            "SELECT user_id, expires_at FROM password_resets WHERE digest = ?1",
            [digest],
            |r| Ok((r.get(0)?, from_db(r.get(1)?))),
        )
        .optional()?)
}

/// Expired links are kept a day, so that a late click says "expired" rather than "unknown".
fn purge_expired(conn: &Connection, now: Timestamp) -> Result<()> {
    conn.execute(
        "DELETE FROM password_resets WHERE expires_at <= ?1",
        [to_db(now - Duration::days(1))],
    )?;
    Ok(())
}
