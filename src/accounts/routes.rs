//! `/auth/login`, `/auth/logout` and `/users/me`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::http::{HeaderValue, header};
use warp::reply::Response;

use super::model::{Organization, User, normalize_email, normalize_name};
use super::principal::{Credential, Principal};
use super::roles::{Permission, Role};
use super::store::{self, ProfileChange};
use super::throttle::LoginKeys;
use super::{password, sessions};
use crate::error::{Error, Kind, Result};
use crate::http::auth::{check_same_origin, session_cookie};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::UserId;
use crate::limits;

/// `/auth/*` serves the dashboard's session cookie: same origin only (see `http::cors`).
pub fn routes() -> Vec<Route> {
    Route::tagged(
"Accounts",
vec![
        Route::post("/auth/login", login)
            .public()
            .not_audited("audit::sign_in logs each attempt, successful or not")
            .summary("Log in with e-mail and password; sets the session cookie",
            )
            .body::<Login>()
            .returns::<crate::two_factor::login::LoginAnswer>(200, "Logged in: the profile of the user; or, for a user with two-factor sign-in, a challenge and no session yet (finish with /auth/login/two-factor)")
            .same_origin_only(),
        Route::post("/auth/logout", logout)
            .public()
            .not_audited("ends the caller's own session; nothing of the organization changes")
            .summary("End the current session and clear its cookie")
            .returns_empty(204, "Logged out")
            .same_origin_only(),
        Route::get("/auth/session", session)
            .public()
            .summary("The profile of the logged-in user, or null: lets the dashboard check without a 401")
            .returns::<Session>(200, "profile is null when not logged in")
            .same_origin_only(),
        Route::get("/users/me", me)
            .summary("The calling user, their organization, role and permissions",
            )
            .returns::<Profile>(
                200,
                "The profile (top-level keys in snake_case, as the original clients expect)",
            ),
        Route::put("/users/me", update_me)
            .audited("user", "update")
            .summary("Change your names, e-mail or password")
            .body::<UpdateProfile>()
            .returns::<UpdatedProfile>(200, "The updated profile"),
    ],
)
}

#[derive(Deserialize, JsonSchema)]
pub struct Login {
    #[schemars(length(min = 1, max = super::model::MAX_EMAIL))]
    pub email: String,
    #[schemars(length(min = 1, max = password::MAX_LENGTH))]
    pub password: String,
}

