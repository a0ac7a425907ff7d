//! Who gets in: self sign-up under each `--signup` policy, a forgotten password reset through an
//! e-mailed link (a real SMTP receiver), and a user's own list of sessions, which they end.

use crate::common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::Value;

mod reset;
mod sessions;
mod signup;

/// A public POST as the dashboard sends it; returns the status, the session cookie it set
/// ("dd_session=…") and the JSON body.
pub(crate) async fn post_public(
    server: &TestServer,
    path: &str,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    post_from(server, path, body, "dutyduck tests").await
}

/// `post_public` from a browser with this User-Agent.
pub(crate) async fn post_from(
    server: &TestServer,
    path: &str,
    body: Value,
    user_agent: &str,
) -> (StatusCode, Option<String>, Value) {
    let resp = server
        .request(Method::POST, path)
        .header("origin", &server.base)
        .header("user-agent", user_agent)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .filter(|c| c != "dd_session=");
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        cookie,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A login with a browser's User-Agent; returns the cookie.
pub(crate) async fn login_as(server: &TestServer, email: &str, password: &str, ua: &str) -> String {
    let body = serde_json::json!({"email": email, "password": password});
    let (status, cookie, body) = post_from(server, "/auth/login", body, ua).await;
    assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
    cookie.expect("a session cookie")
}

/// A write with a session cookie, from the dashboard's origin.
pub(crate) async fn cookie_send(
    server: &TestServer,
    cookie: &str,
    method: Method,
    path: &str,
) -> (StatusCode, Value) {
    let resp = server
        .request(method, path)
        .header("cookie", cookie)
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
