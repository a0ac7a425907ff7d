//! The wrapper's HTTP calls: start, heartbeat, read and finish one task's run. Each call gives up
//! after `CALL_TIMEOUT`: a slow or absent server must never hold the job.

use std::fmt;
use std::time::Duration;

use reqwest::{Client, Method, RequestBuilder, StatusCode, Url};
use serde::{Deserialize, Serialize};

use crate::outbound::root_cause;

/// How long one call may take, connection included.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// `POST /tasks/{id}/start`'s body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartBody {
    pub new_task: Option<NewTask>,
    pub abort_previous_running_task: bool,
}

/// The task to create when it does not exist yet (`--create`); unset fields take the server's
/// defaults.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    pub name: String,
    pub description: Option<String>,
    pub cron_schedule: Option<String>,
    pub timezone: Option<String>,
}

/// `POST /tasks/{id}/finish`'s body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FinishBody {
    /// The run it ends: never a replacement started meanwhile.
    pub started_at: String,
    pub status: &'static str,
    pub exit_code: Option<i32>,
    pub error_message: Option<String>,
    pub output: Option<String>,
}

/// The fields of a run the wrapper reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The run's identity, used verbatim in `/tasks/{id}/runs/{startedAt}`.
    pub started_at: String,
    /// The run is declared dead after this long without a heartbeat.
    #[serde(default)]
    pub heartbeat_timeout_seconds: Option<u32>,
}

/// Why a call failed: no connection, no answer in time, or an answer other than 2xx.
#[derive(Debug)]
pub enum CallError {
    /// No connection, or an answer that makes no sense: the message says which.
    Failed(String),
    TimedOut,
    Refused(StatusCode, String),
}

impl CallError {
    /// Worth trying again at once: the server may be restarting. One that does not answer in
    /// time is not tried again, so that a hanging server keeps the wrapper only `CALL_TIMEOUT`.
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::Failed(_) => true,
            CallError::TimedOut => false,
            CallError::Refused(status, _) => status.is_server_error(),
        }
    }

    pub fn status(&self) -> Option<StatusCode> {
        match self {
            CallError::Refused(status, _) => Some(*status),
            CallError::Failed(_) | CallError::TimedOut => None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Failed(why) => f.write_str(why),
            CallError::TimedOut => write!(
                f,
                "the server did not answer within {} s",
                CALL_TIMEOUT.as_secs()
            ),
            CallError::Refused(status, message) => {
                write!(f, "the server answered {status}: {message}")
            }
        }
    }
}

/// A client for one task of one server, with one token.
pub struct Api {
    client: Client,
    base: Url,
    task: String,
    token_id: String,
    token_secret: String,
}

impl Api {
    /// Checks the settings; the error says what to fix.
    pub fn new(
        server: &str,
        task: &str,
        token_id: String,
        token_secret: String,
    ) -> Result<Api, String> {
        let base = Url::parse(server.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or_else(|| format!("the server URL {server:?} is not an http(s) URL"))?;
        Ok(Api {
            client: client()?,
            base,
            task: task.to_owned(),
            token_id,
            token_secret,
        })
    }

    pub async fn start(&self, body: &StartBody) -> Result<Run, CallError> {
        let req = with_json(self.request(Method::POST, &["start"]), body);
        serde_json::from_slice(&send(req).await?)
            .map_err(|e| CallError::Failed(format!("unexpected answer to a start: {e}")))
    }

    /// A heartbeat for the run started at `started_at` only: once that run is replaced or
    /// declared dead, the server answers 400 instead of keeping another run alive.
    pub async fn heartbeat(&self, started_at: &str) -> Result<(), CallError> {
        let body = serde_json::json!({ "startedAt": started_at });
        send(with_json(self.request(Method::POST, &["heartbeat"]), &body))
            .await
            .map(drop)
    }

    pub async fn finish(&self, body: &FinishBody) -> Result<(), CallError> {
        send(with_json(self.request(Method::POST, &["finish"]), body))
            .await
            .map(drop)
    }

    /// `{base}/tasks/{task}/{tail…}`, each segment percent-encoded (a task id may hold `/` or
    /// `?`), keeping any path the base has (a server behind a reverse proxy's prefix).
    fn url(&self, tail: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push("tasks")
                .push(&self.task)
                .extend(tail);
        }
        url
    }

    fn request(&self, method: Method, tail: &[&str]) -> RequestBuilder {
        self.client
            .request(method, self.url(tail))
            .header("X-Api-Token-Id", &self.token_id)
            .header("X-Api-Token-Secret-Key", &self.token_secret)
    }
}

/// The system's trust store first: a self-hosted server often has a certificate from a company
/// CA installed there. Where the system has no store (a scratch container: reqwest then refuses
/// to build), the bundled roots every other outbound client uses.
fn client() -> Result<Client, String> {
    let bundled = crate::outbound::client_builder(); // also installs the crypto provider
    Client::builder()
        .user_agent(crate::outbound::USER_AGENT)
        .timeout(CALL_TIMEOUT)
        .build()
        .or_else(|_| bundled.timeout(CALL_TIMEOUT).build())
        .map_err(|e| format!("cannot set up HTTPS: {}", root_cause(&e)))
}

/// reqwest is built without its `json` feature (the server never needed it).
fn with_json(req: RequestBuilder, body: &impl Serialize) -> RequestBuilder {
    match serde_json::to_vec(body) {
        Ok(bytes) => req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes),
        // Plain structs of strings and numbers always serialize; an empty body would be a 422.
        Err(_) => req,
    }
}

/// Sends, and returns the body of a 2xx answer.
async fn send(req: RequestBuilder) -> Result<bytes::Bytes, CallError> {
    let unreachable = |e: reqwest::Error| match e.is_timeout() {
        true => CallError::TimedOut,
        false => CallError::Failed(format!("cannot reach the server: {}", root_cause(&e))),
    };
    let resp = req.send().await.map_err(unreachable)?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(unreachable)?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(CallError::Refused(status, error_message(&body)))
    }
}

/// The message of a `{"error": {"code", "message"}}` body, or the start of whatever came.
fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Body {
        error: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        message: String,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(b) => b.error.message,
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(server: &str, task: &str) -> Api {
        Api::new(server, task, "id".into(), "secret".into()).unwrap()
    }

    #[test]
    fn task_ids_are_encoded_and_a_base_path_is_kept() {
        let a = api("http://127.0.0.1:8080", "backup/db?x#1%");
        assert_eq!(
            a.url(&["start"]).as_str(),
            "http://127.0.0.1:8080/tasks/backup%2Fdb%3Fx%231%25/start"
        );
        let a = api("https://example.com/dutyduck/", "nightly");
        assert_eq!(
            a.url(&["runs", "2026-01-01T00:00:00.000+01:00"]).as_str(),
            "https://example.com/dutyduck/tasks/nightly/runs/2026-01-01T00:00:00.000+01:00"
        );
    }

    #[test]
    fn only_http_urls_are_servers() {
        for bad in [
            "",
            "localhost:8080",
            "ftp://example.com",
            "mailto:a@b.c",
            "http://",
        ] {
            assert!(
                Api::new(bad, "t", "i".into(), "s".into()).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn error_bodies_give_their_message() {
        assert_eq!(
            error_message(
                br#"{"error": {"code": "task_running", "message": "Task already started"}}"#
            ),
            "Task already started"
        );
        assert_eq!(error_message(b"Bad Gateway"), "Bad Gateway");
    }
}
