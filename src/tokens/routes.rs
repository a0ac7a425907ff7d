//! `/api-tokens`: list, create and delete the caller's own tokens.

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::domain::{check_expiry, check_label, grantable_scopes};
use super::store::{self, ApiToken, Issued};
use crate::accounts::principal::Credential;
use crate::accounts::roles::Permission;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::TokenId;
use warp::reply::Response;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "API tokens",
        vec![
            Route::get("/api-tokens", list)
                .summary("List your API tokens (never their secrets)")
                .returns::<TokenList>(
                    200,
                    "Your tokens in the current organization, expired ones included",
                ),
            Route::post("/api-tokens", create)
                .summary("Create an API token; the secret key is in this response only")
                .body::<CreateToken>()
                .returns::<Issued>(201, "The new token with its secret key"),
            Route::delete("/api-tokens/{id}", delete)
                .summary("Delete one of your API tokens; it stops working at once")
                .returns_empty(204, "Deleted"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<TokenId>("id").audited_as("api_token"))
    .collect()
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenList {
    pub api_tokens: Vec<ApiToken>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateToken {
    /// 1 to 100 characters.
    #[schemars(length(min = 1, max = crate::limits::LABEL), regex(pattern = crate::limits::LINE))]
    pub label: String,
    /// RFC 3339; in the future and at most one year ahead (same calendar day next year).
    pub expires_at: DateTime<FixedOffset>,
    /// Permissions this token is limited to; empty or absent: everything you can do.
    #[serde(default)]
    #[schemars(length(max = crate::limits::LIST))]
    pub scopes: Option<Vec<Permission>>,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let mut tokens = req
        .read(move |conn| store::list_for_user(conn, me.user_id, me.org_id))
        .await?;
    for token in &mut tokens {
        if let Some(pending) = req.app.token_usage.pending(token.id) {
            token.last_used_at = token.last_used_at.max(Some(pending));
        }
    }
    Ok(reply::ok(&TokenList { api_tokens: tokens }))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let body: CreateToken = req.json()?;
    let label = check_label(&body.label)?;
    let now = req.now();
    let expires_at = check_expiry("expiresAt", now, body.expires_at)?;
    let scopes = grantable_scopes(body.scopes.as_deref().unwrap_or_default(), &me)?;
    let issued = req
        .write(move |conn| {
            let issued = store::issue(
                conn, me.org_id, me.user_id, &label, &scopes, expires_at, now,
            )?;
            crate::audit::created(issued.id);
            Ok(issued)
        })
        .await?;
    Ok(reply::created(&issued))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let id: TokenId = req.param_id("id")?;
    // A scoped token may revoke itself, not the user's other tokens.
    if me.credential != (Credential::Token { id }) {
        me.require_unscoped("delete other tokens")?;
    }
    let deleted = req
        .write(move |conn| store::delete_own(conn, id, me.user_id))
        .await?;
    if deleted {
        Ok(reply::no_content())
    } else {
        Err(Error::not_found("API token"))
    }
}
