//! Real receivers for notifications, on 127.0.0.1:0: an HTTP endpoint (webhooks, Slack,
//! Discord, ntfy all POST to it) that records every request and answers as the test says, and
//! a small SMTP server that records every e-mail. They stand in for the outside world, so the
//! tests see exactly what a receiver would: headers, raw bytes, retries.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use warp::Filter;
use warp::http::HeaderMap;

use super::eventually;
use dutyduck::notify::send::SmtpSettings;

/// How the HTTP receiver answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Behaviour {
    /// 200.
    Accept,
    /// 500 to the first N requests, then 200: a receiver that was down for a while.
    FailFirst(usize),
    /// Never answers: only the sender's timeout ends the request.
    Hang,
}

/// One scripted answer: what a provider says (PagerDuty's 202 with its dedup key, Telegram's
/// 429 with `retry_after`, a `Retry-After` header…).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: Value) -> Answer {
        let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The answers of a scripted receiver: `first`, one per request in turn, then `then` for ever.
struct Script {
    first: std::collections::VecDeque<Answer>,
    then: Answer,
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// The query string, without its `?` (empty without one).
    pub query: String,
    /// Names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// What the receiver answered; None while it hangs.
    pub status: Option<u16>,
    /// When it arrived (real time), to measure delays.
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

struct HttpState {
    behaviour: Behaviour,
    /// When set, requests whose `X-Dutyduck-Signature` does not verify are refused with 401,
    /// as a careful receiver would.
    secret: Option<String>,
    /// When set, it answers instead of `behaviour`.
    script: Option<Mutex<Script>>,
    received: Mutex<Vec<Received>>,
}

pub struct HttpReceiver {
    pub addr: SocketAddr,
    state: Arc<HttpState>,
    server: JoinHandle<()>,
}

impl Drop for HttpReceiver {
    fn drop(&mut self) {
        // No graceful shutdown: a hanging request would hold it for ever.
        self.server.abort();
    }
}

impl HttpReceiver {
    pub async fn start(behaviour: Behaviour) -> HttpReceiver {
        HttpReceiver::serve(behaviour, None).await
    }

    /// A receiver that checks webhook signatures with `secret` (and accepts valid ones).
    pub async fn verifying(secret: &str) -> HttpReceiver {
        HttpReceiver::serve(Behaviour::Accept, Some(secret.to_owned())).await
    }

    /// A receiver that plays a provider: `first` answers the first requests in turn, then
    /// `then` answers every other.
    pub async fn scripted(first: Vec<Answer>, then: Answer) -> HttpReceiver {
        let script = Script {
            first: first.into(),
            then,
        };
        HttpReceiver::start_with(Behaviour::Accept, None, Some(Mutex::new(script))).await
    }

    async fn serve(behaviour: Behaviour, secret: Option<String>) -> HttpReceiver {
        HttpReceiver::start_with(behaviour, secret, None).await
    }

