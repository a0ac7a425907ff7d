//! ICMP sockets, and one series of pings over one. Each check opens its own socket: an
//! unprivileged ping socket (`SOCK_DGRAM` with `IPPROTO_ICMP`/`IPPROTO_ICMPV6`) where the kernel
//! allows it (`net.ipv4.ping_group_range`, which governs IPv6 too), else a raw socket (root or
//! `CAP_NET_RAW`). Both are read through tokio's UDP socket: `sendto` and `recvfrom` work on them
//! the same way, so nothing blocks the runtime.
//!
//! Replies are told apart so that many monitors pinging at once never take each other's: a ping
//! socket receives only the replies to its own requests (the kernel rewrites the identifier to
//! one of its own and matches on it), while a raw socket receives every ICMP packet of the host,
//! so there a reply is ours only with our identifier. In both cases the sequence number and the
//! data (16 random bytes drawn for each check) must be the ones sent, and the reply must come
//! from the address pinged.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use super::echo::{self, Family};

/// What a check says when neither kind of ICMP socket may be opened.
pub const NOT_PERMITTED: &str = "cannot open an ICMP socket: allow unprivileged ping with \
     `sysctl -w net.ipv4.ping_group_range='0 2147483647'` or give the server CAP_NET_RAW \
     (`AmbientCapabilities=CAP_NET_RAW` in its systemd unit, or `setcap cap_net_raw+ep` on \
     the binary)";

/// The most a received datagram is read of: an echo reply to our requests is far smaller.
const MAX_DATAGRAM: usize = 1024;
/// The data sent in each request (and expected back): random for each check.
const COOKIE: usize = 16;

/// Which kind of socket pinged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SocketKind {
    /// An unprivileged ping socket.
    Dgram,
    /// A raw socket (root or CAP_NET_RAW).
    Raw,
}

/// An open ICMP socket of one family.
pub struct IcmpSocket {
    socket: UdpSocket,
    kind: SocketKind,
    family: Family,
}

/// What a series of pings gave.
#[derive(Debug, Default)]
pub struct Tally {
    /// Echo requests sent (or tried: a send that failed counts, its packet lost).
    pub sent: u32,
    /// The round trip of each reply received.
    pub round_trips: Vec<Duration>,
    /// The first error sending a request (no route, firewall…).
    pub send_error: Option<io::Error>,
}

impl IcmpSocket {
    /// A ping socket if the kernel allows one, else a raw socket; the error is the message for
    /// the check's result (see [`open_error`]). Must be called within the tokio runtime.
    pub fn open(family: Family) -> Result<IcmpSocket, String> {
        let dgram = match IcmpSocket::open_as(family, SocketKind::Dgram) {
            Ok(socket) => return Ok(socket),
            Err(e) => e,
        };
        IcmpSocket::open_as(family, SocketKind::Raw).map_err(|raw| open_error(family, &dgram, &raw))
    }

    fn open_as(family: Family, kind: SocketKind) -> io::Result<IcmpSocket> {
        let (domain, protocol) = match family {
            Family::V4 => (Domain::IPV4, Protocol::ICMPV4),
            Family::V6 => (Domain::IPV6, Protocol::ICMPV6),
        };
        let socket_type = match kind {
            SocketKind::Dgram => Type::DGRAM,
            SocketKind::Raw => Type::RAW,
        };
        let socket = Socket::new(domain, socket_type, Some(protocol))?;
        socket.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(std::net::UdpSocket::from(socket))?;
        Ok(IcmpSocket {
            socket,
            kind,
            family,
        })
    }

    pub fn kind(&self) -> SocketKind {
        self.kind
    }

