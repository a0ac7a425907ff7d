//! The DNS kind: one query (a name and a record type) to a resolver, judged by the answer's
//! response code and records. By default the name must resolve (NOERROR with at least one record
//! of the type); expected values may be required (any or all of them), or another response code
//! (a name that must not exist expects NXDOMAIN).
//!
//! The query goes over UDP to the monitor's resolver, or to the system's (the first `nameserver`
//! of /etc/resolv.conf, read at each check; 127.0.0.1 when it names none, as glibc does), and
//! again over TCP when the UDP answer is truncated. Messages are encoded and decoded by
//! hickory-proto; the name is queried as absolute (no search domains). The UDP query is sent
//! again every second without an answer, until the timeout.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout_at;

use super::CheckKind;
use super::endpoint::{self, MAX_HOST};
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;

/// The record types a monitor may query.
pub const RECORD_TYPES: [&str; 9] = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "CAA", "SRV"];
/// The response codes a monitor may expect, by their usual names, with their numbers.
const RCODES: [(&str, u16); 11] = [
    ("NOERROR", 0),
    ("FORMERR", 1),
    ("SERVFAIL", 2),
    ("NXDOMAIN", 3),
    ("NOTIMP", 4),
    ("REFUSED", 5),
    ("YXDOMAIN", 6),
    ("YXRRSET", 7),
    ("NXRRSET", 8),
    ("NOTAUTH", 9),
    ("NOTZONE", 10),
];
const RCODE_NAMES: [&str; 11] = [
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",
];
const MATCHES: [&str; 2] = ["any", "all"];
/// A DNS name (not an IP address), as the OpenAPI document states it.
/// "[ffff:…:ffff]:65535".
const MAX_RESOLVER: usize = 60;
const DEFAULT_PORT: u16 = 53;
/// Where the system's resolver is named.
const RESOLV_CONF: &str = "/etc/resolv.conf";

/// The largest DNS message (over TCP; a UDP datagram is never larger).
const MAX_MESSAGE: usize = 65_535;
/// The UDP payload the query advertises (EDNS): what fits in one packet on any path.
const UDP_PAYLOAD: u16 = 1232;
/// How long without an answer before the UDP query is sent again (packets get lost).
const RESEND_AFTER: Duration = Duration::from_secs(1);
/// How many records, and how many characters of each, a result keeps and a message shows.
const KEPT_RECORDS: usize = 50;
const SHOWN_RECORDS: usize = 10;
const RECORD_TEXT: usize = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DnsInput {
    /// The name to query (e.g. "www.example.com", "_sip._tcp.example.com"); required on create.
    #[schemars(length(min = 1, max = MAX_HOST), regex(pattern = endpoint::DNS_NAME_PATTERN))]
    pub dns_name: Option<String>,
    /// A (default), AAAA, CNAME, MX, TXT, NS, SOA, CAA or SRV.
    #[schemars(extend("enum" = RECORD_TYPES))]
    pub record_type: Option<String>,
    /// The resolver to ask, "ip" or "ip:port" (port 53 by default; "[ipv6]:port"); null or
    /// blank: the system's (the first nameserver of /etc/resolv.conf).
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(length(max = MAX_RESOLVER), regex(pattern = endpoint::ADDRESS_PORT_PATTERN))]
    pub resolver: Option<Option<String>>,
    /// Values the answer must hold, written as the records are shown ("192.0.2.1",
    /// "10 mail.example.com", "v=spf1 -all"); an MX or SRV record also matches its target name.
    /// Only with the expected response code NOERROR. null or []: any record will do.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(
        length(max = limits::LIST),
        inner(length(min = 1, max = limits::SHORT), regex(pattern = limits::LINE))
    )]
    pub expected_values: Option<Option<Vec<String>>>,
    /// "any" (default): one of the expected values is enough; "all": each must be there.
    #[schemars(extend("enum" = MATCHES))]
    pub values_match: Option<String>,
    /// The response code that counts as up: NOERROR (default), or e.g. NXDOMAIN for a name
    /// that must not exist.
    #[schemars(extend("enum" = RCODE_NAMES))]
    pub expected_rcode: Option<String>,
}