/// `GET /users/me`. Top-level keys are snake_case: the original CLI parses them.
#[derive(Serialize, JsonSchema)]
pub struct Profile {
    pub user: User,
    pub permissions: Vec<Permission>,
    pub active_organization: Organization,
    pub organization_roles: Vec<Role>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfile {
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    pub first_name: Option<String>,
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    pub last_name: Option<String>,
    #[schemars(length(max = super::model::MAX_EMAIL), regex(pattern = limits::EMAIL_PATTERN))]
    pub email: Option<String>,
    /// The new password; requires `currentPassword`. Ends your other sessions.
    #[schemars(length(min = password::MIN_LENGTH, max = password::MAX_LENGTH))]
    pub password: Option<String>,
    #[schemars(length(max = password::MAX_LENGTH))]
    pub current_password: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedProfile {
    /// True when the password changed and the user's other sessions were ended.
    pub needs_session_invalidation: bool,
    pub new_user: User,
    pub new_user_permissions: Vec<Permission>,
}

pub(super) async fn profile_of(req: &Request, me: &Principal) -> Result<Profile> {
    let (user_id, org_id) = (me.user_id, me.org_id);
    let (user, org) = req
        .read(move |conn| {
            Ok((
                store::user_by_id(conn, user_id)?,
                store::organization(conn, org_id)?,
            ))
        })
        .await?;
    let (user, active_organization) = user.zip(org).ok_or_else(|| Error::not_found("user"))?;
    Ok(Profile {
        user,
        permissions: me.permissions(),
        active_organization,
        organization_roles: vec![me.role],
    })
}

#[derive(Serialize, JsonSchema)]
pub struct Session {
    pub profile: Option<Profile>,
}

async fn session(req: Request) -> Result<Response> {
    let profile = session_profile(&req).await?;
    if profile.is_none()
        && let Some(user) = super::proxy::sign_in(&req).await?
    {
        let (profile, cookie) = open_session(&req, user).await?;
        let mut response = reply::ok(&Session {
            profile: Some(profile),
        });
        response.headers_mut().insert(header::SET_COOKIE, cookie);
        return Ok(response);
    }
    Ok(reply::ok(&Session { profile }))
}

/// The caller's profile, or None when nobody is logged in (or the session ended).
async fn session_profile(req: &Request) -> Result<Option<Profile>> {
    match req.principal().await {
        Ok(me) => Ok(Some(profile_of(req, &me).await?)),
        Err(e) if e.kind == crate::error::Kind::Unauthorized => Ok(None),
        Err(e) => Err(e),
    }
}

/// What the dashboard's shell asks before its first paint (`GET /setup`, then
/// `GET /auth/session`), answered inside `index.html` so the first paint waits for no round trip.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Boot {
    pub setup_needed: bool,
    pub profile: Option<Profile>,
}

pub async fn boot(req: &Request) -> Result<Boot> {
    let setup_needed = req.read(store::count_users).await? == 0;
    let profile = match setup_needed {
        true => None,
        false => session_profile(req).await?,
    };
    Ok(Boot {
        setup_needed,
        profile,
    })
}

async fn me(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    Ok(reply::ok(&profile_of(&req, &me).await?))
}

/// Requests behind an https proxy get a `Secure` cookie. Believed from any peer, unlike the
/// forwarded client address: the header can only add `Secure`, and a client that lies gets a
/// cookie its own browser will not send back over plain http; the proxy never has to be declared
/// for cookies to be safe.
fn is_https(req: &Request) -> bool {
    req.header("x-forwarded-proto")
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

fn session_cookie_header(value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
        sessions::COOKIE_NAME
    ))
    .expect("cookie is ASCII")
}

async fn login(req: Request) -> Result<Response> {
    let body: Login = req.json()?;
    let now = req.now();
    let throttle = &req.app.login_throttle;
    let keys = LoginKeys::new(&body.email, req.client_addr());
    throttle.admit(&keys, now).map_err(|wait| {
        Error::too_many_requests(
            format!("too many failed logins; try again in {wait} s"),
            wait,
        )
    })?;

    let email = body.email.trim().to_owned();
    let found = req
        .read(move |conn| store::user_by_email(conn, &email))
        .await?;
    let (user, hash) = found
        .map(|(u, h)| (Some(u), Some(h)))
        .unwrap_or((None, None));
    let valid = password::verify_async(body.password, hash).await?;
    let tried = user.as_ref().map(|u| u.id);
    let Some(user) = user.filter(|_| valid) else {
        crate::audit::failed_sign_in(&req, tried).await;
        return Err(Error::unauthorized(
            "invalid_credentials",
            "wrong e-mail or password",
        ));
    };
    if let Some(challenge) =
        crate::two_factor::login::challenge_if_enrolled(&req, user.id, &keys).await?
    {
        return Ok(challenge);
    }
    throttle.succeeded(&keys, now);

    start_session(&req, user.id).await
}

