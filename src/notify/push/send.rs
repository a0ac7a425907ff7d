//! Sending one notification to browsers: one encrypted POST per subscription to its push
//! service, with the VAPID header, `TTL`, `Urgency` and `Topic` (RFC 8030 section 5).

use super::encrypt::{BrowserKeys, encrypt};
use super::services::PushServices;
use super::store::Subscription;
use super::vapid::Vapid;
use crate::clock::Timestamp;
use crate::ids::PushSubscriptionId;
use crate::notify::model::NotificationEvent;

/// How long a push service keeps a message for a browser that is offline: a day-old alert is
/// still worth seeing on the phone when it comes back, an older one is stale.
const TTL_SECONDS: u32 = 86_400;

/// The server's side of web push: its key and an HTTP client.
pub struct Pusher {
    vapid: Vapid,
    http: reqwest::Client,
    /// The `sub` of the VAPID token (`vapid::subject`).
    subject: Option<String>,
    /// Where endpoints may be.
    services: PushServices,
}

/// What one browser is told: the service worker (`assets/sw.js`) shows `title` and `body` and
/// opens `url` (a path of the dashboard) when the notification is clicked. `tag` is the
/// incident's id, so a newer notification of an incident replaces the older one on screen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    pub url: String,
    pub tag: String,
    pub event: NotificationEvent,
    #[serde(skip)]
    pub urgent: bool,
    /// Replaces a message still waiting at the push service (a browser offline).
    #[serde(skip)]
    pub topic: Option<String>,
}

/// What pushing to some subscriptions did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub delivered: usize,
    /// Subscriptions their push service said are gone (404, 410): to forget.
    pub gone: Vec<PushSubscriptionId>,
    /// Why the others failed: the service's host (never the endpoint: it is a capability) and
    /// the class of its answer only (see `push_one`).
    pub failures: Vec<String>,
    /// The latest `Retry-After` a push service asked for (429, 503).
    pub retry_after: Option<chrono::Duration>,
}

impl Pusher {
    pub fn new(
        vapid: Vapid,
        subject: Option<String>,
        services: PushServices,
    ) -> Result<Pusher, String> {
        let http = crate::outbound::client_builder()
            .timeout(crate::notify::send::TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Pusher {
            vapid,
            http,
            subject,
            services,
        })
    }

    /// Whether the server sends to `endpoint` (`services`); if not, why.
    pub fn check_endpoint(&self, endpoint: &url::Url) -> Result<(), String> {
        self.services.check(endpoint)
    }

    /// The application server key browsers subscribe with.
    pub fn public_key(&self) -> String {
        self.vapid.public_key()
    }

    /// Pushes `m` to each of `subscriptions`, one after the other (a user has a few).
    pub async fn push(
        &self,
        subscriptions: &[Subscription],
        m: &PushMessage,
        now: Timestamp,
    ) -> Outcome {
        let plaintext = serde_json::to_vec(m).expect("a message serializes");
        let mut outcome = Outcome::default();
        for s in subscriptions {
            match self.push_one(s, &plaintext, m, now).await {
                Ok(()) => outcome.delivered += 1,
                Err(Refusal::Gone) => outcome.gone.push(s.id),
                Err(Refusal::NotAllowed(text)) => {
                    outcome.failures.push(text);
                    outcome.gone.push(s.id);
                }
                Err(Refusal::Failed(text, retry_after)) => {
                    outcome.failures.push(text);
                    outcome.retry_after = outcome.retry_after.max(retry_after);
                }
            }
        }
        outcome
    }

    async fn push_one(
        &self,
        s: &Subscription,
        plaintext: &[u8],
        m: &PushMessage,
        now: Timestamp,
    ) -> Result<(), Refusal> {
        let failed = |text: String| Refusal::Failed(text, None);
        let endpoint = url::Url::parse(&s.endpoint).map_err(|_| failed("a bad endpoint".into()))?;
        let host = endpoint.host_str().unwrap_or("").to_owned();
        // Saved when the server allowed more (an older version, a `--push-service` removed
        // since): not sent, and forgotten, as the browser cannot be reached any more.
        self.services
            .check(&endpoint)
            .map_err(|why| Refusal::NotAllowed(format!("{host}: endpoint {why}; removed")))?;
        let keys = BrowserKeys {
            p256dh: &s.p256dh,
            auth: &s.auth,
        };
        let body = encrypt(&keys, plaintext).map_err(failed)?;
        let authorization = self
            .vapid
            .authorization(&endpoint, self.subject.as_deref(), now)
            .map_err(failed)?;
        let mut request = self
            .http
            .post(endpoint)
            .header("Content-Type", "application/octet-stream")
            .header("Content-Encoding", "aes128gcm")
            .header("TTL", TTL_SECONDS.to_string())
            .header("Urgency", if m.urgent { "high" } else { "normal" })
            .header("Authorization", authorization)
            .body(body);
        if let Some(topic) = &m.topic {
            request = request.header("Topic", topic);
        }
        // Which of connection refused, timed out, TLS or DNS failed stays in the log: told to
        // the member, they would tell what listens on the host's ports.
        let response = request.send().await.map_err(|e| {
            let e = e.without_url();
            log::warn!(
                "web push to {host} failed: {}",
                crate::outbound::root_cause(&e)
            );
            failed(format!("{host}: unreachable"))
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Err(Refusal::Gone);
        }
        // Read as for every kind (bounded, a date measured from the answer's own `Date`).
        let retry_after = crate::notify::failure::retry_hint(response.headers(), b"");
        // The class of the status only, not the body nor the exact code: what a host answers
        // tells what runs there, and the member who named the endpoint reads this.
        log::info!("web push to {host} refused: HTTP {status}");
        Err(Refusal::Failed(
            format!("{host}: refused: HTTP {}xx", status.as_u16() / 100),
            retry_after,
        ))
    }
}

enum Refusal {
    Gone,
    /// Not on an allowed push service (`services`).
    NotAllowed(String),
    Failed(String, Option<chrono::Duration>),
}
