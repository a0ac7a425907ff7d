//! The probe's two calls to its server, each with the probe token and the probe's clock
//! (`X-Probe-Time`, from which the server measures the skew it shows).

use std::time::Duration;

use chrono::SecondsFormat;
use reqwest::{Client, StatusCode, Url};

use crate::clock::Clock;
use crate::monitors::remote::Recorded;
use crate::outbound::root_cause;
use crate::probes::wire::{Assignments, PROBE_TIME_HEADER, ResultBatch};

/// How long the server may hold a long poll before answering the same list.
pub const WAIT_SECONDS: u64 = 25;

/// How long one call may take beyond the long poll's wait.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// No connection, no answer in time, or an answer that makes no sense.
    Unreachable(String),
    /// An answer other than 2xx.
    Refused(StatusCode, String),
}

impl CallError {
    /// The server does not take this probe's token (revoked, replaced, or the probe removed).
    pub fn is_token_refused(&self) -> bool {
        matches!(self, CallError::Refused(s, _) if *s == StatusCode::UNAUTHORIZED || *s == StatusCode::FORBIDDEN)
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Unreachable(why) => f.write_str(why),
            CallError::Refused(status, body) => write!(f, "the server answered {status}: {body}"),
        }
    }
}

pub struct Api {
    client: Client,
    base: Url,
    token: String,
    clock: Clock,
}

impl Api {
    pub fn new(base: Url, token: String, clock: Clock) -> Result<Api, String> {
        // The `run` wrapper's reasoning holds here too: the system's trust store first (a
        // self-hosted server may have a company CA's certificate), the bundled roots where
        // there is none.
        let bundled = crate::outbound::client_builder();
        let client = Client::builder()
            .user_agent(crate::outbound::USER_AGENT)
            .build()
            .or_else(|_| bundled.build())
            .map_err(|e| format!("cannot set up HTTPS: {}", root_cause(&e)))?;
        Ok(Api {
            client,
            base,
            token,
            clock,
        })
    }

    fn url(&self, tail: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(tail);
        }
        url
    }

    fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        let now = self
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        self.client
            .request(method, url)
            .bearer_auth(&self.token)
            .header(PROBE_TIME_HEADER, now)
    }

    /// `GET /probe/assignments`: at once without a version, else when the list changes or after
    /// `WAIT_SECONDS`.
    pub async fn assignments(&self, version: Option<&str>) -> Result<Assignments, CallError> {
        let mut url = self.url(&["probe", "assignments"]);
        url.query_pairs_mut()
            .append_pair("version", version.unwrap_or(""))
            .append_pair("waitSeconds", &WAIT_SECONDS.to_string());
        let req = self
            .request(reqwest::Method::GET, url)
            .timeout(Duration::from_secs(WAIT_SECONDS) + CALL_TIMEOUT);
        parse(&send(req).await?)
    }

    /// `POST /probe/results`.
    pub async fn results(&self, batch: &ResultBatch) -> Result<Recorded, CallError> {
        let body = serde_json::to_vec(batch).map_err(|e| CallError::Unreachable(e.to_string()))?;
        let req = self
            .request(reqwest::Method::POST, self.url(&["probe", "results"]))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .timeout(CALL_TIMEOUT);
        parse(&send(req).await?)
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CallError> {
    serde_json::from_slice(body)
        .map_err(|e| CallError::Unreachable(format!("unexpected answer from the server: {e}")))
}

async fn send(req: reqwest::RequestBuilder) -> Result<bytes::Bytes, CallError> {
    let unreachable = |e: reqwest::Error| {
        CallError::Unreachable(format!("cannot reach the server: {}", root_cause(&e)))
    };
    let resp = req.send().await.map_err(unreachable)?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(unreachable)?;
    if status.is_success() {
        return Ok(body);
    }
    let text: String = String::from_utf8_lossy(&body).chars().take(200).collect();
    Err(CallError::Refused(status, text))
}
