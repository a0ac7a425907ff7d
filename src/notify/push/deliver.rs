//! An outbox notification of a webPush channel: what browsers are told of it (`message`), and
//! delivering it to the subscriptions it reaches (`deliver`), forgetting those gone.

use super::send::{PushMessage, Pusher};
use super::store;
use crate::clock::Timestamp;
use crate::ids::{OrgId, PushSubscriptionId, UserId};
use crate::notify::channels::{Envelope, truncate};
use crate::notify::model::NotificationEvent;
use crate::store::Store;

/// The notification's body: lock screens show a few lines.
const BODY_CHARS: usize = 600;

/// What an outbox delivery of the webPush kind tells browsers.
pub fn message(e: &Envelope<'_>) -> PushMessage {
    let (url, tag) = match (e.incident, e.digest.is_empty()) {
        (Some(i), true) => (format!("/dashboard/incidents/{}", i.id), i.id.clone()),
        (_, false) => {
            let status = match e.event {
                NotificationEvent::Resolved => "resolved",
                _ => "ongoing",
            };
            (
                format!("/dashboard/incidents?status={status}"),
                e.delivery.to_string(),
            )
        }
        (None, true) => ("/dashboard/".to_owned(), e.delivery.to_string()),
    };
    PushMessage {
        title: truncate(&e.message.subject, 200),
        body: truncate(&e.message.text, BODY_CHARS),
        url,
        topic: e
            .incident
            .map(|i| i.id.replace('-', ""))
            .filter(|_| e.digest.is_empty()),
        tag,
        event: e.event,
        urgent: matches!(
            e.event,
            NotificationEvent::Opened | NotificationEvent::Renotification
        ),
    }
}

/// Why a webPush delivery failed, and when a push service asked to be called again (429/503
/// `Retry-After`): the worker's next attempt should not come earlier.
#[derive(Debug)]
pub struct Undelivered {
    pub text: String,
    pub retry_after: Option<chrono::Duration>,
}

impl From<String> for Undelivered {
    fn from(text: String) -> Undelivered {
        Undelivered {
            text,
            retry_after: None,
        }
    }
}

/// Delivers one outbox notification of a webPush channel: to the subscriptions of `org`'s
/// members (of `users` only, when the channel names them). Gone subscriptions are forgotten.
/// Succeeds when a browser took it and every other one took it too or is gone; otherwise the
/// worker retries (sending again to those that took it: the same `tag` makes the browser
/// replace, not add, it).
pub async fn deliver(
    pusher: Option<&Pusher>,
    store: &Store,
    org: OrgId,
    users: Option<Vec<UserId>>,
    e: &Envelope<'_>,
    now: Timestamp,
) -> Result<(), Undelivered> {
    let Some(pusher) = pusher else {
        return Err(String::from("web push is not set up on this server").into());
    };
    let subscriptions = store
        .read(move |c| store::reached(c, org, users.as_deref()))
        .await
        .map_err(|e| e.message)?;
    if subscriptions.is_empty() {
        return Err(
            String::from("nobody it reaches has turned on notifications in a browser").into(),
        );
    }
    let outcome = pusher.push(&subscriptions, &message(e), now).await;
    forget(store, &outcome.gone).await;
    if !outcome.failures.is_empty() {
        return Err(Undelivered {
            text: format!(
                "{} of {} browsers: {}",
                outcome.failures.len(),
                subscriptions.len(),
                outcome.failures.join("; ")
            ),
            retry_after: outcome.retry_after,
        });
    }
    if outcome.delivered == 0 {
        return Err(format!(
            "the {} browser(s) it reached unsubscribed (their push service said so): removed",
            outcome.gone.len()
        )
        .into());
    }
    Ok(())
}

/// Forgets the subscriptions a push service said are gone.
pub async fn forget(store: &Store, gone: &[PushSubscriptionId]) {
    let gone = gone.to_vec();
    if gone.is_empty() {
        return;
    }
    let forgotten = store
        .write(move |c| gone.iter().try_for_each(|id| store::forget(c, *id)))
        .await;
    if let Err(e) = forgotten {
        log::warn!("could not forget gone push subscriptions: {e}");
    }
}
