//! The TCP kind: up when a connection to host:port opens within the timeout; optionally sends
//! a line and expects a substring in the first bytes read (an SMTP `220`, an SSH banner).

use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout_at;

use super::CheckKind;
use super::endpoint::{self, HOST_PATTERN, MAX_HOST};
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;
use crate::monitors::redact::HIDDEN;

/// How much of the reply is read while looking for `expect`.
const MAX_REPLY: usize = 1024;
/// How much of the reply the check result keeps.
const SHOWN_REPLY: usize = 200;
/// Once a reply has started, how long a pause ends it: a banner is judged by its first bytes,
/// not by waiting for the whole timeout on a server that keeps the connection open.
const REPLY_PAUSE: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TcpInput {
    /// Host name or IP address; required on create.
    #[schemars(length(min = 1, max = MAX_HOST), regex(pattern = HOST_PATTERN))]
    pub host: Option<String>,
    /// 1 to 65535; required on create.
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u32>,
    /// A line sent once connected (followed by CRLF); null sends nothing.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = limits::SHORT), regex(pattern = limits::LINE_OR_EMPTY))]
    pub send: Option<Option<String>>,
    /// Text the first bytes read must contain (e.g. "220" or "SSH-"); null: connecting is enough.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = limits::SHORT), regex(pattern = limits::LINE_OR_EMPTY))]
    pub expect: Option<Option<String>>,
}

/// A TCP monitor's settings, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Shown flat beside the monitor's common fields: the monitor's schema closes the whole object.
#[schemars(extend("additionalProperties" = true))]
pub struct TcpSettings {
    pub host: String,
    pub port: u16,
    pub send: Option<String>,
    pub expect: Option<String>,
}

/// What a TCP check read, kept with its result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TcpDetails {
    /// The start of the reply, lossily decoded.
    reply: String,
}

impl CheckKind for TcpSettings {
    type Input = TcpInput;
    type Checker = ();
    const REQUIRED: &'static [&'static str] = &["host", "port"];

    fn create(input: TcpInput) -> Result<TcpSettings> {
        let host = input.host.clone().unwrap_or_default();
        let port = input
            .port
            .ok_or_else(|| Error::invalid_field("port", "is required"))?;
        let settings = TcpSettings {
            host: endpoint::host("host", &host)?,
            port: endpoint::port("port", port)?,
            send: None,
            expect: None,
        };
        settings.apply(input)
    }

    fn apply(mut self, input: TcpInput) -> Result<TcpSettings> {
        if let Some(host) = input.host {
            self.host = endpoint::host("host", &host)?;
        }
        if let Some(port) = input.port {
            self.port = endpoint::port("port", port)?;
        }
        if let Some(send) = input.send {
            self.send = limits::optional("send", send, limits::SHORT, limits::line)?;
        }
        if let Some(expect) = input.expect {
            self.expect = limits::optional("expect", expect, limits::SHORT, limits::line)?;
        }
        Ok(self)
    }

    fn target(&self) -> String {
        format!("tcp://{}", endpoint::authority(&self.host, self.port))
    }

    /// The line sent may carry credentials (`AUTH <password>` to Redis): readers see that
    /// there is one, not what it is, as with an HTTP request body.
    fn mask(&mut self) {
        if self.send.is_some() {
            self.send = Some(HIDDEN.into());
        }
    }

    async fn check(&self, _: &(), timeout: Duration) -> CheckOutcome {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + timeout;
        let mut stream = match timeout_at(
            deadline,
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return endpoint::connect_failed(&e, started),
            Err(_) => return endpoint::timed_out("no connection", timeout, started),
        };
        let connected_ms = endpoint::elapsed_ms(started);
        if let Some(line) = &self.send {
            let line = format!("{line}\r\n");
            match timeout_at(deadline, stream.write_all(line.as_bytes())).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return CheckOutcome::failed(
                        ErrorKind::Connect,
                        format!("connection closed while sending: {e}"),
                        endpoint::elapsed_ms(started),
                    );
                }
                Err(_) => return endpoint::timed_out("could not send", timeout, started),
            }
        }
        let Some(expected) = &self.expect else {
            return CheckOutcome::passed(connected_ms);
        };
        let (reply, ended) = read_until(&mut stream, expected, deadline).await;
        let elapsed = endpoint::elapsed_ms(started);
        let shown: String = reply.chars().take(SHOWN_REPLY).collect();
        let details = TcpDetails {
            reply: shown.clone(),
        };
        if reply.contains(expected.as_str()) {
            return CheckOutcome::passed(elapsed).with_details(details);
        }
        let outcome = match ended {
            ReadEnd::TimedOut if reply.is_empty() => endpoint::timed_out(
                &format!("no reply (expected {expected:?})"),
                timeout,
                started,
            ),
            _ => CheckOutcome {
                answered: !reply.is_empty(),
                ..CheckOutcome::failed(
                    ErrorKind::Assertion,
                    format!("expected {expected:?} in the reply, got {shown:?}"),
                    elapsed,
                )
            },
        };
        outcome.with_details(details)
    }
}

