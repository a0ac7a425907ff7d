//! The wire exchange of a DNS check: the query message, the system's resolver (the first
//! `nameserver` of /etc/resolv.conf, read at each check), and one query over UDP, again over TCP
//! when the UDP answer is truncated. Messages are encoded and decoded by hickory-proto; a reply
//! counts only when it answers our query's id, so a late answer to an earlier query is skipped.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout_at;

use super::{DEFAULT_PORT, DnsDetails, DnsSettings};
use crate::error::{Error, Result};
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::endpoint;
use crate::monitors::model::ErrorKind;

/// Where the system's resolver is named.
const RESOLV_CONF: &str = "/etc/resolv.conf";

/// The largest DNS message (over TCP; a UDP datagram is never larger).
const MAX_MESSAGE: usize = 65_535;
/// The UDP payload the query advertises (EDNS): what fits in one packet on any path.
const UDP_PAYLOAD: u16 = 1232;
/// How long without an answer before the UDP query is sent again (packets get lost).
const RESEND_AFTER: Duration = Duration::from_secs(1);

impl DnsSettings {
    /// The query: the name as absolute, recursion desired, EDNS with a 1232-byte UDP payload.
    pub(super) fn request(&self) -> Result<Message> {
        let mut name = Name::from_ascii(&self.dns_name)
            .map_err(|e| Error::invalid_field("dnsName", format!("is not a DNS name: {e}")))?;
        name.set_fqdn(true);
        let record_type = RecordType::from_str(&self.record_type)
            .map_err(|e| Error::invalid_field("recordType", e))?;
        let mut message = Message::query();
        message.metadata.recursion_desired = true;
        message.add_query(Query::query(name, record_type));
        let mut edns = Edns::new();
        edns.set_max_payload(UDP_PAYLOAD);
        message.set_edns(edns);
        Ok(message)
    }
}

/// The system's resolver, from /etc/resolv.conf read by the deadline: an unreadable or late file
/// counts as one naming no nameserver.
pub(super) async fn read_system_resolver(deadline: tokio::time::Instant) -> SocketAddr {
    match timeout_at(deadline, tokio::fs::read(RESOLV_CONF)).await {
        Ok(text) => system_resolver(&text.unwrap_or_default()),
        Err(_) => system_resolver(b""),
    }
}

/// The system's resolver from the text of /etc/resolv.conf: its first nameserver, or the local
/// machine's when it names none (glibc's rule).
fn system_resolver(resolv_conf: &[u8]) -> SocketAddr {
    let (config, _) = resolv_conf::Config::parse_with_errors(resolv_conf);
    let ip = config
        .get_nameservers_or_local()
        .first()
        .map(IpAddr::from)
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    SocketAddr::new(ip, DEFAULT_PORT)
}

/// Why no answer came.
#[derive(Debug)]
pub(super) enum Failure {
    /// The socket failed: refused (an ICMP port unreachable), unreachable, reset…
    Io(io::Error),
    /// The TCP connection closed before a whole answer.
    Closed,
    Timeout,
    /// An answer that is not a DNS message.
    Decode(String),
    /// The query could not be encoded.
    Encode(String),
}

impl Failure {
    /// The check's outcome: what went wrong, naming the resolver (and TCP when it was used).
    pub(super) fn outcome(
        self,
        details: &DnsDetails,
        timeout: Duration,
        started: Instant,
    ) -> CheckOutcome {
        let resolver = &details.resolver;
        let over = if details.protocol == "tcp" {
            " over TCP"
        } else {
            ""
        };
        let elapsed = endpoint::elapsed_ms(started);
        match self {
            Failure::Io(e) => {
                let failed = endpoint::connect_failed(&e, started);
                let message = failed.error.clone().unwrap_or_default();
                CheckOutcome {
                    error: Some(format!("{message} ({resolver}{over})")),
                    ..failed
                }
            }
            Failure::Closed => CheckOutcome::failed(
                ErrorKind::Connect,
                format!("connection closed before the answer ({resolver}{over})"),
                elapsed,
            ),
            Failure::Timeout => endpoint::timed_out(
                &format!("no answer from {resolver}{over}"),
                timeout,
                started,
            ),
            Failure::Encode(e) => CheckOutcome::failed(
                ErrorKind::Builder,
                format!("the query could not be built: {e}"),
                elapsed,
            ),
            Failure::Decode(e) => CheckOutcome {
                answered: true,
                ..CheckOutcome::failed(
                    ErrorKind::Decode,
                    format!("undecodable answer from {resolver}{over}: {e}"),
                    elapsed,
                )
            },
        }
    }
}

