//! The plain-text prelude of a STARTTLS check: the server's greeting, the client's request to
//! upgrade (SMTP `EHLO` then `STARTTLS`, IMAP `STARTTLS`, POP3 `STLS`) and the server's
//! agreement, after which the same socket carries the handshake. Every read is bounded and
//! ends at the check's deadline; a reply that is not the expected one is an `assertion`
//! failure quoting it.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout_at;

use super::Starttls;
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::endpoint;
use crate::monitors::model::ErrorKind;

/// The longest line read; longer ones are cut there.
const MAX_LINE: usize = 1024;
/// The most lines of one reply (an EHLO reply lists extensions, an IMAP server may send
/// untagged lines before its tagged answer).
const MAX_LINES: usize = 64;
/// How much of a reply a message quotes.
const QUOTED: usize = 200;
/// The tag of our one IMAP command.
const IMAP_TAG: &str = "a1";

/// Why the prelude did not lead to a handshake.
#[derive(Debug)]
pub(super) enum Failure {
    /// Nothing (or not all) of `what` came before the deadline.
    TimedOut(String),
    /// The server hung up or reset the connection.
    Closed(String),
    /// The server answered, not what STARTTLS needs: its reply is quoted.
    Refused(String),
}

impl Failure {
    pub(super) fn outcome(self, timeout: Duration, started: Instant) -> CheckOutcome {
        let elapsed = endpoint::elapsed_ms(started);
        match self {
            Failure::TimedOut(what) => endpoint::timed_out(&what, timeout, started),
            Failure::Closed(message) => CheckOutcome::failed(ErrorKind::Connect, message, elapsed),
            Failure::Refused(message) => CheckOutcome {
                answered: true,
                ..CheckOutcome::failed(ErrorKind::Assertion, message, elapsed)
            },
        }
    }
}

