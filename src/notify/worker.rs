//! The delivery worker: sleeps until the next due notification or re-notification (on the
//! injectable clock), claims what is due, and sends each in its own task, at most
//! `CONCURRENCY` at once, each bounded by the send timeout — so a hanging receiver delays
//! neither checks nor other deliveries. Outcomes are recorded through the single writer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::future::Either;
use tokio::sync::{Notify, Semaphore, watch};

use super::channels::ChannelConfig;
use super::channels::{Envelope, Outgoing};
use super::message::{Message, render, render_digest};
use super::model::{Delivery, NotificationEvent};
use super::outbox::{self, Attempt};
use super::send::{Failure, Sender, SmtpSettings};
use super::store::{self, Prepared};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, DeliveryId};
use crate::store::Store;
use crate::store::signals::Topic;

/// Deliveries in flight at once.
const CONCURRENCY: usize = 32;
/// Deliveries in flight at once on one channel.
const PER_CHANNEL: usize = 4;

/// How many incidents a digest names on a channel: all of them (at most a digest's 100) where
/// length is no matter (e-mail, webhooks), fewer in chats and push notifications, whose texts
/// are cut at a few thousand characters (the rest is "… and N more").
fn digest_names(channel: &ChannelConfig) -> usize {
    match channel {
        ChannelConfig::Email(_) | ChannelConfig::Webhook(_) => super::storm::MAX_MEMBERS as usize,
        _ => 25,
    }
}

/// One delivery handed to a sender: in `in_flight` until dropped.
struct Sending {
    notifier: Arc<Notifier>,
    id: DeliveryId,
}

impl Drop for Sending {
    fn drop(&mut self) {
        let mut in_flight = (self.notifier.in_flight.lock()).unwrap_or_else(|p| p.into_inner());
        in_flight.remove(&self.id);
        drop(in_flight);
        self.notifier.freed.notify_one();
    }
}

pub struct Notifier {
    sender: Sender,
    /// Where the dashboard is reachable, for links (`--public-url`).
    public_url: Option<String>,
    permits: Arc<Semaphore>,
    /// Deliveries being sent, and their channels.
    in_flight: Mutex<HashMap<DeliveryId, ChannelId>>,
    /// A send ended: room for another.
    freed: Notify,
    /// Web push (the VAPID key from the data dir); None in tests without a data dir.
    push: Option<super::push::Pusher>,
}

impl Notifier {
    /// Whether the server has an SMTP relay, so that e-mail channels can deliver.
    pub fn email_configured(&self) -> bool {
        self.sender.has_smtp()
    }

    /// `--public-url` without its trailing slash: the base of links sent by e-mail.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// Sends an account e-mail (an invitation, a password reset) at once, through the relay.
    /// Not queued in the outbox: the dashboard always shows the link too, so a failed send is
    /// reported to the person who asked rather than retried for a day.
    pub async fn account_email(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        self.sender.account_email(to, subject, text).await
    }

    pub fn new(smtp: Option<&SmtpSettings>, public_url: Option<String>) -> Result<Notifier> {
        Ok(Notifier {
            sender: Sender::new(smtp)
                .map_err(|e| Error::bad_request("invalid_configuration", e))?,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            permits: Arc::new(Semaphore::new(CONCURRENCY)),
            in_flight: Mutex::default(),
            freed: Notify::new(),
            push: None,
        })
    }

    /// With web push: `serve` loads the VAPID key from the data dir.
    pub fn with_push(self, push: super::push::Pusher) -> Notifier {
        Notifier {
            push: Some(push),
            ..self
        }
    }

    /// Web push, when the server has its key.
    pub fn pusher(&self) -> Option<&super::push::Pusher> {
        self.push.as_ref()
    }

