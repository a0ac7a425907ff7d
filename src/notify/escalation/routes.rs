//! `/escalation-policies` (list, create, read, change, delete) and
//! `/users/me/notification-preferences` (the caller's, in their current organization).
//! Policies are changed with the channels' permission: whoever decides where notifications go
//! decides how they escalate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::people::{self, Preferences};
use super::rules::Step;
use super::store::{self, Policy};
use crate::accounts::roles::Permission::{ReadNotificationChannels, WriteNotificationChannels};
use crate::error::{Error, Kind, Result};
use crate::http::openapi::Create;
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{OrgId, PolicyId};

pub fn routes() -> Vec<Route> {
    let mut routes: Vec<Route> = Route::tagged(
        "Notifications",
        vec![
            Route::get("/escalation-policies", list)
                .summary("The organization's escalation policies, by name")
                .returns::<PolicyList>(200, "Policies"),
            Route::post("/escalation-policies", create)
                .summary("Add an escalation policy")
                .body::<Create<PolicyInput>>()
                .returns::<Policy>(201, "The new policy"),
            Route::get("/escalation-policies/{id}", get)
                .summary("An escalation policy")
                .returns::<Policy>(200, "The policy"),
            Route::patch("/escalation-policies/{id}", update)
                .summary("Change a policy; absent fields keep their value. Incidents already escalating keep the steps they started with")
                .body::<PolicyInput>()
                .returns::<Policy>(200, "The policy"),
            Route::delete("/escalation-policies/{id}", delete)
                .summary("Delete a policy; its monitors and tasks fall back to the default")
                .returns_empty(204, "Deleted"),
        ],
    )
    .into_iter()
    .map(|r| r.param::<PolicyId>("id").audited_as("escalation_policy"))
    .collect();
    routes.extend(Route::tagged(
        "Accounts",
        vec![
            Route::get("/users/me/notification-preferences", get_preferences)
                .summary("Your notification preferences in the current organization")
                .returns::<Preferences>(200, "Preferences"),
            Route::put("/users/me/notification-preferences", put_preferences)
                .audited("notification_preferences", "update")
                .summary("Set which personal channels wake you, your phone and quiet hours")
                .body::<Preferences>()
                .returns::<Preferences>(200, "Preferences"),
        ],
    ));
    routes
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyInput {
    /// 1 to 100 characters; required on create.
    #[schemars(length(min = 1, max = crate::limits::LABEL), regex(pattern = crate::limits::LINE))]
    pub name: Option<String>,
    /// 1 to 20 steps, in order; required on create.
    #[schemars(length(min = 1, max = 20))]
    pub steps: Option<Vec<Step>>,
    /// 0 to 10; default 0.
    #[schemars(range(min = 0, max = 10))]
    pub repeat: Option<u32>,
    /// The organization's default (the previous one stops being it). Default false.
    pub default: Option<bool>,
}

impl crate::http::openapi::OnCreate for PolicyInput {
    const REQUIRED: &'static [&'static str] = &["name", "steps"];
}

#[derive(Serialize, JsonSchema)]
pub struct PolicyList {
    pub items: Vec<Policy>,
}

/// Checks the steps: each names someone, waits 1 to 1440 minutes, and names only the
/// organization's channels and members (others are a 404, as routing's channel ids are).
fn check_steps(conn: &rusqlite::Connection, org: OrgId, steps: &[Step]) -> Result<()> {
    if steps.is_empty() || steps.len() > 20 {
        return Err(Error::invalid_field("steps", "1 to 20 steps"));
    }
    for (i, step) in steps.iter().enumerate() {
        if step.channels.is_empty() && step.members.is_empty() {
            return Err(Error::invalid_field(
                &format!("steps[{i}]"),
                "names no channel and no member",
            ));
        }
        crate::limits::count(
            &format!("steps[{i}].channels"),
            step.channels.len(),
            crate::limits::LIST,
        )?;
        crate::limits::count(
            &format!("steps[{i}].members"),
            step.members.len(),
            crate::limits::LIST,
        )?;
        crate::limits::range(
            &format!("steps[{i}].afterMinutes"),
            step.after_minutes,
            1,
            1440,
        )?;
        for (j, channel) in step.channels.iter().enumerate() {
            let found = crate::notify::store::get(conn, org, *channel)?;
            if found.as_ref().is_some_and(|c| c.channel.personal) {
                return Err(Error::invalid_field(
                    &format!("steps[{i}].channels[{j}]"),
                    "is personal: name the members it should reach instead",
                ));
            }
            if found.is_none() {
                return Err(not_found(format!(
                    "steps[{i}].channels[{j}]: no channel {channel} in this organization"
                )));
            }
        }
        store::are_members(conn, org, &format!("steps[{i}].members"), &step.members)?;
    }
    Ok(())
}

