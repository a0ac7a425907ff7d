//! `/notification-channels` (list, create, read, change, delete, send a test, deliveries) and
//! `/notification-settings` (the organization's language, re-notification default and storm
//! grouping).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use warp::reply::Response;

use super::channels::{self, ADD_CHANNEL_SUMMARY, ChannelConfig};
use super::model::{Channel, ChannelKind, Delivery, DeliveryStatus, NotificationEvent, Settings};
use super::outbox::{self, LEASE};
use super::routing::check_renotify;
use super::store::{self, StoredChannel};
use crate::accounts::principal::Principal;
use crate::accounts::roles::Permission::{ReadNotificationChannels, WriteNotificationChannels};
use crate::error::{Error, Result};
use crate::http::openapi::Create;
use crate::http::reply;
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::ChannelId;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Notifications",
        vec![
            Route::get("/notification-channels", list)
                .summary("The organization's notification channels")
                .returns::<ChannelList>(200, "Channels, by name"),
            Route::post("/notification-channels", create)
                .summary(&ADD_CHANNEL_SUMMARY)
                .body::<Create<ChannelInput>>()
                .returns::<Channel>(201, "The new channel"),
            Route::get("/notification-channels/{id}", get)
                .summary("A channel")
                .returns::<Channel>(200, "The channel"),
            Route::patch("/notification-channels/{id}", update)
                .summary(
                    "Change a channel; absent fields keep their value, masked secrets are kept",
                )
                .body::<ChannelInput>()
                .returns::<Channel>(200, "The channel"),
            Route::delete("/notification-channels/{id}", delete)
                .summary("Delete a channel and its pending deliveries")
                .returns_empty(204, "Deleted"),
            Route::post("/notification-channels/{id}/test", test)
                .summary("Send a real test message now and answer with the outcome")
                .returns::<TestOutcome>(200, "Sent, or the error"),
            Route::get("/notification-channels/{id}/deliveries", deliveries)
                .summary("The channel's deliveries, newest first")
                .query::<Page>()
                .returns::<DeliveryList>(200, "A page of deliveries"),
            Route::get("/notification-settings", get_settings)
                .summary("The organization's language and re-notification default")
                .returns::<Settings>(200, "Settings"),
            Route::put("/notification-settings", put_settings)
                .audited("notification_settings", "update")
                .summary("Change the organization's language and re-notification default")
                .body::<Settings>()
                .returns::<Settings>(200, "Settings"),
        ],
    )
    .into_iter()
    .map(|r| {
        r.param::<ChannelId>("id")
            .audited_as("notification_channel")
    })
    .collect()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelInput {
    /// 1 to 100 characters; required on create.
    #[schemars(length(min = 1, max = crate::limits::LABEL), regex(pattern = crate::limits::LINE))]
    pub name: Option<String>,
    /// Required on create; cannot change.
    pub kind: Option<ChannelKind>,
    pub enabled: Option<bool>,
    /// By kind: email `{recipients: [..], allMembers}`, webhook `{url, headers, secret}`,
    /// slack and discord `{webhookUrl}`, ntfy `{serverUrl, topic, token}`.
    #[serde(default)]
    #[schemars(schema_with = "any_config")]
    pub config: Option<Value>,
    /// Reaches members one by one (escalation steps naming members); e-mail channels only
    /// (and SMS, web push). Default false.
    pub personal: Option<bool>,
}

/// Any kind's config (each once), or null.
fn any_config(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut configs: Vec<schemars::Schema> = Vec::new();
    for (_, schema) in channels::config_schemas(generator) {
        if !configs.contains(&schema) {
            configs.push(schema);
        }
    }
    configs.push(schemars::json_schema!({"type": "null"}));
    schemars::json_schema!({ "anyOf": configs })
}

