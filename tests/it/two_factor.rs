//! Two-factor sign-in against the real server: enrolment, the second step of the login with codes
//! computed here (HMAC-SHA1, independently of the server's code) on a manual clock, recovery
//! codes, the throttle, the organization's requirement, the CLI, and reverse-proxy sign-in.

mod enrolment;
mod policy;
mod proxy;

use dutyduck::clock::Clock;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestServer, at};

/// A server on a manual clock at a fixed instant.
async fn server() -> TestServer {
    TestServer::start_with_clock(Clock::manual(at("2026-03-02T10:00:05Z"))).await
}

/// The RFC 6238 code of `secret` (base32) at the server's current time.
fn totp(server: &TestServer, secret_base32: &str) -> String {
    let key = data_encoding::BASE32_NOPAD
        .decode(secret_base32.as_bytes())
        .unwrap();
    let step = server.clock.now().timestamp() / 30;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[19] & 0x0f) as usize;
    let value = u32::from_be_bytes(hash[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

/// A request as the dashboard sends it with its cookie (same origin).
async fn dashboard(
    server: &TestServer,
    cookie: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = server
        .request(method, path)
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin");
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `/auth/login`: the status, the cookie pair when a session was opened, and the body.
async fn login(server: &TestServer, email: &str) -> (StatusCode, Option<String>, Value) {
    post_login(
        server,
        "/auth/login",
        json!({"email": email, "password": PASSWORD}),
    )
    .await
}

async fn post_login(
    server: &TestServer,
    path: &str,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    let resp = server
        .request(Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    outcome(resp).await
}

/// A sign-in's answer: the status, the cookie pair when a session was opened, and the body.
async fn outcome(resp: reqwest::Response) -> (StatusCode, Option<String>, Value) {
    let status = resp.status();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    (status, cookie, resp.json().await.unwrap_or(Value::Null))
}

/// `/auth/login/two-factor` with the challenge and a `code` or `recoveryCode`.
async fn answer(
    server: &TestServer,
    challenge: &Value,
    field: &str,
    value: impl serde::Serialize,
) -> (StatusCode, Option<String>, Value) {
    let mut body = json!({ "challenge": challenge });
    body[field] = json!(value);
    post_login(server, "/auth/login/two-factor", body).await
}

/// Enrols `email` (signed in as `cookie`); returns the base32 key and the recovery codes.
async fn enrol(server: &TestServer, cookie: &str) -> (String, Vec<String>) {
    let (status, enrolment) =
        dashboard(server, cookie, Method::POST, "/users/me/two-factor", None).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let code = totp(server, &secret);
    let (status, confirmed) = dashboard(
        server,
        cookie,
        Method::POST,
        "/users/me/two-factor/confirm",
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let codes = confirmed["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Password then code: the session cookie of a user with two-factor sign-in.
async fn sign_in_with_code(server: &TestServer, email: &str, secret: &str) -> String {
    let (status, cookie, body) = login(server, email).await;
    assert_eq!((status, cookie), (StatusCode::OK, None), "{body}");
    let (status, cookie, body) =
        answer(server, &body["challenge"], "code", totp(server, secret)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cookie.expect("a session cookie")
}
