//! Sending one notification on one channel: what its kind says to send (`channels`), over HTTP
//! or through the SMTP relay. Each send has its own timeout, so a slow receiver costs only its own delivery.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::channels::{ChannelConfig, Envelope, HttpRequest, Outgoing, truncate};
/// A failed send and the receiver's retry hint (defined in `failure.rs`, named here too since
/// `send` returns it).
pub use super::failure::Failure;
use super::failure::retry_hint;

/// How long one delivery may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a refusal's body is read, to quote it in the error.
const ERROR_BODY_BYTES: usize = 4096;

/// Sends notifications: one HTTP client, and the SMTP relay when the instance has one.
pub struct Sender {
    http: reqwest::Client,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, lettre::message::Mailbox)>,
}

/// The instance's SMTP settings: `--smtp-url` and `--smtp-from`.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
}

impl Sender {
    /// Whether e-mail channels can deliver anything: the server was started with `--smtp-url`.
    pub fn has_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    pub fn new(smtp: Option<&SmtpSettings>) -> Result<Sender, String> {
        let http = crate::outbound::client_builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let smtp = match smtp {
            None => None,
            Some(s) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url)
                    .map_err(|e| format!("--smtp-url: {e}"))?
                    .timeout(Some(TIMEOUT))
                    .build();
                let from = s.from.parse().map_err(|e| {
                    format!(
                        "--smtp-from {:?} is not a sender address ({e}); expected \
                             alerts@example.com or \"dutyduck <alerts@example.com>\"",
                        s.from
                    )
                })?;
                Some((transport, from))
            }
        };
        Ok(Sender { http, smtp })
    }

    /// Sends `e` on `channel`; `members` are the organization's addresses (for "all members").
    /// The error says what went wrong, for the timeline and the deliveries list, and when the
    /// receiver asked to be tried again.
    pub async fn send(
        &self,
        channel: &ChannelConfig,
        e: &Envelope<'_>,
        members: &[String],
    ) -> Result<(), Failure> {
        match channel.outgoing(e, members) {
            Outgoing::Http(request) => self.http(request).await,
            Outgoing::Email { to } => self.email(&to, e).await.map_err(Failure::from),
            Outgoing::HttpMany(requests) => self.http_many(requests).await,
            // Needs the members' subscriptions: the worker hands it to `push::deliver` instead.
            Outgoing::WebPush { .. } => {
                Err(Failure::from("web push is sent by notify::push::deliver"))
            }
        }
    }

    /// Each request in turn (not at once: an SMS provider counts requests per second); every
    /// one is tried, and the error names which failed by its place in the list, not by its
    /// address (a phone number is not for every reader of the timeline). Providers like Twilio
    /// take no idempotency key, so a retry texts again the numbers that already got the message:
    /// a duplicate SMS is better than a missed one. The longest retry hint of the failures is
    /// the one honoured.
    async fn http_many(&self, requests: Vec<HttpRequest>) -> Result<(), Failure> {
        if requests.is_empty() {
            return Err(Failure::from("no recipient"));
        }
        let total = requests.len();
        let mut failures = Vec::new();
        let mut retry_after = None;
        for (i, request) in requests.into_iter().enumerate() {
            if let Err(why) = self.http(request).await {
                failures.push(format!("#{}: {}", i + 1, hide_numbers(&why.text)));
                retry_after = retry_after.max(why.retry_after);
            }
        }
        match failures.is_empty() {
            true => Ok(()),
            false => Err(Failure {
                text: format!(
                    "{} of {total} requests failed: {}",
                    failures.len(),
                    failures.join("; ")
                ),
                retry_after,
            }),
        }
    }

    async fn http(&self, r: HttpRequest) -> Result<(), Failure> {
        let mut request = self
            .http
            .request(r.method, &r.url)
            .header("Content-Type", r.content_type)
            .body(r.body);
        for (name, value) in &r.headers {
            request = request.header(name, value);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| Failure::from(describe_http_error(e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        if status.is_success() {
            return Ok(());
        }
        // A little of the body explains the refusal; a receiver streaming an endless one must
        // not fill the server's memory, so reading stops there and the connection is dropped.
        let mut head = Vec::new();
        while head.len() < ERROR_BODY_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => head.extend_from_slice(&chunk),
                _ => break,
            }
        }
        let text = String::from_utf8_lossy(&head[..head.len().min(ERROR_BODY_BYTES)]).into_owned();
        Err(Failure {
            text: format!("HTTP {status}: {}", truncate(text.trim(), 200)),
            retry_after: retry_hint(&headers, &head),
        })
    }

    /// One plain-text e-mail to one person through the instance's relay: invitations and
    /// password resets, which are not incident notifications (no channel, no outbox).
    pub async fn account_email(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return Err("no SMTP server configured (--smtp-url)".into());
        };
        let mailbox = to.parse().map_err(|err| format!("{to:?}: {err}"))?;
        let mail = lettre::Message::builder()
            .from(from.clone())
            .to(mailbox)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|err| format!("cannot build the e-mail: {err}"))?;
        transport
            .send(mail)
            .await
            .map(drop)
            .map_err(|err| format!("SMTP: {err}"))
    }

    async fn email(&self, to: &[String], e: &Envelope<'_>) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return Err(
                "no SMTP server configured: start the server with --smtp-url and --smtp-from"
                    .into(),
            );
        };
        if to.is_empty() {
            return Err("no recipient".into());
        }
        let mut builder = lettre::Message::builder()
            .from(from.clone())
            .subject(&e.message.subject)
            .header(ContentType::TEXT_PLAIN);
        // Several recipients (all the members, say) do not see each other's addresses.
        let undisclosed = to.len() > 1;
        for address in to {
            let mailbox = address
                .parse()
                .map_err(|err| format!("{address:?}: {err}"))?;
            builder = match undisclosed {
                true => builder.bcc(mailbox),
                false => builder.to(mailbox),
            };
        }
        let mail = builder
            .body(e.message.text.clone())
            .map_err(|err| format!("cannot build the e-mail: {err}"))?;
        transport
            .send(mail)
            .await
            .map(drop)
            .map_err(|err| format!("SMTP: {err}"))
    }
}

/// `text` with phone numbers in E.164 replaced by `+…`: an SMS provider's refusal names the
/// number ("The 'To' number +336… is not a valid phone number"), which may be a member's own
/// (their preferences) and is not for every reader of the timeline.
fn hide_numbers(text: &str) -> String {
    static E164: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\+[0-9]{7,15}").expect("a valid pattern"));
    E164.replace_all(text, "+…").into_owned()
}

/// What went wrong, without the URL: a Slack or Discord webhook URL is itself a secret, and
/// errors reach the deliveries list and the incident timeline, which more people read.
fn describe_http_error(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", TIMEOUT.as_secs());
    }
    let kind = if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let e = e.without_url();
    // The innermost cause says why ("Connection refused", "dns error: …").
    let mut cause: &dyn std::error::Error = &e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    format!("{kind}: {cause}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refusal_naming_a_phone_number_does_not_show_it() {
        let refusal = r#"HTTP 400 Bad Request: {"code":21211,"message":"The 'To' number +33612345678 is not a valid phone number."}"#;
        let shown = super::hide_numbers(refusal);
        assert!(!shown.contains("612345678"), "{shown}");
        assert!(shown.contains("The 'To' number +… is not"), "{shown}");
        assert_eq!(super::hide_numbers("HTTP 503: busy"), "HTTP 503: busy");
    }
}
