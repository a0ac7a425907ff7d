//! Healthchecks' ping protocol and Uptime Kuma's push URLs, as the tools that speak them send
//! their requests: runitor's overlapping runs matched by `rid`, `Ping-Body-Limit`, slug URLs by
//! the organization's ping key with `?create=1`, chosen keys (UUIDs in any case), and
//! `/api/push/{pushToken}`. runitor itself is not in a package registry we can install from,
//! so its request sequence (read from its source: `POST /start?rid=R`, then `POST /{exitCode}?rid=R`
//! with the output tail as a `text/plain` body) is replayed here.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{TestServer, Token};

mod instant_runs;
mod kuma_push;
mod overlapping_runs;
mod ping_keys;
mod slug_urls;

/// What a ping answers.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

/// A ping as curl or runitor sends it: no credentials; `body` as runitor's `text/plain` POST.
pub async fn ping(server: &TestServer, path: &str, body: Option<&str>) -> Answer {
    let req = match body {
        Some(body) => server
            .request(Method::POST, path)
            .header("content-type", "text/plain")
            .body(body.to_owned()),
        None => server.request(Method::POST, path),
    };
    let resp = req.send().await.unwrap();
    Answer {
        status: resp.status(),
        headers: resp.headers().clone(),
        text: resp.text().await.unwrap(),
    }
}

/// A ping that must answer 200 `OK`.
pub async fn ping_ok(server: &TestServer, path: &str, body: Option<&str>) -> Answer {
    let answer = ping(server, path, body).await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (StatusCode::OK, "OK"),
        "{path}"
    );
    answer
}

/// The task's runs, newest first.
pub async fn runs(server: &TestServer, token: &Token, id: &str) -> Vec<Value> {
    let body = server.as_(token).get_ok(&format!("/tasks/{id}/runs")).await;
    body["runs"].as_array().unwrap().clone()
}

pub async fn task_status(server: &TestServer, token: &Token, id: &str) -> Value {
    server.as_(token).get_ok(&format!("/tasks/{id}")).await["task"]["status"].clone()
}