    /// Sends `count` echo requests to `address`, one after the other: each waits for its reply
    /// at most `per_packet` (the next is sent as soon as the reply came), and all end by
    /// `deadline` (a request not sent by then is not counted).
    pub async fn ping(
        &self,
        address: IpAddr,
        count: u16,
        per_packet: Duration,
        deadline: Instant,
    ) -> Tally {
        let identifier = next_identifier();
        let cookie = cookie();
        let target = SocketAddr::new(address, 0);
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        let mut tally = Tally::default();
        for sequence in 0..count {
            if Instant::now() >= deadline {
                break;
            }
            let request = echo::request(self.family, identifier, sequence, &cookie);
            let sent_at = std::time::Instant::now();
            let until = (Instant::now() + per_packet).min(deadline);
            match timeout_at(until, self.socket.send_to(&request, target)).await {
                Ok(Ok(_)) => tally.sent += 1,
                Ok(Err(e)) => {
                    tally.sent += 1;
                    tally.send_error.get_or_insert(e);
                    continue;
                }
                Err(_) => {
                    tally.sent += 1;
                    continue;
                }
            }
            let expected = Expected {
                address,
                identifier,
                sequence,
                cookie: &cookie,
            };
            if let Some(received_at) = self.reply(&expected, until, &mut buffer).await {
                tally.round_trips.push(received_at - sent_at);
            }
        }
        tally
    }

    /// Reads until the reply `expected` comes (when, as an instant), an error, or `until`.
    async fn reply(
        &self,
        expected: &Expected<'_>,
        until: Instant,
        buffer: &mut [u8],
    ) -> Option<std::time::Instant> {
        loop {
            // A socket error (none is expected on an unconnected socket) loses this packet.
            let (length, from) = timeout_at(until, self.socket.recv_from(buffer))
                .await
                .ok()?
                .ok()?;
            let received_at = std::time::Instant::now();
            if expected.is_answered_by(self.family, self.kind, from.ip(), &buffer[..length]) {
                return Some(received_at);
            }
        }
    }
}

/// The reply a request waits for.
struct Expected<'a> {
    address: IpAddr,
    identifier: u16,
    sequence: u16,
    cookie: &'a [u8],
}

impl Expected<'_> {
    /// Whether `datagram`, received from `from` on a socket of `family` and `kind`, is the
    /// reply: an echo reply from the address pinged, with our sequence number and data, and our
    /// identifier on a raw socket (which sees every ICMP packet of the host). A ping socket's
    /// identifier is the kernel's: it rewrites it, and delivers each socket only its replies.
    fn is_answered_by(
        &self,
        family: Family,
        kind: SocketKind,
        from: IpAddr,
        datagram: &[u8],
    ) -> bool {
        // A raw IPv4 socket receives whole IP packets; the others the ICMP message alone.
        let with_ip_header = kind == SocketKind::Raw && family == Family::V4;
        let Some(reply) = echo::reply(family, datagram, with_ip_header) else {
            return false;
        };
        from.to_canonical() == self.address
            && (kind == SocketKind::Dgram || reply.identifier == self.identifier)
            && reply.sequence == self.sequence
            && reply.data == self.cookie
    }
}

/// The message of a check whose ICMP socket could not be opened, from the errors of the ping
/// socket and of the raw one: the sysctl or the capability to grant when permission was
/// refused, else the system's error (IPv6 disabled, no file descriptors left…).
pub fn open_error(family: Family, dgram: &io::Error, raw: &io::Error) -> String {
    let refused = |e: &io::Error| e.kind() == io::ErrorKind::PermissionDenied;
    if refused(raw) {
        return NOT_PERMITTED.to_owned();
    }
    let error = if refused(dgram) { raw } else { dgram };
    let name = match family {
        Family::V4 => "ICMP",
        Family::V6 => "ICMPv6",
    };
    format!("cannot open an {name} socket: {error}")
}

