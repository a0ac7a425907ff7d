//! `/organizations/{id}/two-factor-policy`: an Owner requires two-factor sign-in of every member.
//! A member without it who signs in gets a session that can only enrol (see `mod.rs`); API
//! tokens are not affected (a token is its own credential, made by a signed-in member).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::store;
use crate::accounts::roles::Permission;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::OrgId;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Accounts",
        vec![
            Route::get("/organizations/{id}/two-factor-policy", get)
                .summary("Whether the organization requires two-factor sign-in of its members")
                .param::<OrgId>("id")
                .returns::<Policy>(200, "The policy"),
            Route::put("/organizations/{id}/two-factor-policy", put)
                .summary(
                    "Require two-factor sign-in of every member, or stop requiring it (Owner only)",
                )
                .param::<OrgId>("id")
                .body::<Policy>()
                .returns::<Policy>(200, "The policy now")
                .audited("two_factor_policy", "update"),
        ],
    )
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub struct Policy {
    pub required: bool,
}

/// The organization of the path, which must be the caller's current one (else 404).
fn organization(req: &Request, mine: OrgId) -> Result<OrgId> {
    let id: OrgId = req.param_id("id")?;
    if id != mine {
        return Err(Error::not_found("organization"));
    }
    Ok(id)
}

async fn get(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let org = organization(&req, me.org_id)?;
    let required = req.read(move |conn| store::required(conn, org)).await?;
    Ok(reply::ok(&Policy { required }))
}

async fn put(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let org = organization(&req, me.org_id)?;
    me.require(Permission::RequireTwoFactor)?;
    let body: Policy = req.json()?;
    let now = req.now();
    let (required, user) = (body.required, me.user_id);
    // Behind the auth proxy nobody is asked for a second factor: the proxy signed them in.
    let proxied = crate::accounts::proxy::vouched_email(&req).is_some();
    req.write(move |conn| {
        // Requiring it without having it would send the Owner to enrolment at once.
        if required && !proxied && !store::enabled(conn, user)? {
            return Err(Error::conflict(
                "two_factor_disabled",
                "turn on your own two-factor sign-in before requiring it of every member",
            ));
        }
        store::set_required(conn, org, required, now)
    })
    .await?;
    Ok(reply::ok(&body))
}
