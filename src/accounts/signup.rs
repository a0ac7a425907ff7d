//! Who may create an account (`serve --signup`), and self sign-up when it is open.
//!
//! - `open`: anyone reaching the server signs up with `POST /users/signup`, which creates
//!   their account and a NEW organization they own (never joins an existing one). Invitations
//!   work as under `invite`.
//! - `invite` (the default): no self sign-up. An invitation may create the invitee's account,
//!   or add an existing account to the organization.
//! - `closed`: no self sign-up, and invitations add existing accounts only. New accounts come
//!   from `dutyduck user create` (and the first-run setup) alone.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::model::{normalize_email, normalize_name};
use super::password;
use super::roles::Role;
use super::routes::{Profile, start_session};
use super::store::{self, NewUser};
use super::throttle::LoginKeys;
use crate::error::{Error, Kind, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::limits;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignupPolicy {
    /// Only the CLI creates accounts; invitations add existing accounts.
    Closed,
    /// No self sign-up; invitations may create accounts.
    #[default]
    Invite,
    /// Anyone may sign up and get an organization of their own.
    Open,
}

impl SignupPolicy {
    /// Whether accepting an invitation may create a new account (part of the invitations'
    /// accept route: a `closed` server answers `signup_closed` instead).
    pub fn check_invited_account(self) -> Result<()> {
        match self {
            SignupPolicy::Closed => Err(closed(
                "this server creates no account through invitations: ask an administrator to create yours (dutyduck user create), then accept signed in",
            )),
            SignupPolicy::Invite | SignupPolicy::Open => Ok(()),
        }
    }
}

fn closed(message: &str) -> Error {
    Error::new(Kind::Forbidden, "signup_closed", message)
}

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Accounts",
        vec![
            Route::get("/auth/signup-policy", policy)
                .public()
                .summary("Whether people may sign up, and whether a forgotten password can be reset by e-mail")
                .returns::<AccessPolicy>(200, "What the sign-in page may offer")
                .same_origin_only(),
            // An API route of the original product, so other origins may call it too (as with
            // curl: anyone may sign up on an open server); the cookie it sets only matters to the
            // dashboard, the session cookie being SameSite=Strict.
            Route::post("/users/signup", signup)
                .public()
                .summary("Sign up (when `serve --signup open`): creates your account and a new organization you own; logs you in")
                .body::<Signup>()
                .returns::<Profile>(200, "Signed up and logged in (session cookie set)")
                .not_audited("a new account in a new organization: its first entry is the sign-in audit::sign_in logs")
                .returns_empty(403, "signup_closed: this server does not take sign-ups")
                .returns_empty(409, "email_taken"),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessPolicy {
    pub signup: SignupPolicy,
    /// A reset link can be e-mailed (`--smtp-url` and `--public-url` are set); otherwise an
    /// administrator sets the password with `dutyduck user set-password`.
    pub password_reset_by_email: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Signup {
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    pub organization_name: String,
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    pub first_name: String,
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    pub last_name: String,
    #[schemars(length(max = super::model::MAX_EMAIL), regex(pattern = limits::EMAIL_PATTERN))]
    pub email: String,
    #[schemars(length(min = password::MIN_LENGTH, max = password::MAX_LENGTH))]
    pub password: String,
}

async fn policy(req: Request) -> Result<Response> {
    Ok(reply::ok(&AccessPolicy {
        signup: req.app.signup,
        password_reset_by_email: super::password_reset::by_email(&req),
    }))
}

async fn signup(req: Request) -> Result<Response> {
    if req.app.signup != SignupPolicy::Open {
        return Err(closed(
            "this server does not take sign-ups: ask an administrator for an invitation",
        ));
    }
    let body: Signup = req.json()?;
    let org = normalize_name("organizationName", &body.organization_name)?;
    let first_name = normalize_name("firstName", &body.first_name)?;
    let last_name = normalize_name("lastName", &body.last_name)?;
    let email = normalize_email(&body.email)?;
    // Each sign-up costs a password hash and creates rows: counted like a password reset.
    let keys = LoginKeys::new(&email, req.client_addr());
    req.app
        .account_throttle
        .admit(&keys, req.now())
        .map_err(|wait| {
            Error::too_many_requests(format!("too many sign-ups; try again in {wait} s"), wait)
        })?;
    password::check_strength(&body.password, &[&email, &first_name, &last_name])?;
    let hash = password::hash_async(body.password).await?;
    let now = req.now();
    let user = req
        .write(move |conn| {
            let new = NewUser {
                email: &email,
                first_name: &first_name,
                last_name: &last_name,
                password_hash: &hash,
            };
            let user = store::insert_user(conn, &new, now)?;
            // Suffixed when the name is taken, never refused: a refusal would tell anyone
            // which other teams use this server (and an existing one is never joined).
            let org = super::team_store::create_organization(conn, &org, now)?;
            store::insert_membership(conn, org.id, user.id, Role::Owner, now)?;
            Ok(user)
        })
        .await?;
    log::info!("signed up: {}", user.email);
    start_session(&req, user.id).await
}

#[cfg(test)]
mod tests {
    use super::SignupPolicy;

    #[test]
    fn only_a_closed_server_refuses_new_accounts_through_invitations() {
        for (policy, allowed) in [
            (SignupPolicy::Closed, false),
            (SignupPolicy::Invite, true),
            (SignupPolicy::Open, true),
        ] {
            let answer = policy.check_invited_account();
            assert_eq!(answer.is_ok(), allowed, "{policy:?}");
            if let Err(e) = answer {
                assert_eq!(e.code, "signup_closed");
            }
        }
        assert_eq!(SignupPolicy::default(), SignupPolicy::Invite);
    }
}