enum ReadEnd {
    Found,
    Closed,
    TimedOut,
    Full,
}

/// Reads until `expected` shows up, the peer closes, `MAX_REPLY` bytes, a pause once the reply
/// has started, or the deadline.
async fn read_until(
    stream: &mut TcpStream,
    expected: &str,
    deadline: tokio::time::Instant,
) -> (String, ReadEnd) {
    let mut buffer = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    loop {
        let reply = || String::from_utf8_lossy(&buffer).into_owned();
        if buffer.len() >= MAX_REPLY {
            return (reply(), ReadEnd::Full);
        }
        let until = if buffer.is_empty() {
            deadline
        } else {
            deadline.min(tokio::time::Instant::now() + REPLY_PAUSE)
        };
        match timeout_at(until, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (reply(), ReadEnd::Closed),
            Ok(Ok(n)) => {
                let take = n.min(MAX_REPLY - buffer.len());
                buffer.extend_from_slice(&chunk[..take]);
                if String::from_utf8_lossy(&buffer).contains(expected) {
                    return (
                        String::from_utf8_lossy(&buffer).into_owned(),
                        ReadEnd::Found,
                    );
                }
            }
            Err(_) => return (reply(), ReadEnd::TimedOut),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> TcpInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (r#"{"host": "db.internal", "port": 5432}"#, None),
            (r#"{"host": "::1", "port": 22, "expect": "SSH-"}"#, None),
            (r#"{"port": 22}"#, Some("host")),
            (r#"{"host": "db.internal"}"#, Some("port")),
            (r#"{"host": "db.internal", "port": 0}"#, Some("port")),
            (r#"{"host": "db.internal", "port": 65536}"#, Some("port")),
            (r#"{"host": "not a host", "port": 1}"#, Some("host")),
            (
                r#"{"host": "a.example", "port": 1, "send": "a\nb"}"#,
                Some("send"),
            ),
        ];
        for (json, field) in cases {
            let result = TcpSettings::create(input(json));
            match field {
                None => assert!(result.is_ok(), "{json}: {result:?}"),
                Some(field) => assert!(result.unwrap_err().message.starts_with(field), "{json}"),
            }
        }
    }

    #[test]
    fn targets_are_urls_and_blank_clears() {
        let s =
            TcpSettings::create(input(r#"{"host": "::1", "port": 25, "expect": "220"}"#)).unwrap();
        assert_eq!(s.target(), "tcp://[::1]:25");
        let cleared = s.apply(input(r#"{"expect": " "}"#)).unwrap();
        assert_eq!(cleared.expect, None);
    }

    #[test]
    fn readers_do_not_see_the_line_sent() {
        let mut s = TcpSettings::create(input(
            r#"{"host": "cache", "port": 6379, "send": "AUTH s3cret"}"#,
        ))
        .unwrap();
        s.mask();
        assert_eq!(s.send.as_deref(), Some(HIDDEN));
    }
}