    async fn start_with(
        behaviour: Behaviour,
        secret: Option<String>,
        script: Option<Mutex<Script>>,
    ) -> HttpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(HttpState {
            behaviour,
            secret,
            script,
            received: Mutex::new(Vec::new()),
        });
        let shared = state.clone();
        let routes = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .and_then(
                move |method, path: warp::path::FullPath, query, headers, body| {
                    let state = shared.clone();
                    async move {
                        let path = (path.as_str(), query);
                        let answer = answer(&state, method, path, &headers, body).await;
                        let mut reply = warp::http::Response::builder().status(answer.status);
                        for (name, value) in &answer.headers {
                            reply = reply.header(name, value);
                        }
                        Ok::<_, std::convert::Infallible>(reply.body(answer.body).unwrap())
                    }
                },
            );
        let server = tokio::spawn(warp::serve(routes).incoming(listener).run());
        HttpReceiver {
            addr,
            state,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; returns them all, in order of arrival.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        eventually(&format!("{n} request(s) at {}", self.addr), || async {
            let all = self.received();
            (all.len() >= n).then_some(all)
        })
        .await
    }
}

/// Records the request, then answers per the receiver's behaviour (or hangs).
async fn answer(
    state: &HttpState,
    method: warp::http::Method,
    (path, query): (&str, String),
    headers: &HeaderMap,
    body: bytes::Bytes,
) -> Answer {
    let headers: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let verdict = match &state.secret {
        Some(secret) => {
            let header = headers
                .get("x-dutyduck-signature")
                .map(String::as_str)
                .unwrap_or("");
            verify_signature(secret, header, &body, chrono::Utc::now().timestamp())
        }
        None => Ok(()),
    };
    // Decided and recorded in one step, so a test never reads a request without its answer.
    let answer = {
        let mut received = state.received.lock().unwrap();
        let plain = |status: u16, body: String| Answer {
            status,
            headers: Vec::new(),
            body,
        };
        let answer = match (&verdict, state.behaviour, &state.script) {
            (Err(why), _, _) => Some(plain(401, why.clone())),
            (Ok(()), _, Some(script)) => {
                let mut script = script.lock().unwrap();
                let then = script.then.clone();
                Some(script.first.pop_front().unwrap_or(then))
            }
            (Ok(()), Behaviour::Hang, None) => None,
            (Ok(()), Behaviour::FailFirst(n), None) if received.len() < n => Some(plain(
                500,
                format!("planned failure {}", received.len() + 1),
            )),
            (Ok(()), _, None) => Some(plain(200, "ok".to_owned())),
        };
        received.push(Received {
            method: method.to_string(),
            path: path.to_owned(),
            query,
            headers,
            body: body.to_vec(),
            status: answer.as_ref().map(|a| a.status),
            at: Instant::now(),
        });
        answer
    };
    match answer {
        Some(answer) => answer,
        None => std::future::pending().await,
    }
}

/// What a webhook receiver does with `X-Dutyduck-Signature: t=<unix>,v1=<hex>`: recompute
/// HMAC-SHA256(secret, "<t>.<raw body>"), compare in constant time, and refuse timestamps more
/// than 5 minutes away from its own clock (a replayed old delivery).
pub fn verify_signature(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), String> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err(format!("malformed signature {header:?}"));
    };
    if (now - t).abs() > 300 {
        return Err(format!("signature timestamp {t} is too far from {now}"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1)
        .map_err(|_| "signature mismatch".to_owned())
}

/// One e-mail as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope: `MAIL FROM` and each `RCPT TO`, without angle brackets.
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after `DATA` (dot-stuffing undone), CRLF line ends.
    pub data: String,
}

impl Mail {
    fn split(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""))
    }

    /// A header's value, folded lines joined.
    pub fn header(&self, name: &str) -> Option<String> {
        let unfolded = self.split().0.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The body as the reader sees it: transfer encoding undone, `\n` line ends.
    pub fn body(&self) -> String {
        let raw = self.split().1;
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => decode_quoted_printable(raw),
            "base64" => decode_base64(raw),
            _ => raw.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    }
}

/// RFC 2045 §6.7: `=XX` is a byte, `=` at a line end is a soft break.
fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// RFC 4648 base64, line breaks ignored.
fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let value = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// An SMTP server that accepts every message (no TLS, no AUTH), as a relay on the LAN would.
pub struct SmtpReceiver {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    server: JoinHandle<()>,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl SmtpReceiver {
    pub async fn start() -> SmtpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let shared = mails.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mails = shared.clone();
                tokio::spawn(async move {
                    if let Err(e) = smtp_session(stream, &mails).await {
                        eprintln!("SMTP receiver: {e}");
                    }
                });
            }
        });
        SmtpReceiver {
            port,
            mails,
            server,
        }
    }

    /// What dutyduck is started with to send through this server.
    pub fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            url: format!("smtp://127.0.0.1:{}", self.port),
            from: "dutyduck <duck@example.com>".into(),
        }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until at least `n` e-mails arrived; returns them all, in order of arrival.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        eventually(&format!("{n} e-mail(s)"), || async {
            let all = self.mails();
            (all.len() >= n).then_some(all)
        })
        .await
    }
}

/// The address inside `<…>` of `MAIL FROM:<a@b> …` or `RCPT TO:<a@b>`.
fn angle_address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_owned()
}

/// One SMTP conversation (RFC 5321, the commands a client without TLS or AUTH sends).
async fn smtp_session(stream: TcpStream, mails: &Mutex<Vec<Mail>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 receiver ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-receiver greets you\r\n250 HELP\r\n",
            "HELO" => b"250 receiver\r\n",
            "MAIL" => {
                from = angle_address(&line);
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(angle_address(&line));
                b"250 OK\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-stuffing: a line starting with "." was sent with one more.
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mails.lock().unwrap().push(Mail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK: queued\r\n"
            }
            "RSET" => {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}
