//! Schedules beyond cron, end to end on the manual clock: a period counted from the last ping
//! with its grace (as Healthchecks), systemd OnCalendar lines in a time zone (daylight saving
//! included), the refusals, PATCH switching kinds, and the form's preview.

use crate::common::{TestServer, Token, at};
pub(crate) use crate::tasks::{task, wait_status};
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::Value;

mod inputs;
mod on_calendar;
mod period;

/// A server on the manual clock at `now`, with a user's token.
async fn start(now: &str) -> (Clock, TestServer, Token) {
    let clock = Clock::manual(at(now));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    (clock, server, token)
}

/// Creates a task; returns it with its ping key.
async fn create(server: &TestServer, token: &Token, body: Value) -> (Value, String) {
    let t = server.as_(token).create("/tasks", body).await;
    let key = t["pingKey"].as_str().unwrap().to_owned();
    (t, key)
}

/// A ping URL, as `curl -fsS URL` sends it: `suffix` is "", "/start", "/fail", "/log".
async fn ping(server: &TestServer, key: &str, suffix: &str) {
    let resp = server
        .request(Method::POST, &format!("/ping/{key}{suffix}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{suffix}");
}

/// The message of a 422, which starts with the field at fault.
fn refused(status: StatusCode, body: &Value) -> &str {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    body["error"]["message"].as_str().unwrap()
}