/// Upgrades `stream` with `protocol`'s STARTTLS: on Ok, the next bytes are the handshake's.
pub(super) async fn upgrade(
    stream: &mut TcpStream,
    protocol: Starttls,
    deadline: tokio::time::Instant,
) -> Result<(), Failure> {
    let helo = match stream.local_addr().map(|a| a.ip()) {
        Ok(std::net::IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        Ok(ip) => format!("[{ip}]"),
        Err(_) => "dutyduck".to_owned(),
    };
    let mut dialog = Dialog {
        stream,
        buffer: Vec::new(),
        deadline,
        protocol: protocol.name(),
    };
    match protocol {
        Starttls::Smtp => {
            let greeting = dialog.smtp_reply("greeting").await?;
            expect_code(&greeting, "220", "unexpected SMTP greeting")?;
            dialog.send(&format!("EHLO {helo}")).await?;
            let ehlo = dialog.smtp_reply("EHLO reply").await?;
            expect_code(&ehlo, "250", "EHLO refused")?;
            let offered = ehlo.iter().skip(1).any(|line| {
                line.get(4..)
                    .and_then(|keyword| keyword.split_whitespace().next())
                    .is_some_and(|keyword| keyword.eq_ignore_ascii_case("STARTTLS"))
            });
            if !offered {
                return Err(Failure::Refused(format!(
                    "the server does not offer STARTTLS (EHLO reply: {})",
                    quote(&ehlo)
                )));
            }
            dialog.send("STARTTLS").await?;
            let reply = dialog.smtp_reply("STARTTLS reply").await?;
            expect_code(&reply, "220", "STARTTLS refused")?;
        }
        Starttls::Imap => {
            let greeting = dialog.line("greeting").await?;
            if !starts_with_ignore_case(&greeting, "* OK") {
                return Err(Failure::Refused(format!(
                    "unexpected IMAP greeting: {}",
                    quote(&[greeting])
                )));
            }
            dialog.send(&format!("{IMAP_TAG} STARTTLS")).await?;
            let tagged = format!("{IMAP_TAG} ");
            let mut lines = 0;
            let answer = loop {
                let line = dialog.line("STARTTLS reply").await?;
                if starts_with_ignore_case(&line, &tagged) {
                    break line;
                }
                lines += 1;
                if lines >= MAX_LINES {
                    return Err(Failure::Refused(format!(
                        "no answer to STARTTLS in {MAX_LINES} lines (last: {})",
                        quote(&[line])
                    )));
                }
            };
            if !starts_with_ignore_case(&answer[tagged.len()..], "OK") {
                return Err(Failure::Refused(format!(
                    "STARTTLS refused: {}",
                    quote(&[answer])
                )));
            }
        }
        Starttls::Pop3 => {
            let greeting = dialog.line("greeting").await?;
            if !greeting.starts_with("+OK") {
                return Err(Failure::Refused(format!(
                    "unexpected POP3 greeting: {}",
                    quote(&[greeting])
                )));
            }
            dialog.send("STLS").await?;
            let reply = dialog.line("STLS reply").await?;
            if !reply.starts_with("+OK") {
                return Err(Failure::Refused(format!(
                    "STLS refused: {}",
                    quote(&[reply])
                )));
            }
        }
    }
    // Bytes after the agreement would be taken as the server's first TLS bytes by nobody: a
    // server (or a man in the middle) injecting them is refused.
    if !dialog.buffer.is_empty() {
        return Err(Failure::Refused(format!(
            "the server sent data after agreeing to STARTTLS: {}",
            quote(&[String::from_utf8_lossy(&dialog.buffer).into_owned()])
        )));
    }
    Ok(())
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// The reply's lines, joined and quoted, at most `QUOTED` characters.
fn quote(lines: &[String]) -> String {
    let text: String = lines.join(" ").chars().take(QUOTED).collect();
    format!("{text:?}")
}

/// A reply whose code is not `code` is refused with `what`.
fn expect_code(reply: &[String], code: &str, what: &str) -> Result<(), Failure> {
    match reply.last() {
        Some(line) if line.starts_with(code) => Ok(()),
        _ => Err(Failure::Refused(format!("{what}: {}", quote(reply)))),
    }
}

struct Dialog<'a> {
    stream: &'a mut TcpStream,
    /// Read but not yet taken as a line.
    buffer: Vec<u8>,
    deadline: tokio::time::Instant,
    protocol: &'static str,
}

impl Dialog<'_> {
    async fn send(&mut self, command: &str) -> Result<(), Failure> {
        let line = format!("{command}\r\n");
        match timeout_at(self.deadline, self.stream.write_all(line.as_bytes())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Failure::Closed(format!(
                "connection closed while sending {}: {e}",
                command.split_whitespace().next().unwrap_or(command)
            ))),
            Err(_) => Err(Failure::TimedOut(format!(
                "could not send {} {command}",
                self.protocol
            ))),
        }
    }

    /// The next line, without its line break, lossily decoded.
    async fn line(&mut self, what: &str) -> Result<String, Failure> {
        let mut chunk = [0u8; 512];
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line).trim_end().to_owned());
            }
            if self.buffer.len() >= MAX_LINE {
                let line: Vec<u8> = self.buffer.drain(..).collect();
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
            let so_far = || match self.buffer.is_empty() {
                true => String::new(),
                false => format!(
                    " (got {})",
                    quote(&[String::from_utf8_lossy(&self.buffer).into_owned()])
                ),
            };
            let room = chunk.len().min(MAX_LINE - self.buffer.len());
            match timeout_at(self.deadline, self.stream.read(&mut chunk[..room])).await {
                Ok(Ok(0)) => {
                    return Err(Failure::Closed(format!(
                        "connection closed by the server before its {} {what}{}",
                        self.protocol,
                        so_far()
                    )));
                }
                Ok(Ok(n)) => self.buffer.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) => {
                    return Err(Failure::Closed(format!(
                        "connection failed while reading the {} {what}: {e}",
                        self.protocol
                    )));
                }
                Err(_) => {
                    return Err(Failure::TimedOut(format!(
                        "no {} {what}{}",
                        self.protocol,
                        so_far()
                    )));
                }
            }
        }
    }

    /// An SMTP reply: lines "250-…" up to the last one "250 …" (at most `MAX_LINES`).
    async fn smtp_reply(&mut self, what: &str) -> Result<Vec<String>, Failure> {
        let mut lines = Vec::new();
        loop {
            let line = self.line(what).await?;
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line);
            if !more || lines.len() >= MAX_LINES {
                return Ok(lines);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_quoted_and_judged_by_their_last_line() {
        let reply = vec!["250-mail.example".to_owned(), "250 SIZE 10".to_owned()];
        assert!(expect_code(&reply, "250", "EHLO refused").is_ok());
        let refused = vec!["454 4.7.0 TLS not available".to_owned()];
        match expect_code(&refused, "220", "STARTTLS refused") {
            Err(Failure::Refused(message)) => {
                assert_eq!(
                    message,
                    r#"STARTTLS refused: "454 4.7.0 TLS not available""#
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(starts_with_ignore_case("a1 ok begin", "A1 OK"));
        assert!(!starts_with_ignore_case("a", "a1 "));
        assert!(!starts_with_ignore_case("é1 ", "a1 "));
        assert_eq!(quote(&["x".repeat(500)]).len(), QUOTED + 2);
    }
}
