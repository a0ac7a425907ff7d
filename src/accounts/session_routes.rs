//! `/users/me/sessions`: a user lists their dashboard sessions and ends any of them (a lost
//! laptop, a shared computer). A session is named by its public id; its digest never leaves
//! the server. Ending one deletes its row, so its cookie gets a 401 at the very next request.

use rusqlite::{Connection, params};
use schemars::JsonSchema;
use serde::Serialize;
use warp::reply::Response;

use super::principal::{Credential, Principal};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{SessionId, UserId};
use crate::store::time::{from_db, to_db};

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Accounts",
        vec![
            Route::get("/users/me/sessions", list)
                .summary("Your dashboard sessions, most recently seen first")
                .returns::<SessionList>(200, "Live sessions; `current` marks the calling one"),
            Route::delete("/users/me/sessions", end_others)
                .summary("End all your dashboard sessions but this one")
                .returns::<Ended>(200, "How many sessions were ended"),
            Route::delete("/users/me/sessions/{sessionId}", end_one)
                .param::<SessionId>("sessionId")
                .summary("End one of your dashboard sessions (this one too: that is a logout)")
                .returns_empty(204, "Ended: its cookie is refused from the next request")
                .returns_empty(404, "No live session of yours has this id"),
        ],
    )
    .into_iter()
    .map(|r| r.audited_as("session"))
    .collect()
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub id: SessionId,
    pub created_at: Timestamp,
    /// To the nearest ten minutes: a session is not written at every request.
    pub last_seen_at: Timestamp,
    /// The client address it signed in from (through `--trusted-proxy`), when known.
    pub address: Option<String>,
    /// A short label such as "Firefox on Linux", made from known words only.
    pub browser: String,
    /// The session making this request.
    pub current: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct SessionList {
    pub items: Vec<SessionInfo>,
}

#[derive(Serialize, JsonSchema)]
pub struct Ended {
    pub ended: usize,
}

/// The caller's session digest, when the caller is a session (a token has none).
fn current_digest(me: &Principal) -> Option<Vec<u8>> {
    match &me.credential {
        Credential::Session { digest } => Some(digest.clone()),
        Credential::Token { .. } => None,
    }
}

/// Who may manage sessions: the person, by session or by an unscoped token of theirs.
async fn caller(req: &Request) -> Result<Principal> {
    let me = req.principal().await?;
    me.require_unscoped("manage your sessions")?;
    Ok(me)
}

async fn list(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let (user, current, now) = (me.user_id, current_digest(&me), req.now());
    let items = req
        .read(move |conn| live_sessions(conn, user, current.as_deref(), now))
        .await?;
    Ok(reply::ok(&SessionList { items }))
}

async fn end_one(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let id: SessionId = req.param_id("sessionId")?;
    let (user, now) = (me.user_id, req.now());
    let ended = req
        .write(move |conn| {
            Ok(conn.execute(
                "DELETE FROM sessions WHERE id = ?1 AND user_id = ?2 AND expires_at > ?3",
                params![id, user, to_db(now)],
            )?)
        })
        .await?;
    if ended == 0 {
        return Err(Error::not_found("session"));
    }
    Ok(reply::no_content())
}

async fn end_others(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let (user, keep) = (me.user_id, current_digest(&me));
    let ended = req
        .write(move |conn| super::sessions::delete_others(conn, user, keep.as_deref()))
        .await?;
    Ok(reply::ok(&Ended { ended }))
}

fn live_sessions(
    conn: &Connection,
    user: UserId,
    current: Option<&[u8]>,
    now: Timestamp,
) -> Result<Vec<SessionInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, created_at, COALESCE(last_seen_at, created_at), address, browser,
                digest = ?2
         FROM sessions WHERE user_id = ?1 AND expires_at > ?3
         ORDER BY COALESCE(last_seen_at, created_at) DESC, id",
    )?;
    let rows = stmt.query_map(params![user, current, to_db(now)], |r| {
        Ok(SessionInfo {
            id: r.get(0)?,
            created_at: from_db(r.get(1)?),
            last_seen_at: from_db(r.get(2)?),
            address: r.get(3)?,
            browser: r
                .get::<_, Option<String>>(4)?
                .unwrap_or_else(|| super::browser::label(None)),
            current: r.get::<_, Option<bool>>(5)?.unwrap_or(false),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