fn not_found(message: String) -> Error {
    Error::new(Kind::NotFound, "not_found", message)
}

/// `input` applied to `p` (a new policy or a stored one), checked.
fn apply(
    conn: &rusqlite::Connection,
    org: OrgId,
    mut p: Policy,
    input: PolicyInput,
) -> Result<Policy> {
    if let Some(name) = input.name {
        p.name = crate::limits::required_line("name", &name, crate::limits::LABEL)?;
    }
    if let Some(steps) = input.steps {
        check_steps(conn, org, &steps)?;
        p.steps = steps;
    }
    if let Some(repeat) = input.repeat {
        crate::limits::range("repeat", repeat, 0, 10)?;
        p.repeat = repeat;
    }
    if let Some(default) = input.default {
        p.default = default;
    }
    Ok(p)
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadNotificationChannels).await?;
    let org = me.org_id;
    let items = req.read(move |c| store::list(c, org)).await?;
    Ok(reply::ok(&PolicyList { items }))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let input: PolicyInput = req.json()?;
    let (org, now) = (me.org_id, req.now());
    let policy = req
        .write(move |c| {
            let policy = create_policy(c, org, PolicyId::generate(), input, now)?;
            crate::audit::created(policy.id);
            Ok(policy)
        })
        .await?;
    Ok(reply::created(&policy))
}

/// A new policy `id` of `org` from a create body, checked as `POST /escalation-policies` checks
/// it (also for a config document applied, an import).
pub fn create_policy(
    c: &rusqlite::Connection,
    org: OrgId,
    id: PolicyId,
    input: PolicyInput,
    now: crate::clock::Timestamp,
) -> Result<Policy> {
    if input.name.is_none() {
        return Err(Error::invalid_field("name", "is required"));
    }
    if input.steps.is_none() {
        return Err(Error::invalid_field("steps", "is required"));
    }
    let new = Policy {
        id,
        name: String::new(),
        steps: vec![],
        repeat: 0,
        default: false,
        sources: vec![],
        created_at: now,
        updated_at: now,
    };
    let policy = apply(c, org, new, input)?;
    store::save(c, org, &policy)?;
    store::get(c, org, policy.id)?.ok_or_else(|| Error::not_found("escalation policy"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadNotificationChannels).await?;
    let (org, id) = (me.org_id, req.param_id::<PolicyId>("id")?);
    let policy = req.read(move |c| store::get(c, org, id)).await?;
    Ok(reply::ok(
        &policy.ok_or_else(|| Error::not_found("escalation policy"))?,
    ))
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let input: PolicyInput = req.json()?;
    let (org, id, now) = (me.org_id, req.param_id::<PolicyId>("id")?, req.now());
    let policy = req
        .write(move |c| update_policy(c, org, id, input, now))
        .await?;
    Ok(reply::ok(&policy))
}

/// The policy `id` of `org` with a change body applied; absent fields keep their value.
pub fn update_policy(
    c: &rusqlite::Connection,
    org: OrgId,
    id: PolicyId,
    input: PolicyInput,
    now: crate::clock::Timestamp,
) -> Result<Policy> {
    let current = store::get(c, org, id)?.ok_or_else(|| Error::not_found("escalation policy"))?;
    let mut policy = apply(c, org, current, input)?;
    policy.updated_at = now;
    store::save(c, org, &policy)?;
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("escalation policy"))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let (org, id) = (me.org_id, req.param_id::<PolicyId>("id")?);
    let deleted = req.write(move |c| store::delete(c, org, id)).await?;
    if !deleted {
        return Err(Error::not_found("escalation policy"));
    }
    Ok(reply::no_content())
}

async fn get_preferences(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    // The phone number is the member's own: a token scoped to some checks does not read it.
    me.require_unscoped("read your notification preferences")?;
    let (org, user) = (me.org_id, me.user_id);
    Ok(reply::ok(
        &req.read(move |c| people::get(c, org, user)).await?,
    ))
}

async fn put_preferences(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    // Where one's pages go (the phone) is not for a scoped token to change.
    me.require_unscoped("change your notification preferences")?;
    let preferences: Preferences = req.json()?;
    let (org, user, now) = (me.org_id, me.user_id, req.now());
    let stored = req
        .write(move |c| {
            preferences.validate(c, org)?;
            people::set(c, org, user, &preferences, now)?;
            people::get(c, org, user)
        })
        .await?;
    Ok(reply::ok(&stored))
}