/// Asks `resolver` over UDP, then over TCP when the answer is truncated (`protocol` tells which
/// answered); the answer to this request, by the deadline.
pub(super) async fn exchange(
    resolver: SocketAddr,
    request: &Message,
    deadline: tokio::time::Instant,
    protocol: &mut &'static str,
) -> std::result::Result<Message, Failure> {
    let bytes = request
        .to_vec()
        .map_err(|e| Failure::Encode(e.to_string()))?;
    let id = request.metadata.id;
    let answer = over_udp(resolver, &bytes, id, deadline).await?;
    if !answer.metadata.truncation {
        return Ok(answer);
    }
    *protocol = "tcp";
    over_tcp(resolver, &bytes, id, deadline).await
}

/// The datagram `bytes` sent to `resolver` (again every second without an answer), and the
/// first answer to query `id` it sends back.
async fn over_udp(
    resolver: SocketAddr,
    bytes: &[u8],
    id: u16,
    deadline: tokio::time::Instant,
) -> std::result::Result<Message, Failure> {
    let local: SocketAddr = match resolver {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local).await.map_err(Failure::Io)?;
    // Connected: only the resolver's datagrams are read, and an ICMP "port unreachable" comes
    // back as a refused connection.
    socket.connect(resolver).await.map_err(Failure::Io)?;
    let mut buffer = vec![0u8; MAX_MESSAGE];
    loop {
        match timeout_at(deadline, socket.send(bytes)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(Failure::Io(e)),
            Err(_) => return Err(Failure::Timeout),
        }
        let resend = tokio::time::Instant::now() + RESEND_AFTER;
        let until = deadline.min(resend);
        loop {
            match timeout_at(until, socket.recv(&mut buffer)).await {
                Err(_) if until == deadline => return Err(Failure::Timeout),
                Err(_) => break,
                Ok(Err(e)) => return Err(Failure::Io(e)),
                Ok(Ok(n)) => {
                    if let Some(answer) = answer_to(id, &buffer[..n])? {
                        return Ok(answer);
                    }
                }
            }
        }
    }
}

/// `bytes` sent to `resolver` over TCP (with its two-byte length), and the answer to query `id`.
async fn over_tcp(
    resolver: SocketAddr,
    bytes: &[u8],
    id: u16,
    deadline: tokio::time::Instant,
) -> std::result::Result<Message, Failure> {
    let mut stream = within(timeout_at(deadline, TcpStream::connect(resolver)).await)?;
    let length = u16::try_from(bytes.len())
        .map_err(|_| Failure::Encode("longer than 65535 bytes".into()))?;
    let mut framed = length.to_be_bytes().to_vec();
    framed.extend_from_slice(bytes);
    within(timeout_at(deadline, stream.write_all(&framed)).await)?;
    let mut buffer = vec![0u8; MAX_MESSAGE];
    loop {
        let mut length = [0u8; 2];
        within(timeout_at(deadline, stream.read_exact(&mut length)).await)?;
        let length = usize::from(u16::from_be_bytes(length));
        within(timeout_at(deadline, stream.read_exact(&mut buffer[..length])).await)?;
        if let Some(answer) = answer_to(id, &buffer[..length])? {
            return Ok(answer);
        }
    }
}

/// A TCP step's result by the deadline as a failure: closed early, failed, or late.
fn within<T>(
    result: std::result::Result<io::Result<T>, tokio::time::error::Elapsed>,
) -> std::result::Result<T, Failure> {
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Err(Failure::Closed),
        Ok(Err(e)) => Err(Failure::Io(e)),
        Err(_) => Err(Failure::Timeout),
    }
}

/// The message in `bytes` if it answers query `id`; None for another message (a late answer to
/// an earlier query), an error for bytes that are no DNS message.
fn answer_to(id: u16, bytes: &[u8]) -> std::result::Result<Option<Message>, Failure> {
    let message = Message::from_vec(bytes).map_err(|e| Failure::Decode(e.to_string()))?;
    Ok(
        (message.metadata.id == id && message.metadata.message_type == MessageType::Response)
            .then_some(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_resolver_is_the_first_nameserver() {
        let read = |text: &str| system_resolver(text.as_bytes()).to_string();
        assert_eq!(
            read("# managed\nsearch corp.example\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n"),
            "10.0.0.2:53"
        );
        assert_eq!(read("nameserver 2001:db8::1\n"), "[2001:db8::1]:53");
        assert_eq!(read(""), "127.0.0.1:53");
        assert_eq!(read("garbage here\nnameserver 10.0.0.9"), "10.0.0.9:53");
    }
}