/// On create, the config is the one of the kind.
impl crate::http::openapi::OnCreate for ChannelInput {
    const REQUIRED: &'static [&'static str] = &["name", "kind", "config"];

    fn more_rules(schema: &mut schemars::Schema, generator: &mut schemars::SchemaGenerator) {
        let of_kind = |(kind, config): (&str, schemars::Schema)| serde_json::json!({"properties": {"kind": {"const": kind}, "config": config}});
        let kinds: Vec<_> = channels::config_schemas(generator)
            .into_iter()
            .map(of_kind)
            .collect();
        schema.insert("oneOf".into(), kinds.into());
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelList {
    pub items: Vec<Channel>,
    /// Whether the server was started with an SMTP relay (`--smtp-url`): without one, e-mail
    /// channels deliver nothing, and the dashboard says so where e-mail channels are set up.
    pub email_configured: bool,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
    pub total_number_of_results: i64,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestOutcome {
    /// "sent" or "failed".
    pub outcome: String,
    pub error: Option<String>,
    pub delivery: Option<Delivery>,
}

fn name(raw: Option<&str>) -> Result<String> {
    crate::limits::required_line("name", raw.unwrap_or(""), crate::limits::LABEL)
}

fn shown(me: &Principal, c: StoredChannel) -> Channel {
    c.shown(me.can(WriteNotificationChannels))
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(ReadNotificationChannels).await?;
    let org = me.org_id;
    let channels = req.read(move |c| store::list(c, org)).await?;
    let items = channels.into_iter().map(|c| shown(&me, c)).collect();
    Ok(reply::ok(&ChannelList {
        items,
        email_configured: req.app.notifier.email_configured(),
    }))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let input: ChannelInput = req.json()?;
    let (org, now) = (me.org_id, req.now());
    let channel = req
        .write(move |c| {
            let channel = create_channel(c, org, ChannelId::generate(), input, now)?;
            crate::audit::created(channel.channel.id);
            Ok(channel)
        })
        .await?;
    Ok(reply::created(&shown(&me, channel)))
}

/// A new channel `id` of `org` from a create body, checked as `POST /notification-channels`
/// checks it (also for a config document applied, an import).
pub fn create_channel(
    c: &rusqlite::Connection,
    org: crate::ids::OrgId,
    id: ChannelId,
    input: ChannelInput,
    now: crate::clock::Timestamp,
) -> Result<StoredChannel> {
    let name = name(input.name.as_deref())?;
    let kind = input.kind.ok_or_else(|| {
        Error::invalid_field(
            "kind",
            format!("is required: {}", ChannelKind::names_in_words()),
        )
    })?;
    let config = ChannelConfig::parse(kind, input.config.as_ref().unwrap_or(&Value::Null))?;
    config.validate()?;
    let enabled = input.enabled.unwrap_or(true);
    super::channels::web_push::members_exist(c, org, &config)?;
    store::insert_with_id(c, org, id, &name, &config, kind, enabled, now)?;
    super::escalation::people::set_personal(c, id, kind, input.personal)?;
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("channel"))
}

/// The channel named by the path, in the caller's organization.
async fn find(req: &Request, me: &Principal) -> Result<StoredChannel> {
    let id: ChannelId = req.param_id("id")?;
    let org = me.org_id;
    req.read(move |c| store::get(c, org, id))
        .await?
        .ok_or_else(|| Error::not_found("channel"))
}

async fn get(req: Request) -> Result<Response> {
    let me = req.require(ReadNotificationChannels).await?;
    let channel = find(&req, &me).await?;
    Ok(reply::ok(&shown(&me, channel)))
}

async fn update(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let input: ChannelInput = req.json()?;
    let id: ChannelId = req.param_id("id")?;
    let (org, now) = (me.org_id, req.now());
    let channel = req
        .write(move |c| update_channel(c, org, id, input, now))
        .await?;
    Ok(reply::ok(&shown(&me, channel)))
}

/// The channel `id` of `org` with a change body applied: absent fields keep their value, masked
/// secrets keep the stored ones.
pub fn update_channel(
    c: &rusqlite::Connection,
    org: crate::ids::OrgId,
    id: ChannelId,
    input: ChannelInput,
    now: crate::clock::Timestamp,
) -> Result<StoredChannel> {
    let current = store::get(c, org, id)?.ok_or_else(|| Error::not_found("channel"))?;
    let kind = current.channel.kind;
    if input.kind.is_some_and(|k| k != kind) {
        return Err(Error::invalid_field(
            "kind",
            "cannot change; create another channel",
        ));
    }
    let name = match &input.name {
        Some(n) => name(Some(n))?,
        None => current.channel.name.clone(),
    };
    let config = match &input.config {
        Some(value) => {
            let mut config = ChannelConfig::parse(kind, value)?;
            config.keep_secrets_from(&current.config);
            config
        }
        None => current.config.clone(),
    };
    config.validate()?;
    let enabled = input.enabled.unwrap_or(current.channel.enabled);
    super::channels::web_push::members_exist(c, org, &config)?;
    store::update(c, id, &name, &config, enabled, now)?;
    super::escalation::people::set_personal(c, id, kind, input.personal)?;
    store::get(c, org, id)?.ok_or_else(|| Error::not_found("channel"))
}

async fn delete(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let channel = find(&req, &me).await?;
    let (org, id) = (me.org_id, channel.channel.id);
    req.write(move |c| store::delete(c, org, id)).await?;
    Ok(reply::no_content())
}

async fn test(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let channel = find(&req, &me).await?;
    let (org, id, now) = (me.org_id, channel.channel.id, req.now());
    // Queued past the worker's reach (a lease), then sent here, once.
    let delivery = req
        .write(move |c| outbox::insert(c, org, id, None, NotificationEvent::Test, now + LEASE, now))
        .await?;
    let app = req.app.clone();
    let delivery = tokio::spawn(async move {
        app.notifier
            .deliver(&app.store, &app.clock, delivery, false)
            .await
    })
    .await
    .map_err(Error::internal)??;
    let sent = delivery
        .as_ref()
        .is_some_and(|d| d.status == DeliveryStatus::Sent);
    Ok(reply::ok(&TestOutcome {
        outcome: if sent { "sent" } else { "failed" }.to_owned(),
        error: delivery.as_ref().and_then(|d| d.last_error.clone()),
        delivery,
    }))
}

async fn deliveries(req: Request) -> Result<Response> {
    let me = req.require(ReadNotificationChannels).await?;
    let channel = find(&req, &me).await?;
    let (offset, limit) = req.query::<Page>()?.window(20);
    let id = channel.channel.id;
    let (items, total_number_of_results) = req
        .read(move |c| outbox::list_for_channel(c, id, offset, limit))
        .await?;
    Ok(reply::ok(&DeliveryList {
        items,
        total_number_of_results,
    }))
}

async fn get_settings(req: Request) -> Result<Response> {
    let me = req.require(ReadNotificationChannels).await?;
    let org = me.org_id;
    Ok(reply::ok(
        &req.read(move |c| store::settings(c, org)).await?,
    ))
}

async fn put_settings(req: Request) -> Result<Response> {
    let me = req.require(WriteNotificationChannels).await?;
    let mut settings: Settings = req.json()?;
    if !matches!(settings.language.as_str(), "en" | "fr") {
        return Err(Error::invalid_field("language", "\"en\" or \"fr\""));
    }
    settings.renotify_minutes = check_renotify("renotifyMinutes", settings.renotify_minutes)?;
    super::storm::check_settings(settings.storm_threshold, settings.storm_window_seconds)?;
    let (org, now) = (me.org_id, req.now());
    let stored = req
        .write(move |c| {
            let before = store::settings(c, org)?;
            store::set_settings(c, org, &settings)?;
            if before.renotify_minutes != settings.renotify_minutes {
                let ongoing = crate::incidents::store::ongoing(c, org)?;
                super::reminders::replan(c, &ongoing, now)?;
            }
            store::settings(c, org)
        })
        .await?;
    Ok(reply::ok(&stored))
}