/// Whether one expected value is enough or all are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValuesMatch {
    #[default]
    Any,
    All,
}

/// A DNS monitor's settings, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Shown flat beside the monitor's common fields: the monitor's schema closes the whole object.
#[schemars(extend("additionalProperties" = true))]
pub struct DnsSettings {
    pub dns_name: String,
    pub record_type: String,
    /// "ip:port"; None for the system's resolver.
    pub resolver: Option<String>,
    pub expected_values: Vec<String>,
    pub values_match: ValuesMatch,
    pub expected_rcode: String,
}

/// What a DNS check saw, kept with its result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DnsDetails {
    /// The resolver asked, "ip:port".
    resolver: String,
    /// "udp", or "tcp" when the UDP answer was truncated.
    protocol: &'static str,
    /// The answer's response code ("NOERROR", "NXDOMAIN"…); None without an answer.
    rcode: Option<String>,
    /// The answer's records of the queried type, as text ("192.0.2.1", "10 mail.example.com.").
    records: Vec<String>,
}

impl CheckKind for DnsSettings {
    type Input = DnsInput;
    type Checker = ();
    const REQUIRED: &'static [&'static str] = &["dnsName"];

    fn create(input: DnsInput) -> Result<DnsSettings> {
        let name = input
            .dns_name
            .clone()
            .ok_or_else(|| Error::invalid_field("dnsName", "is required"))?;
        DnsSettings {
            dns_name: name,
            record_type: "A".into(),
            resolver: None,
            expected_values: Vec::new(),
            values_match: ValuesMatch::Any,
            expected_rcode: "NOERROR".into(),
        }
        .apply(input)
    }

    fn apply(mut self, input: DnsInput) -> Result<DnsSettings> {
        if let Some(name) = input.dns_name {
            self.dns_name = name;
        }
        if let Some(record_type) = input.record_type {
            self.record_type = record_type;
        }
        if let Some(resolver) = input.resolver {
            self.resolver = resolver;
        }
        if let Some(values) = input.expected_values {
            self.expected_values = values.unwrap_or_default();
        }
        if let Some(values_match) = input.values_match {
            self.values_match = match values_match.trim().to_ascii_lowercase().as_str() {
                "any" => ValuesMatch::Any,
                "all" => ValuesMatch::All,
                _ => {
                    return Err(Error::invalid_field(
                        "valuesMatch",
                        "must be \"any\" or \"all\"",
                    ));
                }
            };
        }
        if let Some(rcode) = input.expected_rcode {
            self.expected_rcode = rcode;
        }
        self.validate()
    }

    /// `dns://<name>/<TYPE>`, and `?resolver=<ip:port>` when the monitor names one: the URL's
    /// host is the name queried (the monitor's default name), its path the record type.
    fn target(&self) -> String {
        let mut target = format!("dns://{}/{}", self.dns_name, self.record_type);
        if let Some(resolver) = &self.resolver {
            target.push_str("?resolver=");
            target.push_str(resolver);
        }
        target
    }

    /// Nothing secret: a query carries no credentials.
    fn mask(&mut self) {}

    async fn check(&self, _: &(), timeout: Duration) -> CheckOutcome {
        let deadline = tokio::time::Instant::now() + timeout;
        let resolver = match self.resolver.as_deref() {
            Some(resolver) => resolver_address("resolver", resolver),
            None => match timeout_at(deadline, tokio::fs::read(RESOLV_CONF)).await {
                Ok(text) => Ok(system_resolver(&text.unwrap_or_default())),
                Err(_) => Ok(system_resolver(b"")),
            },
        };
        let (resolver, request) = match resolver.and_then(|r| Ok((r, self.request()?))) {
            Ok(ok) => ok,
            Err(e) => return CheckOutcome::failed(ErrorKind::Builder, e.message, 0),
        };
        let mut details = DnsDetails {
            resolver: resolver.to_string(),
            protocol: "udp",
            rcode: None,
            records: Vec::new(),
        };
        let started = Instant::now();
        let answer = match exchange(resolver, &request, deadline, &mut details.protocol).await {
            Ok(answer) => answer,
            Err(failure) => {
                return failure
                    .outcome(&details, timeout, started)
                    .with_details(details);
            }
        };
        let elapsed = endpoint::elapsed_ms(started);
        let record_type = request.queries[0].query_type();
        let records: Vec<String> = answer
            .answers
            .iter()
            .filter(|r| r.record_type() == record_type)
            .map(|r| r.data.to_string().chars().take(RECORD_TEXT).collect())
            .collect();
        let rcode = rcode_name(answer.metadata.response_code);
        let verdict = self.judge(&rcode, &records);
        details.rcode = Some(rcode);
        details.records = records.into_iter().take(KEPT_RECORDS).collect();
        let outcome = match verdict {
            Ok(()) => CheckOutcome::passed(elapsed),
            Err(message) => CheckOutcome {
                answered: true,
                ..CheckOutcome::failed(ErrorKind::Assertion, message, elapsed)
            },
        };
        outcome.with_details(details)
    }
}

