//! Remote probes end to end on the real server: registering them (API and CLI), their tokens,
//! what a probe token opens (the probe protocol only), clock skew and "last seen", silence
//! incidents on the manual clock.
//!
//! The probe protocol and the monitor counts ask `monitors::locations`; these tests expect its
//! answers for probes no monitor selects (nothing assigned, every result ignored).

mod api;
mod auth;
mod cli;
mod long_poll;
mod protocol;
mod removal;
mod silence;

use crate::common::{TestServer, Token};
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A registered probe: its JSON as created and its token.
pub struct Probe {
    pub id: String,
    pub token: String,
}

/// Registers a probe through the API.
pub async fn add(server: &TestServer, admin: &Token, name: &str, labels: Value) -> Probe {
    let created = server
        .as_(admin)
        .create("/probes", json!({"name": name, "labels": labels}))
        .await;
    Probe {
        id: created["probe"]["id"].as_str().unwrap().to_owned(),
        token: created["token"].as_str().unwrap().to_owned(),
    }
}

/// A request of the probe protocol with `token`, its clock reading `probe_time`.
pub fn probe_request(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    probe_time: Option<DateTime<Utc>>,
) -> reqwest::RequestBuilder {
    let mut req = server
        .request(method, path)
        .header("Authorization", format!("Bearer {token}"));
    if let Some(t) = probe_time {
        req = req.header(
            "X-Probe-Time",
            t.to_rfc3339_opts(SecondsFormat::Millis, true),
        );
    }
    req
}

/// `GET /probe/assignments` answering at once; returns status and body.
pub async fn poll(
    server: &TestServer,
    token: &str,
    probe_time: Option<DateTime<Utc>>,
) -> (StatusCode, Value) {
    let resp = probe_request(
        server,
        Method::GET,
        "/probe/assignments?waitSeconds=0",
        token,
        probe_time,
    )
    .send()
    .await
    .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `GET /probe/assignments` waiting up to `wait_seconds` for another version than `version`.
pub fn wait(
    server: &TestServer,
    token: &str,
    version: &str,
    wait_seconds: u32,
) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + use<> {
    let path = format!("/probe/assignments?version={version}&waitSeconds={wait_seconds}");
    probe_request(server, Method::GET, &path, token, None).send()
}

/// The probe as its organization sees it.
pub async fn shown(server: &TestServer, admin: &Token, id: &str) -> Value {
    server.as_(admin).get_ok(&format!("/probes/{id}")).await
}

/// Now, to the second: tokens are made on the wall clock, so a manual clock starts near it.
pub fn whole_second_now() -> DateTime<Utc> {
    use chrono::DurationRound;
    Utc::now()
        .duration_trunc(chrono::Duration::seconds(1))
        .unwrap()
}

/// A timestamp of an answer.
pub fn time(v: &Value) -> DateTime<Utc> {
    crate::common::at(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
}
