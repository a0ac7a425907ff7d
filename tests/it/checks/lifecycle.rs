//! One monitor of any kind watched through the API on a manual clock, with a webhook channel
//! that receives its notifications: what every kind's up → down → up test shares.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::receivers::{Behaviour, HttpReceiver, Received};
use crate::common::{TestServer, Token};
use crate::monitors::{create, monitor, tick};
use chrono::Utc;
use dutyduck::clock::Clock;

pub(crate) struct Watched {
    pub server: TestServer,
    pub token: Token,
    pub id: String,
    hook: HttpReceiver,
    heard: usize,
}

impl Watched {
    /// A monitor created from `body` (its kind and settings), checked every minute, down at
    /// the first failure and up at the first success; its first check has run.
    pub async fn start(body: Value) -> Watched {
        let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
        let token = server.user_with_token("ada@example.com", "Acme");
        let hook = HttpReceiver::start(Behaviour::Accept).await;
        server
            .as_(&token)
            .create(
                "/notification-channels",
                json!({"name": "Ops", "kind": "webhook", "config": {"url": hook.url("/hook")}}),
            )
            .await;
        let mut body = body;
        let common = json!({"intervalSeconds": 60, "downtimeConfirmationThreshold": 1,
                            "recoveryConfirmationThreshold": 1});
        for (k, v) in common.as_object().unwrap() {
            body[k] = v.clone();
        }
        let id = create(&server, &token, body).await;
        tick(&server, &token, &[&id], 5).await;
        Watched {
            server,
            token,
            id,
            hook,
            heard: 0,
        }
    }

    /// The monitor as `GET /monitors/{id}` shows it.
    pub async fn get(&self) -> Value {
        monitor(&self.server, &self.token, &self.id).await
    }

    /// The next check, a minute later; the monitor after it.
    pub async fn check(&self) -> Value {
        tick(&self.server, &self.token, &[&self.id], 60).await;
        self.get().await
    }

    /// The next check fails with `error_kind`: the monitor is down, its incident ongoing with
    /// that cause, and the webhook hears of it, naming what is checked. Returns the monitor.
    pub async fn goes_down(&mut self, error_kind: &str) -> Value {
        let m = self.check().await;
        assert_eq!(m["monitor"]["status"], "down", "{m}");
        assert_eq!(m["monitor"]["errorKind"], error_kind, "{m}");
        let incident = &m["ongoingIncident"];
        assert_eq!(incident["status"], "ongoing");
        assert_eq!(incident["cause"]["lastPing"]["errorKind"], error_kind);
        let opened = self.heard("opened").await;
        assert_eq!(opened["incident"]["id"], incident["id"]);
        assert_eq!(opened["source"]["url"], m["monitor"]["target"]);
        m
    }

    /// The next check passes: the monitor is up, the incident resolved, and the webhook hears
    /// of it. Returns the monitor.
    pub async fn comes_back(&mut self) -> Value {
        let m = self.check().await;
        assert_eq!(m["monitor"]["status"], "up", "{m}");
        assert!(m["ongoingIncident"].is_null(), "{m}");
        self.heard("resolved").await;
        m
    }

    /// `POST /monitors` with `body` is a 422 whose message starts with `field`.
    pub async fn create_refused(&self, body: Value, field: &str) {
        let (status, error) = self
            .server
            .as_(&self.token)
            .post("/monitors", body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }

    /// `PATCH` of this monitor with `body` is a 422 whose message starts with `field`.
    pub async fn patch_refused(&self, body: Value, field: &str) {
        let path = format!("/monitors/{}", self.id);
        let (status, error) = self
            .server
            .as_(&self.token)
            .patch(&path, body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }

    async fn heard(&mut self, event: &str) -> Value {
        self.heard += 1;
        let request: Received = self.hook.wait_for(self.heard).await[self.heard - 1].clone();
        assert_eq!(request.header("x-dutyduck-event"), Some(event));
        request.json()
    }
}