impl DnsSettings {
    fn validate(mut self) -> Result<DnsSettings> {
        let name = endpoint::host("dnsName", &self.dns_name)?;
        if name.parse::<IpAddr>().is_ok() {
            return Err(Error::invalid_field(
                "dnsName",
                "must be a DNS name, not an IP address",
            ));
        }
        self.dns_name = name;
        self.record_type = self.record_type.trim().to_ascii_uppercase();
        if !RECORD_TYPES.contains(&self.record_type.as_str()) {
            return Err(Error::invalid_field(
                "recordType",
                format!("must be one of {}", RECORD_TYPES.join(", ")),
            ));
        }
        self.resolver = limits::optional("resolver", self.resolver, MAX_RESOLVER, limits::line)?
            .map(|r| resolver_address("resolver", &r).map(|a| a.to_string()))
            .transpose()?;
        self.expected_rcode = self.expected_rcode.trim().to_ascii_uppercase();
        if rcode_number(&self.expected_rcode).is_none() {
            return Err(Error::invalid_field(
                "expectedRcode",
                format!("must be one of {}", RCODE_NAMES.join(", ")),
            ));
        }
        limits::count("expectedValues", self.expected_values.len(), limits::LIST)?;
        for value in &mut self.expected_values {
            *value = value.trim().to_owned();
            if value.is_empty() {
                return Err(Error::invalid_field(
                    "expectedValues",
                    "must not hold blank values",
                ));
            }
            limits::line("expectedValues", value, limits::SHORT)?;
            let family_ok = match self.record_type.as_str() {
                "A" => value.parse::<Ipv4Addr>().is_ok(),
                "AAAA" => value.parse::<Ipv6Addr>().is_ok(),
                _ => true,
            };
            if !family_ok {
                return Err(Error::invalid_field(
                    "expectedValues",
                    format!(
                        "{value:?} is not an {} address",
                        if self.record_type == "A" {
                            "IPv4"
                        } else {
                            "IPv6"
                        }
                    ),
                ));
            }
        }
        if !self.expected_values.is_empty() && self.expected_rcode != "NOERROR" {
            return Err(Error::invalid_field(
                "expectedValues",
                format!(
                    "only apply when expectedRcode is NOERROR (an answer {} has no records)",
                    self.expected_rcode
                ),
            ));
        }
        Ok(self)
    }

