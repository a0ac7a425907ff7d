//! The audit log end to end: each kind of change leaves one entry (who, when, from where, what)
//! written with the change, never a secret; reading, filtering, paging and exporting it; who may;
//! retention on the manual clock.

mod entries;
mod reading;
mod resources;
mod teams;

use dutyduck::clock::Clock;
use serde_json::Value;

use crate::common::{TestServer, Token, at};

/// The moment every test starts at: entries carry the app clock's time.
pub const START: &str = "2026-11-20T10:00:00Z";

/// A server on a manual clock, and Ada (Owner of Acme) with a token.
pub async fn start() -> (TestServer, Token) {
    let server = TestServer::start_with_clock(Clock::manual(at(START))).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    (server, ada)
}

/// Every entry of the log `query` selects (newest first), through the pages.
pub async fn entries(server: &TestServer, token: &Token, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let sep = if query.is_empty() { "" } else { "&" };
        let body = server
            .as_(token)
            .get_ok(&format!(
                "/audit-log?{query}{sep}itemsPerPage=50&pageNumber={page}"
            ))
            .await;
        let items = body["items"].as_array().unwrap().clone();
        let done = items.len() < 50;
        all.extend(items);
        if done {
            return all;
        }
    }
    unreachable!()
}

/// The newest entry of `resource_type`/`action` (panics, listing the log, when there is none).
pub fn one<'a>(log: &'a [Value], resource_type: &str, action: &str) -> &'a Value {
    let found: Vec<&Value> = log
        .iter()
        .filter(|e| e["resourceType"] == resource_type && e["action"] == action)
        .collect();
    assert!(
        !found.is_empty(),
        "{resource_type} {action} in {:#?}",
        log.iter()
            .map(|e| format!("{} {}", e["resourceType"], e["action"]))
            .collect::<Vec<_>>()
    );
    found[0]
}

/// `email` signs in and renames themselves from the dashboard (the session cookie).
pub async fn rename(server: &TestServer, email: &str, first: &str, last: &str) {
    let cookie = server.session_cookie(email).await;
    let resp = server
        .session(&cookie)
        .request(reqwest::Method::PUT, "/users/me")
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({"firstName": first, "lastName": last}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        reqwest::StatusCode::OK,
        "{}",
        resp.text().await.unwrap()
    );
}