    pub async fn run(
        self: Arc<Self>,
        store: Store,
        clock: Clock,
        mut stopped: watch::Receiver<bool>,
    ) {
        // Whoever queues a notification or plans a retry marks the outbox; its commit wakes
        // this loop.
        let mut queued = store.watch(Topic::Outbox);
        loop {
            queued.mark_unchanged();
            let now = clock.now();
            // Counted from what was handed to senders (not from free permits, which a sender
            // just spawned may not have taken yet).
            let in_flight = self.in_flight.lock().expect("in-flight lock").clone();
            let room = CONCURRENCY.saturating_sub(in_flight.len());
            let pass = store
                .write(move |c| {
                    super::reminders::due(c, now, 500)?;
                    super::escalation::driver::due(c, now, 500)?;
                    outbox::release_held(c, now, 500)?;
                    super::storm::adopt_orphans(c, now)?;
                    outbox::claim_due(c, now, room, PER_CHANNEL, &in_flight)
                })
                .await;
            let claim = match pass {
                Ok(claim) => claim,
                Err(e) => {
                    // A full disk or a locked file: try again in a second, not in a tight loop.
                    log::warn!("could not read the notification outbox: {e}");
                    tokio::select! {
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                        _ = stopped.wait_for(|s| *s) => return,
                    }
                }
            };
            for (id, channel) in claim.rows {
                (self.in_flight.lock().expect("in-flight lock")).insert(id, channel);
                let (this, store, clock) = (self.clone(), store.clone(), clock.clone());
                tokio::spawn(async move {
                    // Counted out even if the send panics: a channel whose count never came
                    // down would get nothing more until a restart.
                    let _sending = Sending {
                        notifier: this.clone(),
                        id,
                    };
                    if let Ok(_permit) = this.permits.clone().acquire_owned().await
                        && let Err(e) = this.deliver(&store, &clock, id, true).await
                    {
                        log::warn!("notification {id}: {e}");
                    }
                });
            }
            // Due rows left for lack of room wait for a send to end; otherwise, for the next
            // due time.
            let next = match claim.left_due {
                true => Ok(None),
                false => store.read(outbox::earliest).await,
            };
            let wait = match next {
                Ok(Some(at)) => Either::Left(clock.sleep_until(at)),
                Ok(None) => Either::Right(std::future::pending()),
                // Not knowing the next due time must not mean sleeping until the next write.
                Err(e) => {
                    log::warn!("could not read when the next notification is due: {e}");
                    Either::Left(clock.sleep_until(now + chrono::Duration::seconds(1)))
                }
            };
            tokio::select! {
                _ = wait => {}
                _ = queued.changed() => {}
                _ = self.freed.notified() => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    }

    /// Sends one claimed notification and records the attempt.
    pub async fn deliver(
        &self,
        store: &Store,
        clock: &Clock,
        id: DeliveryId,
        retry: bool,
    ) -> Result<Option<Delivery>> {
        let Some(prepared) = store.read(move |c| store::prepare(c, id)).await? else {
            return Ok(None);
        };
        let started = Instant::now();
        // Disabled since it was queued: nothing more goes out on it (tests excepted).
        let send = (prepared.enabled || prepared.event == NotificationEvent::Test)
            && !prepared.to_former_member;
        let failure = if send {
            self.send(store, clock, &prepared).await.err()
        } else if prepared.to_former_member {
            Some(Failure::from(
                "the member it was for has left the organization",
            ))
        } else {
            Some(Failure::from("the channel is disabled"))
        };
        let (error, retry_after) = match failure {
            Some(f) => (Some(f.text), f.retry_after),
            None => (None, None),
        };
        let attempt = Attempt {
            error,
            retry_after,
            duration_ms: started.elapsed().as_millis() as i64,
            retry: retry && send,
        };
        let now = clock.now();
        let delivery = store
            .write(move |c| outbox::record_attempt(c, id, &attempt, now))
            .await?;
        Ok(delivery)
    }

    async fn send(
        &self,
        store: &Store,
        clock: &Clock,
        p: &Prepared,
    ) -> std::result::Result<(), Failure> {
        let message = self.words(p);
        let envelope = Envelope {
            delivery: p.delivery,
            event: p.event,
            occurred_at: p.created_at,
            organization: &p.organization,
            message: &message,
            // A digest is about its incidents, not about the one whose row leads it.
            incident: p.incident.as_ref().filter(|_| p.digest.is_empty()),
            digest: &p.digest,
            recipient: p.recipient.as_ref(),
        };
        if let Outgoing::WebPush { users } = p.channel.outgoing(&envelope, &p.members) {
            let (push, org) = (self.push.as_ref(), p.organization_id);
            return super::push::deliver(push, store, org, users, &envelope, clock.now())
                .await
                .map_err(|undelivered| Failure {
                    text: undelivered.text,
                    retry_after: undelivered.retry_after,
                });
        }
        self.sender.send(&p.channel, &envelope, &p.members).await
    }

    /// The message of one notification, or of a storm's digest (linking to the incident list
    /// it is about, and naming as many incidents as the channel's kind can show).
    fn words(&self, p: &Prepared) -> Message {
        let base = self.public_url.as_deref();
        if !p.digest.is_empty() {
            let status = match p.event {
                NotificationEvent::Resolved => "resolved",
                _ => "ongoing",
            };
            let link = base.map(|b| format!("{b}/dashboard/incidents?status={status}"));
            let names = digest_names(&p.channel);
            return render_digest(p.lang, p.event, &p.digest, names, link);
        }
        let link = match (base, &p.incident) {
            (Some(base), Some(i)) => Some(format!("{base}/dashboard/incidents/{}", i.id)),
            (Some(base), None) => Some(format!("{base}/dashboard")),
            (None, _) => None,
        };
        render(p.lang, p.event, p.incident.as_ref(), link)
    }
}