/// An identifier for a series of pings: distinct for every series this process runs at once
/// (65536 of them), and from one process to another most of the time.
fn next_identifier() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    (std::process::id() as u16).wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Random data for a series of pings; the clock's nanoseconds if the OS has no random source.
fn cookie() -> [u8; COOKIE] {
    let mut bytes = [0u8; COOKIE];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = nanos.to_be_bytes();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(code: i32) -> io::Error {
        io::Error::from_raw_os_error(code)
    }

    // Linux's numbers: EPERM, EACCES, EAFNOSUPPORT, EMFILE, EPROTONOSUPPORT.
    const EPERM: i32 = 1;
    const EACCES: i32 = 13;
    const EAFNOSUPPORT: i32 = 97;
    const EMFILE: i32 = 24;
    const EPROTONOSUPPORT: i32 = 93;

    #[test]
    fn refused_sockets_say_what_to_grant() {
        // ping_group_range excludes us (EACCES) and no CAP_NET_RAW (EPERM): the usual case.
        assert_eq!(
            open_error(Family::V4, &os(EACCES), &os(EPERM)),
            NOT_PERMITTED
        );
        assert_eq!(
            open_error(Family::V6, &os(EPERM), &os(EPERM)),
            NOT_PERMITTED
        );
        // A kernel without ping sockets: granting the capability is the way.
        assert_eq!(
            open_error(Family::V4, &os(EPROTONOSUPPORT), &os(EPERM)),
            NOT_PERMITTED
        );
        assert!(NOT_PERMITTED.contains("net.ipv4.ping_group_range"));
        assert!(NOT_PERMITTED.contains("CAP_NET_RAW"));
    }

    #[test]
    fn other_socket_errors_are_shown_as_they_are() {
        let message = open_error(Family::V6, &os(EAFNOSUPPORT), &os(EAFNOSUPPORT));
        assert!(
            message.starts_with("cannot open an ICMPv6 socket: Address family not supported"),
            "{message}"
        );
        let message = open_error(Family::V4, &os(EACCES), &os(EMFILE));
        assert!(
            message.starts_with("cannot open an ICMP socket: Too many open files"),
            "{message}"
        );
    }

    /// Which datagrams answer a request: many checks pinging at once each take only theirs.
    #[test]
    fn replies_are_matched_to_their_request() {
        let cookie = [7u8; COOKIE];
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        let expected = Expected {
            address: here,
            identifier: 0x1234,
            sequence: 2,
            cookie: &cookie,
        };
        let reply = |identifier: u16, sequence: u16, data: &[u8]| {
            let mut message = echo::request(Family::V4, identifier, sequence, data);
            message[0] = 0; // an echo reply
            message
        };
        // What a raw IPv4 socket receives: a 20-byte IP header first.
        let with_header = |message: Vec<u8>| {
            let mut packet = vec![
                0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ];
            packet.extend(message);
            packet
        };
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        use SocketKind::{Dgram, Raw};
        // (socket, from, datagram, ours)
        let cases = [
            (Raw, here, with_header(reply(0x1234, 2, &cookie)), true),
            (Raw, mapped, with_header(reply(0x1234, 2, &cookie)), true),
            (Raw, here, with_header(reply(0x1235, 2, &cookie)), false),
            (Raw, here, with_header(reply(0x1234, 1, &cookie)), false),
            (
                Raw,
                here,
                with_header(reply(0x1234, 2, &[8u8; COOKIE])),
                false,
            ),
            (Raw, other, with_header(reply(0x1234, 2, &cookie)), false),
            // Our own request, seen by a raw socket on loopback.
            (
                Raw,
                here,
                with_header(echo::request(Family::V4, 0x1234, 2, &cookie)),
                false,
            ),
            // Without its IP header a raw socket's datagram is not understood.
            (Raw, here, reply(0x1234, 2, &cookie), false),
            // A ping socket: the kernel's identifier, whatever it is.
            (Dgram, here, reply(0x2feb, 2, &cookie), true),
            (Dgram, here, reply(0x2feb, 3, &cookie), false),
            (Dgram, here, reply(0x2feb, 2, &cookie[..8]), false),
            (Dgram, other, reply(0x2feb, 2, &cookie), false),
        ];
        for (i, (kind, from, datagram, ours)) in cases.into_iter().enumerate() {
            assert_eq!(
                expected.is_answered_by(Family::V4, kind, from, &datagram),
                ours,
                "case {i}"
            );
        }
    }

    #[test]
    fn identifiers_differ_between_series() {
        let a = next_identifier();
        let b = next_identifier();
        assert_ne!(a, b);
        assert_ne!(cookie(), cookie());
    }
}