/// Opens a session for `user_id` in their default organization: the profile as the body and the
/// session cookie. Used by login and by the first-run setup.
pub(crate) async fn start_session(req: &Request, user_id: UserId) -> Result<Response> {
    let (profile, cookie) = open_session(req, user_id).await?;
    let mut response = reply::ok(&profile);
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// Opens a session for `user_id` in their default organization: the profile and the
/// `Set-Cookie` value.
async fn open_session(req: &Request, user_id: UserId) -> Result<(Profile, HeaderValue)> {
    let (cookie, digest) = sessions::new_secret();
    let now = req.now();
    let (address, browser) = (
        req.client_addr(),
        super::browser::label(req.header("user-agent")),
    );
    let membership = move |conn: &rusqlite::Connection| {
        store::default_membership(conn, user_id)?.ok_or_else(|| {
            Error::forbidden("your account belongs to no organization; ask an administrator")
        })
    };
    let stored = req
        .write(move |conn| {
            let (org, role) = membership(conn)?;
            sessions::purge_expired(conn, now)?;
            sessions::insert(conn, &digest, user_id, org, now)?;
            sessions::describe(conn, &digest, address, &browser)?;
            crate::audit::sign_in(conn, Some(user_id), true, address, now)?;
            Ok((org, role))
        })
        .await;
    let (org_id, role) = match stored {
        Err(e) if e.kind == Kind::InsufficientStorage => {
            let (org, role) = req.read(membership).await?;
            req.app.unstored_sessions.add(digest, user_id, org, now);
            (org, role)
        }
        other => other?,
    };
    let me = Principal {
        user_id,
        org_id,
        role,
        scopes: vec![],
        credential: Credential::Session {
            digest: digest.to_vec(),
        },
    };
    let cookie = session_cookie_header(&cookie, sessions::LIFETIME.num_seconds(), is_https(req));
    Ok((profile_of(req, &me).await?, cookie))
}

async fn logout(req: Request) -> Result<Response> {
    let cookie = session_cookie(&req);
    if cookie.is_some() {
        check_same_origin(&req)?;
    }
    if let Some(digest) = cookie.as_deref().and_then(sessions::digest_of_cookie) {
        req.app.unstored_sessions.remove(&digest);
        req.write(move |conn| sessions::delete(conn, &digest))
            .await?;
    }
    let mut response = reply::no_content();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header("", 0, is_https(&req)),
    );
    Ok(response)
}

async fn update_me(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    me.require_unscoped("change the account")?;
    let body: UpdateProfile = req.json()?;
    let user_id = me.user_id;
    let (current, stored_hash) = req
        .read(move |conn| {
            Ok(store::user_by_id(conn, user_id)?.zip(store::password_hash(conn, user_id)?))
        })
        .await?
        .ok_or_else(|| Error::not_found("user"))?;

    let first_name = normalize_name(
        "firstName",
        body.first_name.as_deref().unwrap_or(&current.first_name),
    )?;
    let last_name = normalize_name(
        "lastName",
        body.last_name.as_deref().unwrap_or(&current.last_name),
    )?;
    let email = normalize_email(body.email.as_deref().unwrap_or(&current.email))?;
    // The e-mail is where a reset link goes: changing it is as strong as changing the password,
    // or a stolen session could keep the account for good.
    if !email.eq_ignore_ascii_case(&current.email) {
        let proof = body.current_password.clone().ok_or_else(|| {
            Error::invalid_field("currentPassword", "is required to change the e-mail")
        })?;
        if !password::verify_async(proof, Some(stored_hash.clone())).await? {
            return Err(Error::invalid_field(
                "currentPassword",
                "is not your current password",
            ));
        }
    }
    let new_hash = match body.password {
        None => None,
        Some(new_password) => {
            let Some(current_password) = body.current_password else {
                return Err(Error::invalid_field(
                    "currentPassword",
                    "is required to change the password",
                ));
            };
            if !password::verify_async(current_password, Some(stored_hash)).await? {
                return Err(Error::invalid_field(
                    "currentPassword",
                    "is not your current password",
                ));
            }
            password::check_strength(&new_password, &[&email, &first_name, &last_name])?;
            Some(password::hash_async(new_password).await?)
        }
    };

    let password_changed = new_hash.is_some();
    let keep = match &me.credential {
        Credential::Session { digest } => Some(digest.clone()),
        Credential::Token { .. } => None,
    };
    let change = ProfileChange {
        first_name,
        last_name,
        email,
        password_hash: new_hash,
    };
    let now = req.now();
    let user = req
        .write(move |conn| {
            let user = store::update_profile(conn, user_id, &change, now)?;
            if password_changed {
                sessions::delete_others(conn, user_id, keep.as_deref())?;
            }
            Ok(user)
        })
        .await?;
    Ok(reply::ok(&UpdatedProfile {
        needs_session_invalidation: password_changed,
        new_user: user,
        new_user_permissions: me.permissions(),
    }))
}
