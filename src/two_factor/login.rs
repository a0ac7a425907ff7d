//! Sign-in's second step. `/auth/login` with the right password of a user with two-factor
//! sign-in opens no session: it answers a challenge (a random secret, its digest stored for 5
//! minutes), and `POST /auth/login/two-factor` with the challenge and a code opens the session.
//! Codes are throttled exactly like passwords (the same counters, per account and address), so
//! knowing the password buys no faster guessing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::store;
use crate::accounts::store as accounts;
use crate::accounts::throttle::LoginKeys;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::UserId;
use crate::secret;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Accounts",
        vec![
            Route::post("/auth/login/two-factor", second_step)
                .public()
                .summary("Finish a sign-in that answered twoFactorRequired: the challenge and a code (or a recovery code); sets the session cookie")
                .body::<SecondStep>()
                .returns::<crate::accounts::routes::Profile>(200, "Logged in; the profile of the user")
                .not_audited("audit::sign_in logs each attempt, successful or not")
                .same_origin_only(),
        ],
    )
}

/// What `/auth/login` answers instead of a session when a second factor is needed.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    pub two_factor_required: bool,
    /// Valid 5 minutes; send it back with a code to `/auth/login/two-factor`.
    pub challenge: String,
}

/// What `/auth/login` answers, as documented in `/openapi.json`.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    LoggedIn(Box<crate::accounts::routes::Profile>),
    TwoFactorRequired(Challenge),
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecondStep {
    #[schemars(length(max = 128))]
    pub challenge: String,
    #[schemars(length(max = 16))]
    pub code: Option<String>,
    #[schemars(length(max = 64))]
    pub recovery_code: Option<String>,
}

/// The login throttle's verdict on one more attempt under `keys` (counted as a failure until
/// `succeeded`).
pub fn admit(req: &Request, keys: &LoginKeys) -> Result<()> {
    req.app
        .login_throttle
        .admit(keys, req.now())
        .map_err(|wait| {
            Error::too_many_requests(
                format!("too many failed logins; try again in {wait} s"),
                wait,
            )
        })
}

/// Called by `/auth/login` once the password is right: for a user with two-factor sign-in, the
/// challenge to answer instead of a session. The password attempt is taken back from the
/// throttle's counts but the account-from-this-address count is not cleared: that happens when
/// the code is right, so wrong codes pile up across password retries.
pub async fn challenge_if_enrolled(
    req: &Request,
    user: UserId,
    keys: &LoginKeys,
) -> Result<Option<Response>> {
    if !req.read(move |conn| store::enabled(conn, user)).await? {
        return Ok(None);
    }
    req.app.login_throttle.forgive(keys);
    let challenge = secret::generate();
    let digest = secret::digest(&challenge);
    let now = req.now();
    req.write(move |conn| store::insert_challenge(conn, &digest, user, now))
        .await?;
    Ok(Some(reply::ok(&Challenge {
        two_factor_required: true,
        challenge: hex::encode(challenge),
    })))
}

async fn second_step(req: Request) -> Result<Response> {
    let body: SecondStep = req.json()?;
    let expired = || {
        Error::unauthorized(
            "two_factor_challenge_expired",
            "this sign-in has expired (5 minutes); enter your e-mail and password again",
        )
    };
    let digest = hex::decode(body.challenge.trim())
        .ok()
        .filter(|b| b.len() == secret::SECRET_LEN)
        .map(|b| secret::digest(&b))
        .ok_or_else(expired)?;
    let now = req.now();
    let found = req
        .read(move |conn| {
            let Some(user) = store::challenge_user(conn, &digest, now)? else {
                return Ok(None);
            };
            accounts::user_by_id(conn, user)
        })
        .await?;
    let user = found.ok_or_else(expired)?;
    let keys = LoginKeys::new(&user.email, req.client_addr());
    admit(&req, &keys)?;
    let user_id = user.id;
    let valid = req
        .write(move |conn| {
            let valid = match (&body.code, &body.recovery_code) {
                (Some(code), _) => store::use_code(conn, user_id, code, now, true)?,
                (None, Some(code)) => store::use_recovery_code(conn, user_id, code)?,
                (None, None) => false,
            };
            if valid {
                store::delete_challenge(conn, &digest)?;
            }
            Ok(valid)
        })
        .await?;
    if !valid {
        crate::audit::failed_sign_in(&req, Some(user_id)).await;
        return Err(Error::unauthorized(
            "invalid_two_factor_code",
            "wrong or already used code",
        ));
    }
    req.app.login_throttle.succeeded(&keys, now);
    crate::accounts::routes::start_session(&req, user_id).await
}
