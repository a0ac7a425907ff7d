//! `/users/me/two-factor`: enrol an authenticator, turn it off, new recovery codes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::{recovery, store, totp};
use crate::accounts::principal::Principal;
use crate::accounts::throttle::LoginKeys;
use crate::accounts::{password, store as accounts};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;

/// The name authenticator apps show above the code.
const ISSUER: &str = "dutyduck";

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Accounts",
        vec![
            Route::get("/users/me/two-factor", status)
                .summary(
                    "Whether two-factor sign-in is on, and whether your organization requires it",
                )
                .returns::<Status>(200, "The state of your two-factor sign-in"),
            Route::post("/users/me/two-factor", start)
                .summary(
                    "Start enrolling an authenticator app: a new key, its otpauth URI and QR code",
                )
                .returns::<Enrolment>(200, "The key, shown this once; confirm it with a code")
                .audited("two_factor", "enrolment_started"),
            Route::post("/users/me/two-factor/confirm", confirm)
                .summary("Turn two-factor sign-in on with a code from the enrolled app")
                .body::<Confirm>()
                .returns::<RecoveryCodes>(200, "10 one-time recovery codes, shown this once")
                .audited("two_factor", "enable"),
            Route::delete("/users/me/two-factor", disable)
                .summary("Turn two-factor sign-in off, proven by your password or a code")
                .body::<Proof>()
                .returns_empty(204, "Turned off")
                .audited("two_factor", "disable"),
            Route::post("/users/me/two-factor/recovery-codes", regenerate)
                .summary("Replace your recovery codes, proven by your password or a code")
                .body::<Proof>()
                .returns::<RecoveryCodes>(
                    200,
                    "10 new one-time recovery codes; the old ones no longer work",
                )
                .audited("two_factor", "recovery_codes_replaced"),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub enabled: bool,
    pub recovery_codes_left: u32,
    /// Your current organization requires two-factor sign-in of its members.
    pub required_by_organization: bool,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    /// The key in base32, to type into an app that cannot scan.
    pub secret: String,
    pub otpauth_uri: String,
    /// The otpauth URI as an SVG QR code.
    pub qr_svg: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct Confirm {
    #[schemars(length(max = 16))]
    pub code: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Proof that the person at the keyboard is the account's owner: the password, or a current code
/// (from the app, or a recovery code).
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    #[schemars(length(max = password::MAX_LENGTH))]
    pub password: Option<String>,
    #[schemars(length(max = 16))]
    pub code: Option<String>,
    #[schemars(length(max = 64))]
    pub recovery_code: Option<String>,
}

/// Account-level: the user themself, never a token narrowed by scopes.
async fn me(req: &Request) -> Result<Principal> {
    let me = req.principal().await?;
    me.require_unscoped("change two-factor sign-in")?;
    Ok(me)
}

async fn status(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let (user, org) = (me.user_id, me.org_id);
    let status = req
        .read(move |conn| {
            Ok(Status {
                enabled: store::enabled(conn, user)?,
                recovery_codes_left: store::recovery_codes_left(conn, user)?,
                required_by_organization: store::required(conn, org)?,
            })
        })
        .await?;
    Ok(reply::ok(&status))
}

async fn start(req: Request) -> Result<Response> {
    let me = me(&req).await?;
    let user_id = me.user_id;
    let secret = totp::new_secret();
    let stored = secret.clone();
    let now = req.now();
    let email = req
        .write(move |conn| {
            if store::enabled(conn, user_id)? {
                return Err(Error::conflict(
                    "two_factor_enabled",
                    "two-factor sign-in is already on; turn it off first to enrol another app",
                ));
            }
            store::start_enrolment(conn, user_id, &stored, now)?;
            let user =
                accounts::user_by_id(conn, user_id)?.ok_or_else(|| Error::not_found("user"))?;
            Ok(user.email)
        })
        .await?;
    let otpauth_uri = totp::otpauth_uri(&secret, ISSUER, &email);
    Ok(reply::ok(&Enrolment {
        secret: totp::base32(&secret),
        qr_svg: totp::qr_svg(&otpauth_uri),
        otpauth_uri,
    }))
}

async fn confirm(req: Request) -> Result<Response> {
    let me = me(&req).await?;
    let body: Confirm = req.json()?;
    let user_id = me.user_id;
    let now = req.now();
    let (shown, digests) = recovery::generate();
    req.write(move |conn| {
        if store::enabled(conn, user_id)? {
            return Err(Error::conflict("two_factor_enabled", "two-factor sign-in is already on"));
        }
        if !store::use_code(conn, user_id, &body.code, now, false)? {
            return Err(Error::invalid_field(
                "code",
                "is not the current code of the app being enrolled (start the enrolment first, and check the phone's clock)",
            ));
        }
        store::confirm(conn, user_id, &digests, now)
    })
    .await?;
    Ok(reply::ok(&RecoveryCodes {
        recovery_codes: shown,
    }))
}

/// Checks `proof` for the caller; wrong proofs count like wrong passwords at login, so a stolen
/// session cannot guess its way past.
async fn check_proof(req: &Request, me: &Principal, proof: Proof) -> Result<()> {
    let user_id = me.user_id;
    let (user, hash) = req
        .read(move |conn| {
            Ok(accounts::user_by_id(conn, user_id)?.zip(accounts::password_hash(conn, user_id)?))
        })
        .await?
        .ok_or_else(|| Error::not_found("user"))?;
    let keys = LoginKeys::new(&user.email, req.client_addr());
    let now = req.now();
    super::login::admit(req, &keys)?;
    let valid = match proof {
        Proof {
            password: Some(p), ..
        } => password::verify_async(p, Some(hash)).await?,
        Proof {
            code: Some(code), ..
        } => {
            // Not `req.write`: that would carry the route's audit entry, and a wrong proof
            // changes nothing worth one.
            req.app
                .store
                .write(move |conn| store::use_code(conn, user_id, &code, now, true))
                .await?
        }
        Proof {
            recovery_code: Some(code),
            ..
        } => {
            req.app
                .store
                .write(move |conn| store::use_recovery_code(conn, user_id, &code))
                .await?
        }
        _ => {
            return Err(Error::invalid_field(
                "password",
                "is required (or a code from your app, or a recovery code)",
            ));
        }
    };
    if !valid {
        return Err(Error::forbidden("wrong password or code"));
    }
    req.app.login_throttle.succeeded(&keys, now);
    Ok(())
}

async fn disable(req: Request) -> Result<Response> {
    let me = me(&req).await?;
    let proof: Proof = req.json()?;
    check_proof(&req, &me, proof).await?;
    let user_id = me.user_id;
    // The refusal inside the job: a job that fails rolls back its audit entry with it.
    req.write(move |conn| match store::remove(conn, user_id)? {
        true => Ok(()),
        false => Err(Error::conflict(
            "two_factor_disabled",
            "two-factor sign-in is not on",
        )),
    })
    .await?;
    Ok(reply::no_content())
}

async fn regenerate(req: Request) -> Result<Response> {
    let me = me(&req).await?;
    let proof: Proof = req.json()?;
    let user_id = me.user_id;
    if !req.read(move |conn| store::enabled(conn, user_id)).await? {
        return Err(Error::conflict(
            "two_factor_disabled",
            "two-factor sign-in is not on",
        ));
    }
    check_proof(&req, &me, proof).await?;
    let (shown, digests) = recovery::generate();
    req.write(move |conn| store::replace_recovery_codes(conn, user_id, &digests))
        .await?;
    Ok(reply::ok(&RecoveryCodes {
        recovery_codes: shown,
    }))
}
