//! ICMP echo messages (RFC 792 for IPv4, RFC 4443 for IPv6): the request a ping sends, and the
//! reply it looks for among what an ICMP socket receives. An echo message is 8 bytes of header
//! (type, code, checksum, identifier, sequence number) followed by data the peer sends back.

/// The ICMP header's length.
pub const HEADER: usize = 8;

const ECHO_REQUEST_V4: u8 = 8;
const ECHO_REPLY_V4: u8 = 0;
const ECHO_REQUEST_V6: u8 = 128;
const ECHO_REPLY_V6: u8 = 129;
/// The IP protocol number of ICMP (for IPv4 packets received with their header).
const PROTOCOL_ICMP: u8 = 1;

/// Which ICMP: over IPv4, or ICMPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// The identifying fields and the data of an echo reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply<'a> {
    pub identifier: u16,
    pub sequence: u16,
    pub data: &'a [u8],
}

/// An echo request. For IPv4 with its checksum (a raw socket sends it as is; the kernel
/// recomputes it for a ping socket anyway). For ICMPv6 the checksum stays zero: it covers a
/// pseudo-header with the source address the kernel picks, so the kernel fills it in for raw and
/// ping sockets alike.
pub fn request(family: Family, identifier: u16, sequence: u16, data: &[u8]) -> Vec<u8> {
    let kind = match family {
        Family::V4 => ECHO_REQUEST_V4,
        Family::V6 => ECHO_REQUEST_V6,
    };
    let mut message = Vec::with_capacity(HEADER + data.len());
    message.extend_from_slice(&[kind, 0, 0, 0]);
    message.extend_from_slice(&identifier.to_be_bytes());
    message.extend_from_slice(&sequence.to_be_bytes());
    message.extend_from_slice(data);
    if family == Family::V4 {
        let sum = checksum(&message);
        message[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    message
}

/// The echo reply in `datagram`, when it is one. `with_ip_header`: the datagram starts with the
/// IPv4 header (what a raw IPv4 socket receives; ping sockets and ICMPv6 sockets give the ICMP
/// message alone). Anything else (an echo request, an error, a truncated or foreign packet) is
/// None; nothing here panics on what the network sends.
pub fn reply(family: Family, datagram: &[u8], with_ip_header: bool) -> Option<Reply<'_>> {
    let message = if with_ip_header {
        let first = *datagram.first()?;
        let header_len = usize::from(first & 0x0f) * 4;
        if first >> 4 != 4 || header_len < 20 || *datagram.get(9)? != PROTOCOL_ICMP {
            return None;
        }
        datagram.get(header_len..)?
    } else {
        datagram
    };
    let expected = match family {
        Family::V4 => ECHO_REPLY_V4,
        Family::V6 => ECHO_REPLY_V6,
    };
    if message.len() < HEADER || message[0] != expected || message[1] != 0 {
        return None;
    }
    Some(Reply {
        identifier: u16::from_be_bytes([message[4], message[5]]),
        sequence: u16::from_be_bytes([message[6], message[7]]),
        data: &message[HEADER..],
    })
}

/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of the
/// 16-bit big-endian words, an odd last byte padded with zero.
pub fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_as_rfc_1071() {
        // RFC 1071's example: words 0001 f203 f4f5 f6f7 sum to ddf2, complemented 220d.
        assert_eq!(
            checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0x220d
        );
        assert_eq!(checksum(&[]), 0xffff);
        assert_eq!(checksum(&[0x01]), !0x0100);
        // A message with its checksum in place sums to zero.
        let message = request(Family::V4, 0x1234, 7, b"hello-dutyduck!!");
        assert_eq!(checksum(&message), 0);
    }

    #[test]
    fn requests_as_the_kernel_expects_them() {
        // Captured from Linux: the IPv4 echo request a raw socket sent for these fields.
        let v4 = request(Family::V4, 0x1234, 7, b"hello-dutyduck!!");
        assert_eq!(
            hex::encode(&v4),
            "0800dfd41234000768656c6c6f2d647574796475636b2121"
        );
        let v6 = request(Family::V6, 0x1234, 7, b"x");
        assert_eq!(hex::encode(&v6), "800000001234000778");
    }

    #[test]
    fn replies_are_found_and_everything_else_is_not() {
        // An IPv4 echo reply as a raw socket receives it, IP header first (captured from Linux).
        let raw = hex::decode(
            "4500002cf8020000400184cc7f0000017f000001\
             0000e7d41234000768656c6c6f2d647574796475636b2121",
        )
        .unwrap();
        let got = reply(Family::V4, &raw, true).unwrap();
        assert_eq!((got.identifier, got.sequence), (0x1234, 7));
        assert_eq!(got.data, b"hello-dutyduck!!");
        // The same reply from a ping socket, without the IP header (identifier rewritten).
        let dgram = hex::decode("0000ca1d2feb000768656c6c6f2d647574796475636b2121").unwrap();
        let got = reply(Family::V4, &dgram, false).unwrap();
        assert_eq!((got.identifier, got.sequence), (0x2feb, 7));
        // An ICMPv6 echo reply.
        let v6 = hex::decode("810066801234000768656c6c6f").unwrap();
        assert_eq!(reply(Family::V6, &v6, false).unwrap().data, b"hello");

        // Our own request, seen by a raw socket on loopback.
        let request_seen = hex::decode(
            "4500002cf8014000400144cd7f0000017f000001\
             0800dfd41234000768656c6c6f2d647574796475636b2121",
        )
        .unwrap();
        assert_eq!(reply(Family::V4, &request_seen, true), None);
        assert_eq!(
            reply(Family::V6, &hex::decode("8000000012340007").unwrap(), false),
            None
        );
        // The wrong family's reply, an unreachable error, truncated or empty datagrams.
        assert_eq!(reply(Family::V4, &v6, false), None);
        assert_eq!(
            reply(Family::V4, &hex::decode("0301fcfe00000000").unwrap(), false),
            None
        );
        for cut in [0, 1, 9, 20, 27] {
            assert_eq!(reply(Family::V4, &raw[..cut], true), None, "{cut}");
        }
        assert_eq!(reply(Family::V6, &v6[..7], false), None);
        // Not IPv4, or not ICMP, or a header length below 20 bytes.
        let mut other = raw.clone();
        other[9] = 17;
        assert_eq!(reply(Family::V4, &other, true), None);
        let mut short = raw.clone();
        short[0] = 0x44;
        assert_eq!(reply(Family::V4, &short, true), None);
        let mut v6_header = raw;
        v6_header[0] = 0x65;
        assert_eq!(reply(Family::V4, &v6_header, true), None);
    }
}
