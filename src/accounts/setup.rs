//! First run: while no user exists, anyone reaching the server may create the first
//! administrator. The check and the insert run in one write transaction on the single writer,
//! so two racing submissions cannot both succeed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::members::create_member;
use super::model::{normalize_email, normalize_name};
use super::password;
use super::roles::Role;
use super::routes::{Profile, start_session};
use super::store::{self, NewUser};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::limits;

pub fn routes() -> Vec<Route> {
    // The first administrator is created from the dashboard, never from another origin.
    Route::tagged(
        "Accounts",
        vec![
            Route::get("/setup", status)
                .public()
                .summary("Whether the first administrator still has to be created")
                .returns::<SetupStatus>(200, "needed: true until the first user exists")
                .same_origin_only(),
            Route::post("/setup", create_first_admin)
                .public()
                .not_audited("the first account; its sign-in is logged by audit::sign_in")
                .summary("Create the first administrator and their organization; logs them in")
                .body::<Setup>()
                .returns::<Profile>(200, "Created and logged in (session cookie set)")
                .same_origin_only(),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
pub struct SetupStatus {
    pub needed: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Setup {
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

async fn status(req: Request) -> Result<Response> {
    let users = req.read(store::count_users).await?;
    Ok(reply::ok(&SetupStatus { needed: users == 0 }))
}

fn already_done() -> Error {
    Error::conflict(
        "setup_done",
        "the first administrator already exists; log in instead",
    )
}

async fn create_first_admin(req: Request) -> Result<Response> {
    if req.read(store::count_users).await? > 0 {
        return Err(already_done());
    }
    let body: Setup = req.json()?;
    let org = normalize_name("organizationName", &body.organization_name)?;
    let first_name = normalize_name("firstName", &body.first_name)?;
    let last_name = normalize_name("lastName", &body.last_name)?;
    let email = normalize_email(&body.email)?;
    password::check_strength(&body.password, &[&email, &first_name, &last_name])?;
    let hash = password::hash_async(body.password).await?;
    let now = req.now();
    let user = req
        .write(move |conn| {
            if store::count_users(conn)? > 0 {
                return Err(already_done());
            }
            let new = NewUser {
                email: &email,
                first_name: &first_name,
                last_name: &last_name,
                password_hash: &hash,
            };
            let (user, _, _) = create_member(conn, &new, &org, Some(Role::Owner), now)?;
            Ok(user)
        })
        .await?;
    log::info!("first administrator created: {}", user.email);
    start_session(&req, user.id).await
}