    /// The query: the name as absolute, recursion desired, EDNS with a 1232-byte UDP payload.
    fn request(&self) -> Result<Message> {
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

    /// Whether an answer with `rcode` and these records (of the queried type, as text) is the
    /// expected one; the error says what was expected.
    fn judge(&self, rcode: &str, records: &[String]) -> std::result::Result<(), String> {
        if rcode != self.expected_rcode {
            return Err(format!(
                "answered {rcode}, expected {}",
                self.expected_rcode
            ));
        }
        if self.expected_rcode != "NOERROR" {
            return Ok(());
        }
        if self.expected_values.is_empty() {
            if records.is_empty() {
                return Err(format!(
                    "no {} records for {}",
                    self.record_type, self.dns_name
                ));
            }
            return Ok(());
        }
        let found = |expected: &String| {
            records
                .iter()
                .any(|record| value_matches(&self.record_type, expected, record))
        };
        let got = if records.is_empty() {
            format!("got no {} records", self.record_type)
        } else {
            format!("got {}", shown(records))
        };
        match self.values_match {
            ValuesMatch::Any if !self.expected_values.iter().any(found) => Err(format!(
                "expected one of {}, {got}",
                shown(&self.expected_values)
            )),
            ValuesMatch::All => {
                let missing: Vec<String> = self
                    .expected_values
                    .iter()
                    .filter(|v| !found(v))
                    .cloned()
                    .collect();
                if missing.is_empty() {
                    return Ok(());
                }
                Err(format!(
                    "expected all of {}, missing {}, {got}",
                    shown(&self.expected_values),
                    shown(&missing)
                ))
            }
            ValuesMatch::Any => Ok(()),
        }
    }
}

/// A list of values for a message: quoted, the first few only.
fn shown(values: &[String]) -> String {
    let mut text = values
        .iter()
        .take(SHOWN_RECORDS)
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if values.len() > SHOWN_RECORDS {
        text.push_str(&format!(" and {} more", values.len() - SHOWN_RECORDS));
    }
    format!("[{text}]")
}

/// Whether `expected` is the record `record` (as text): addresses compared as addresses, TXT
/// text exactly, anything else without regard to case, quotes or the names' final dots; an MX
/// or SRV record also matches its target name alone.
fn value_matches(record_type: &str, expected: &str, record: &str) -> bool {
    if let (Ok(a), Ok(b)) = (expected.parse::<IpAddr>(), record.parse::<IpAddr>()) {
        return a == b;
    }
    if record_type == "TXT" {
        return expected.trim() == record.trim();
    }
    let normalize = |text: &str| {
        text.to_lowercase()
            .replace('"', "")
            .split_whitespace()
            .map(|word| word.strip_suffix('.').unwrap_or(word).to_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let expected = normalize(expected);
    let record = normalize(record);
    expected == record
        || (matches!(record_type, "MX" | "SRV")
            && record
                .rsplit(' ')
                .next()
                .is_some_and(|target| target == expected))
}

/// `value` as a resolver's address: "ip", "ip:port", "[ipv6]" or "[ipv6]:port"; port 53 by
/// default.
fn resolver_address(field: &str, value: &str) -> Result<SocketAddr> {
    let value = value.trim();
    let bare = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    let address = match (value.parse::<SocketAddr>(), bare.parse::<IpAddr>()) {
        (Ok(address), _) => address,
        (_, Ok(ip)) => SocketAddr::new(ip, DEFAULT_PORT),
        _ => {
            return Err(Error::invalid_field(
                field,
                "must be an IP address, optionally with a port (\"192.0.2.53\", \"192.0.2.53:5353\", \"[2001:db8::53]:53\")",
            ));
        }
    };
    if address.port() == 0 {
        return Err(Error::invalid_field(
            field,
            "port must be between 1 and 65535",
        ));
    }
    Ok(address)
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

fn rcode_number(name: &str) -> Option<u16> {
    RCODES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// "NOERROR", "NXDOMAIN"…, or "RCODE23" for a code without a usual name here.
fn rcode_name(code: ResponseCode) -> String {
    let number = u16::from(code);
    RCODES
        .iter()
        .find(|(_, c)| *c == number)
        .map(|(n, _)| (*n).to_owned())
        .unwrap_or_else(|| format!("RCODE{number}"))
}

/// Why no answer came.
#[derive(Debug)]
enum Failure {
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
    fn outcome(self, details: &DnsDetails, timeout: Duration, started: Instant) -> CheckOutcome {
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
async fn exchange(
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

    fn input(json: &str) -> DnsInput {
        serde_json::from_str(json).unwrap()
    }

    fn settings(json: &str) -> DnsSettings {
        DnsSettings::create(input(json)).unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (r#"{"dnsName": "example.com"}"#, None),
            (
                r#"{"dnsName": "_sip._tcp.example.com.", "recordType": "srv", "resolver": "[::1]:5353"}"#,
                None,
            ),
            (
                r#"{"dnsName": "gone.example.com", "expectedRcode": "nxdomain"}"#,
                None,
            ),
            (r#"{"recordType": "A"}"#, Some("dnsName")),
            (r#"{"dnsName": ""}"#, Some("dnsName")),
            (r#"{"dnsName": "not a name"}"#, Some("dnsName")),
            (r#"{"dnsName": "192.0.2.1"}"#, Some("dnsName")),
            (
                r#"{"dnsName": "example.com", "recordType": "PTR"}"#,
                Some("recordType"),
            ),
            (
                r#"{"dnsName": "example.com", "resolver": "dns.example"}"#,
                Some("resolver"),
            ),
            (
                r#"{"dnsName": "example.com", "resolver": "192.0.2.1:0"}"#,
                Some("resolver"),
            ),
            (
                r#"{"dnsName": "example.com", "valuesMatch": "some"}"#,
                Some("valuesMatch"),
            ),
            (
                r#"{"dnsName": "example.com", "expectedRcode": "OK"}"#,
                Some("expectedRcode"),
            ),
            (
                r#"{"dnsName": "example.com", "expectedValues": ["not-an-ip"]}"#,
                Some("expectedValues"),
            ),
            (
                r#"{"dnsName": "example.com", "expectedValues": [" "]}"#,
                Some("expectedValues"),
            ),
            (
                r#"{"dnsName": "example.com", "recordType": "TXT", "expectedValues": ["a\nb"]}"#,
                Some("expectedValues"),
            ),
            (
                r#"{"dnsName": "example.com", "expectedValues": ["192.0.2.1"], "expectedRcode": "NXDOMAIN"}"#,
                Some("expectedValues"),
            ),
        ];
        for (json, field) in cases {
            let result = DnsSettings::create(input(json));
            match field {
                None => assert!(result.is_ok(), "{json}: {result:?}"),
                Some(field) => {
                    let message = result.unwrap_err().message;
                    assert!(message.starts_with(field), "{json}: {message}");
                }
            }
        }
        let many: Vec<String> = (0..=limits::LIST).map(|i| format!("v{i}")).collect();
        let too_many = serde_json::json!({"dnsName": "a.example", "recordType": "TXT", "expectedValues": many});
        let error = DnsSettings::create(serde_json::from_value(too_many).unwrap()).unwrap_err();
        assert!(error.message.starts_with("expectedValues"), "{error:?}");
    }

    #[test]
    fn defaults_normalized_values_and_targets() {
        let s = settings(r#"{"dnsName": " www.example.com "}"#);
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"dnsName": "www.example.com", "recordType": "A", "resolver": null,
                "expectedValues": [], "valuesMatch": "any", "expectedRcode": "NOERROR"})
        );
        assert_eq!(s.target(), "dns://www.example.com/A");
        let host = |t: &str| url::Url::parse(t).unwrap().host_str().unwrap().to_owned();
        assert_eq!(host(&s.target()), "www.example.com");

        let s = settings(
            r#"{"dnsName": "_sip._tcp.example.com", "recordType": "srv", "resolver": "2001:db8::53",
                "valuesMatch": "ALL", "expectedValues": ["sip.example.com"]}"#,
        );
        assert_eq!(s.resolver.as_deref(), Some("[2001:db8::53]:53"));
        assert_eq!(s.values_match, ValuesMatch::All);
        assert_eq!(
            s.target(),
            "dns://_sip._tcp.example.com/SRV?resolver=[2001:db8::53]:53"
        );
        assert_eq!(host(&s.target()), "_sip._tcp.example.com");

        // Blank or null resolver: the system's again; null values: none.
        let s = s
            .apply(input(r#"{"resolver": " ", "expectedValues": null}"#))
            .unwrap();
        assert_eq!((s.resolver, s.expected_values.len()), (None, 0));
        let s = settings(r#"{"dnsName": "a.example", "resolver": "192.0.2.1"}"#);
        assert_eq!(s.resolver.as_deref(), Some("192.0.2.1:53"));
    }

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

    #[test]
    fn values_match_as_records_are_written() {
        let cases = [
            ("A", "192.0.2.1", "192.0.2.1", true),
            ("A", "192.0.2.1", "192.0.2.10", false),
            ("AAAA", "2001:db8::1", "2001:0db8:0:0::1", true),
            ("CNAME", "Target.Example.com", "target.example.com.", true),
            ("MX", "10 mail.example.com", "10 mail.example.com.", true),
            ("MX", "mail.example.com.", "10 mail.example.com.", true),
            ("MX", "20 mail.example.com", "10 mail.example.com.", false),
            ("SRV", "sip.example.com", "10 5 5060 sip.example.com.", true),
            (
                "CAA",
                "0 issue letsencrypt.org",
                "0 issue \"letsencrypt.org\"",
                true,
            ),
            ("TXT", "v=spf1 -all", "v=spf1 -all", true),
            ("TXT", "V=SPF1 -all", "v=spf1 -all", false),
            ("NS", "ns1.example.com", "ns1.example.com.", true),
        ];
        for (record_type, expected, record, matches) in cases {
            assert_eq!(
                value_matches(record_type, expected, record),
                matches,
                "{record_type} {expected:?} vs {record:?}"
            );
        }
    }

    #[test]
    fn judging_says_what_was_expected() {
        let records = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        let plain = settings(r#"{"dnsName": "www.example.com"}"#);
        assert_eq!(plain.judge("NOERROR", &records(&["192.0.2.1"])), Ok(()));
        assert_eq!(
            plain.judge("NOERROR", &[]),
            Err("no A records for www.example.com".into())
        );
        assert_eq!(
            plain.judge("NXDOMAIN", &[]),
            Err("answered NXDOMAIN, expected NOERROR".into())
        );
        let gone = settings(r#"{"dnsName": "old.example.com", "expectedRcode": "NXDOMAIN"}"#);
        assert_eq!(gone.judge("NXDOMAIN", &[]), Ok(()));
        assert_eq!(
            gone.judge("NOERROR", &records(&["192.0.2.1"])),
            Err("answered NOERROR, expected NXDOMAIN".into())
        );

        let any = settings(
            r#"{"dnsName": "www.example.com", "expectedValues": ["192.0.2.1", "192.0.2.2"]}"#,
        );
        assert_eq!(any.judge("NOERROR", &records(&["192.0.2.2"])), Ok(()));
        assert_eq!(
            any.judge("NOERROR", &records(&["192.0.2.9"])),
            Err(r#"expected one of ["192.0.2.1", "192.0.2.2"], got ["192.0.2.9"]"#.into())
        );
        assert_eq!(
            any.judge("NOERROR", &[]),
            Err(r#"expected one of ["192.0.2.1", "192.0.2.2"], got no A records"#.into())
        );
        let all = any
            .clone()
            .apply(input(r#"{"valuesMatch": "all"}"#))
            .unwrap();
        assert_eq!(
            all.judge("NOERROR", &records(&["192.0.2.2", "192.0.2.1"])),
            Ok(())
        );
        assert_eq!(
            all.judge("NOERROR", &records(&["192.0.2.2"])),
            Err(
                r#"expected all of ["192.0.2.1", "192.0.2.2"], missing ["192.0.2.1"], got ["192.0.2.2"]"#
                    .into()
            )
        );
        let many: Vec<String> = (0..12).map(|i| format!("192.0.2.{i}")).collect();
        let error = plain
            .clone()
            .apply(input(r#"{"expectedValues": ["198.51.100.1"]}"#))
            .unwrap()
            .judge("NOERROR", &many)
            .unwrap_err();
        assert!(error.ends_with(r#""192.0.2.9" and 2 more]"#), "{error}");
    }

    #[test]
    fn rcodes_by_name() {
        assert_eq!(rcode_name(ResponseCode::NXDomain), "NXDOMAIN");
        assert_eq!(rcode_name(ResponseCode::ServFail), "SERVFAIL");
        assert_eq!(rcode_name(ResponseCode::BADCOOKIE), "RCODE23");
        assert_eq!(RCODE_NAMES, RCODES.map(|(n, _)| n));
    }
}
