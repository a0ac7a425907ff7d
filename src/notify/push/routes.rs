//! `/users/me/push-subscriptions`: the browsers where the caller turned notifications on (save,
//! list, remove, send a test), and `/push/vapid-public-key`, the key browsers subscribe with.
//! A subscription is the caller's own: nobody else lists or removes it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::deliver::forget;
use super::encrypt::is_valid_public_key;
use super::send::PushMessage;
use super::store::{self, Device, NewSubscription};
use crate::accounts::principal::Principal;
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::PushSubscriptionId;
use crate::limits;
use crate::notify::model::NotificationEvent;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Notifications",
        vec![
            Route::get("/push/vapid-public-key", vapid_public_key)
                .summary(
                    "The server's VAPID public key: the applicationServerKey to subscribe with",
                )
                .returns::<VapidKey>(200, "The key, base64url"),
            Route::get("/users/me/push-subscriptions", list)
                .summary("The browsers where you turned notifications on")
                .returns::<DeviceList>(200, "Your devices, newest first"),
            Route::post("/users/me/push-subscriptions", create)
                .summary("Turn notifications on in a browser: its PushSubscription (toJSON())")
                .body::<SubscriptionInput>()
                .returns::<Device>(201, "Saved; the same endpoint saved again replaces its row"),
            Route::delete("/users/me/push-subscriptions/{id}", delete)
                .param::<PushSubscriptionId>("id")
                .summary("Turn notifications off on one of your devices")
                .returns_empty(204, "Removed")
                .returns_empty(404, "You have no device with this id"),
            Route::post("/users/me/push-subscriptions/test", test)
                .not_audited("a test notification to the caller's own browsers changes nothing")
                .summary("Send a test notification to all your devices now")
                .returns::<TestPush>(200, "How many took it"),
        ],
    )
    .into_iter()
    .map(|r| r.audited_as("push_subscription"))
    .collect()
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VapidKey {
    /// Uncompressed P-256 point, base64url without padding.
    pub public_key: String,
}

#[derive(Serialize, JsonSchema)]
pub struct DeviceList {
    pub items: Vec<Device>,
}

/// A browser's `PushSubscription.toJSON()`, with an optional label.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionInput {
    /// The push service's URL for this browser: https, on a browser's push service (FCM,
    /// Mozilla, Apple, Windows) or a host the server allows with `--push-service`.
    #[schemars(length(max = limits::URL))]
    pub endpoint: String,
    /// Browsers send it (usually null); ignored: a push service's 404 or 410 ends it.
    #[serde(default)]
    pub expiration_time: Option<f64>,
    pub keys: SubscriptionKeys,
    /// "Phone", "Work laptop": at most 100 characters.
    #[serde(default)]
    #[schemars(length(max = limits::LABEL))]
    pub label: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key: 65 bytes, base64url.
    pub p256dh: String,
    /// The browser's authentication secret: 16 bytes, base64url.
    pub auth: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestPush {
    pub delivered: usize,
    /// Devices their push service said are gone: removed.
    pub removed: usize,
    /// Why the others failed: the service's host and the class of its answer
    /// ("refused: HTTP 4xx", "unreachable"); the server's log has the details.
    pub errors: Vec<String>,
}

/// Who manages devices: the person, by session or by an unscoped token of theirs.
async fn caller(req: &Request) -> Result<Principal> {
    let me = req.principal().await?;
    me.require_unscoped("manage your push notifications")?;
    Ok(me)
}

fn pusher(req: &Request) -> Result<&super::Pusher> {
    req.app
        .notifier
        .pusher()
        .ok_or_else(|| Error::unavailable("web push is not set up on this server"))
}

async fn vapid_public_key(req: Request) -> Result<Response> {
    req.principal().await?;
    let public_key = pusher(&req)?.public_key();
    Ok(reply::ok(&VapidKey { public_key }))
}

async fn list(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let user = me.user_id;
    let items = req.read(move |c| store::devices(c, user)).await?;
    Ok(reply::ok(&DeviceList { items }))
}

async fn create(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let input: SubscriptionInput = req.json()?;
    let new = check(input, pusher(&req)?)?;
    let (user, now) = (me.user_id, req.now());
    let id = req
        .write(move |c| {
            let id = store::save(c, user, &new, now)?;
            crate::audit::created(id.to_string());
            Ok(id)
        })
        .await?;
    let device = req
        .read(move |c| store::devices(c, user))
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| Error::not_found("push subscription"))?;
    Ok(reply::created(&device))
}

/// The endpoint and keys as a message can be sent with: refused here, with the field, rather
/// than failing at every notification.
fn check(input: SubscriptionInput, pusher: &super::Pusher) -> Result<NewSubscription> {
    let endpoint = input.endpoint.trim().to_owned();
    limits::line("endpoint", &endpoint, limits::URL)?;
    let url = url::Url::parse(&endpoint)
        .map_err(|e| Error::invalid_field("endpoint", format!("not a URL: {e}")))?;
    pusher
        .check_endpoint(&url)
        .map_err(|why| Error::invalid_field("endpoint", why))?;
    let decode = |field: &str, value: &str, len: usize| {
        URL_SAFE_NO_PAD
            .decode(value.trim().trim_end_matches('='))
            .ok()
            .filter(|bytes| bytes.len() == len)
            .ok_or_else(|| Error::invalid_field(field, format!("must be {len} bytes in base64url")))
    };
    let p256dh = decode("keys.p256dh", &input.keys.p256dh, 65)?;
    if !is_valid_public_key(&p256dh) {
        return Err(Error::invalid_field(
            "keys.p256dh",
            "is not a P-256 public key",
        ));
    }
    let auth = decode("keys.auth", &input.keys.auth, 16)?;
    let label = limits::optional("label", input.label, limits::LABEL, limits::line)?;
    Ok(NewSubscription {
        endpoint,
        p256dh,
        auth,
        label,
    })
}

async fn delete(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let id: PushSubscriptionId = req.param_id("id")?;
    let user = me.user_id;
    if !req.write(move |c| store::delete(c, user, id)).await? {
        return Err(Error::not_found("push subscription"));
    }
    Ok(reply::no_content())
}

async fn test(req: Request) -> Result<Response> {
    let me = caller(&req).await?;
    let user = me.user_id;
    let subscriptions = req.read(move |c| store::of_user(c, user)).await?;
    let lang = req
        .read(move |c| crate::notify::store::settings(c, me.org_id))
        .await?;
    let french = lang.language == "fr";
    let message = PushMessage {
        title: match french {
            true => "Notification de test de dutyduck",
            false => "dutyduck test notification",
        }
        .to_owned(),
        body: match french {
            true => "Les notifications arrivent sur cet appareil.",
            false => "Notifications reach this device.",
        }
        .to_owned(),
        url: "/dashboard/account".to_owned(),
        tag: "test".to_owned(),
        event: NotificationEvent::Test,
        urgent: false,
        topic: None,
    };
    let outcome = pusher(&req)?
        .push(&subscriptions, &message, req.now())
        .await;
    forget(&req.app.store, &outcome.gone).await;
    Ok(reply::ok(&TestPush {
        delivered: outcome.delivered,
        removed: outcome.gone.len(),
        errors: outcome.failures,
    }))
}
