//! The ICMP kind: ping a host. A check sends `packetCount` echo requests one after the other,
//! each waiting at most `packetTimeoutMs` for its reply, and is judged by the share of packets
//! lost (`maxPacketLossPercent`) and the average round trip (`maxRoundTripMs`). No reply at all
//! is a timeout; a host name is resolved at each check (`ipVersion` picks the family).
//!
//! The whole check ends within the monitor's `requestTimeoutMs`: each packet waits at most
//! `min(packetTimeoutMs, requestTimeoutMs / packetCount)`, and nothing waits past the deadline
//! (a slow name lookup leaves the last packets less time, or unsent and not counted).
//!
//! Sockets: an unprivileged ping socket where the kernel allows it, else a raw socket (root or
//! CAP_NET_RAW), else a failure saying which sysctl or capability to grant (`socket`). Echo
//! messages are encoded and decoded in `echo` (8 bytes of header and a checksum: smaller than a
//! dependency would be).

mod echo;
mod socket;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::time::timeout_at;

use self::echo::Family;
use self::socket::{IcmpSocket, SocketKind, Tally};
use super::CheckKind;
use super::endpoint::{self, HOST_PATTERN, MAX_HOST};
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;

pub use self::socket::NOT_PERMITTED;

pub const DEFAULT_PACKET_COUNT: u32 = 3;
pub const MAX_PACKET_COUNT: u32 = 20;
pub const DEFAULT_PACKET_TIMEOUT_MS: u32 = 1000;
pub const MIN_PACKET_TIMEOUT_MS: u32 = 100;
pub const MAX_PACKET_TIMEOUT_MS: u32 = 10_000;
/// More than half of the packets lost fails a check: a packet lost now and then is routine on
/// real paths (routers drop ICMP first when busy) and would make a monitor flap, while a link
/// that loses most of them is in trouble. Losing them all is always a failure (a timeout).
pub const DEFAULT_MAX_PACKET_LOSS_PERCENT: u32 = 50;
/// What `ipVersion` takes (null: whichever address the name resolves to first).
pub const IP_VERSIONS: [&str; 2] = ["4", "6"];

/// The ICMP fields a user may send. For create, absent fields take their defaults; for PATCH,
/// absent fields keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IcmpInput {
    /// Host name or IP address to ping; required on create.
    #[schemars(length(min = 1, max = MAX_HOST), regex(pattern = HOST_PATTERN))]
    pub ping_host: Option<String>,
    /// "4" or "6": ping the host's IPv4 or IPv6 address; null (default): the first address the
    /// name resolves to (an IP address is pinged as it is, and must be of that version).
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(extend("enum" = ["4", "6", null]))]
    pub ip_version: Option<Option<String>>,
    /// Echo requests per check, sent one after the other: 1 to 20, default 3.
    #[schemars(range(min = 1, max = MAX_PACKET_COUNT))]
    pub packet_count: Option<u32>,
    /// How long each request waits for its reply: 100 to 10000 ms, default 1000. The whole
    /// check still ends within `requestTimeoutMs`: each packet waits at most `requestTimeoutMs`
    /// divided by `packetCount`.
    #[schemars(range(min = MIN_PACKET_TIMEOUT_MS, max = MAX_PACKET_TIMEOUT_MS))]
    pub packet_timeout_ms: Option<u32>,
    /// The share of packets that may be lost, 0 to 100 (default 50: more than half lost fails
    /// the check). Losing them all always fails (a timeout).
    #[schemars(range(min = 0, max = 100))]
    pub max_packet_loss_percent: Option<u32>,
    /// An average round trip longer than this fails the check (1 to 10000 ms); null: no
    /// threshold.
    #[serde(default, deserialize_with = "crate::serde_util::present")]
    #[schemars(range(min = 1, max = MAX_PACKET_TIMEOUT_MS))]
    pub max_round_trip_ms: Option<Option<u32>>,
}

/// The IP version an ICMP monitor pings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum IpVersion {
    #[serde(rename = "4")]
    V4,
    #[serde(rename = "6")]
    V6,
}

impl IpVersion {
    /// "4", "6", "v4", "IPv6"…
    fn parse(value: &str) -> Option<IpVersion> {
        let value = value.trim().to_ascii_lowercase();
        let value = value.strip_prefix("ip").unwrap_or(&value);
        match value.strip_prefix('v').unwrap_or(value) {
            "4" => Some(IpVersion::V4),
            "6" => Some(IpVersion::V6),
            _ => None,
        }
    }

    fn of(address: IpAddr) -> IpVersion {
        match address {
            IpAddr::V4(_) => IpVersion::V4,
            IpAddr::V6(_) => IpVersion::V6,
        }
    }

    fn name(self) -> &'static str {
        match self {
            IpVersion::V4 => "IPv4",
            IpVersion::V6 => "IPv6",
        }
    }
}

/// An ICMP monitor's settings, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Shown flat beside the monitor's common fields: the monitor's schema closes the whole object.
#[schemars(extend("additionalProperties" = true))]
pub struct IcmpSettings {
    pub ping_host: String,
    pub ip_version: Option<IpVersion>,
    pub packet_count: u32,
    pub packet_timeout_ms: u32,
    pub max_packet_loss_percent: u32,
    pub max_round_trip_ms: Option<u32>,
}

/// What a ping check saw, kept with its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IcmpDetails {
    /// The address pinged.
    pub address: String,
    pub sent: u32,
    pub received: u32,
    /// The share of the packets sent that got no reply, to 0.1 %.
    pub loss_percent: f64,
    /// Round trips in milliseconds, to 0.1 ms; null without a reply.
    pub rtt_min_ms: Option<f64>,
    pub rtt_avg_ms: Option<f64>,
    pub rtt_max_ms: Option<f64>,
    /// "dgram" (an unprivileged ping socket) or "raw".
    pub socket: SocketKind,
}

impl IcmpDetails {
    fn new(address: IpAddr, socket: SocketKind, tally: &Tally) -> IcmpDetails {
        let received = u32::try_from(tally.round_trips.len()).unwrap_or(u32::MAX);
        let ms: Vec<f64> = tally
            .round_trips
            .iter()
            .map(|rtt| rtt.as_secs_f64() * 1000.0)
            .collect();
        let tenth = |value: f64| (value * 10.0).round() / 10.0;
        let lost = tally.sent.saturating_sub(received);
        IcmpDetails {
            address: address.to_string(),
            sent: tally.sent,
            received,
            loss_percent: if tally.sent == 0 {
                0.0
            } else {
                tenth(f64::from(lost) * 100.0 / f64::from(tally.sent))
            },
            rtt_min_ms: ms.iter().copied().reduce(f64::min).map(tenth),
            rtt_avg_ms: average(&ms).map(tenth),
            rtt_max_ms: ms.iter().copied().reduce(f64::max).map(tenth),
            socket,
        }
    }
}

fn average(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

impl CheckKind for IcmpSettings {
    type Input = IcmpInput;
    type Checker = ();
    const REQUIRED: &'static [&'static str] = &["pingHost"];

    fn create(input: IcmpInput) -> Result<IcmpSettings> {
        let host = input.ping_host.clone().unwrap_or_default();
        let settings = IcmpSettings {
            ping_host: endpoint::host("pingHost", &host)?,
            ip_version: None,
            packet_count: DEFAULT_PACKET_COUNT,
            packet_timeout_ms: DEFAULT_PACKET_TIMEOUT_MS,
            max_packet_loss_percent: DEFAULT_MAX_PACKET_LOSS_PERCENT,
            max_round_trip_ms: None,
        };
        settings.apply(input)
    }

    fn apply(mut self, input: IcmpInput) -> Result<IcmpSettings> {
        if let Some(host) = input.ping_host {
            self.ping_host = endpoint::host("pingHost", &host)?;
        }
        if let Some(version) = input.ip_version {
            self.ip_version = match version.filter(|v| !v.trim().is_empty()) {
                None => None,
                Some(value) => Some(IpVersion::parse(&value).ok_or_else(|| {
                    Error::invalid_field(
                        "ipVersion",
                        format!("must be \"4\", \"6\" or null (got {value:?})"),
                    )
                })?),
            };
        }
        if let Some(count) = input.packet_count {
            limits::range("packetCount", count, 1, MAX_PACKET_COUNT)?;
            self.packet_count = count;
        }
        if let Some(ms) = input.packet_timeout_ms {
            limits::range(
                "packetTimeoutMs",
                ms,
                MIN_PACKET_TIMEOUT_MS,
                MAX_PACKET_TIMEOUT_MS,
            )?;
            self.packet_timeout_ms = ms;
        }
        if let Some(percent) = input.max_packet_loss_percent {
            limits::range("maxPacketLossPercent", percent, 0, 100)?;
            self.max_packet_loss_percent = percent;
        }
        if let Some(ms) = input.max_round_trip_ms {
            if let Some(ms) = ms {
                limits::range("maxRoundTripMs", ms, 1, MAX_PACKET_TIMEOUT_MS)?;
            }
            self.max_round_trip_ms = ms;
        }
        self.validate()
    }

    /// `icmp://host` (an IPv6 address in brackets).
    fn target(&self) -> String {
        if self.ping_host.contains(':') {
            format!("icmp://[{}]", self.ping_host)
        } else {
            format!("icmp://{}", self.ping_host)
        }
    }

    /// Nothing secret: a ping carries no credentials.
    fn mask(&mut self) {}

    async fn check(&self, _: &(), timeout: Duration) -> CheckOutcome {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + timeout;
        let per_packet = self.per_packet_timeout(timeout);
        let address = match timeout_at(deadline, self.resolve()).await {
            Ok(Ok(address)) => address,
            Ok(Err(message)) => {
                return CheckOutcome::failed(
                    ErrorKind::Connect,
                    message,
                    endpoint::elapsed_ms(started),
                );
            }
            Err(_) => {
                return endpoint::timed_out(
                    &format!("DNS lookup of {} did not finish", self.ping_host),
                    timeout,
                    started,
                );
            }
        };
        let family = match address {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        };
        let socket = match IcmpSocket::open(family) {
            Ok(socket) => socket,
            Err(message) => {
                return CheckOutcome::failed(
                    ErrorKind::Connect,
                    message,
                    endpoint::elapsed_ms(started),
                );
            }
        };
        let count = u16::try_from(self.packet_count).unwrap_or(u16::MAX);
        let tally = socket.ping(address, count, per_packet, deadline).await;
        let details = IcmpDetails::new(address, socket.kind(), &tally);
        let elapsed = endpoint::elapsed_ms(started);
        let outcome = match (&tally.send_error, details.received) {
            // The name lookup took the whole timeout, or nearly.
            _ if tally.sent == 0 => endpoint::timed_out("no ping sent", timeout, started),
            (Some(error), 0) => CheckOutcome::failed(
                ErrorKind::Connect,
                format!("could not send a ping to {address}: {error}"),
                elapsed,
            ),
            _ => {
                let response_ms = details.rtt_avg_ms.map_or(elapsed, |ms| {
                    ms.round().clamp(0.0, f64::from(u32::MAX)) as u32
                });
                let answered = details.received > 0;
                match self.judge(details.sent, &tally.round_trips, per_packet) {
                    None => CheckOutcome::passed(response_ms),
                    Some((kind, message)) => CheckOutcome {
                        answered,
                        ..CheckOutcome::failed(
                            kind,
                            message,
                            if answered { response_ms } else { elapsed },
                        )
                    },
                }
            }
        };
        outcome.with_details(details)
    }
}

impl IcmpSettings {
    fn validate(self) -> Result<IcmpSettings> {
        if let (Ok(address), Some(version)) = (self.ping_host.parse::<IpAddr>(), self.ip_version)
            && IpVersion::of(address.to_canonical()) != version
        {
            return Err(Error::invalid_field(
                "ipVersion",
                format!(
                    "is {} but pingHost is an {} address",
                    version.name(),
                    IpVersion::of(address.to_canonical()).name()
                ),
            ));
        }
        Ok(self)
    }

    /// How long each packet waits: `packetTimeoutMs`, less when the packets would not all fit
    /// in `timeout` (the monitor's). The check's deadline still bounds every wait, so a slow
    /// name lookup leaves the last packet less.
    pub fn per_packet_timeout(&self, timeout: Duration) -> Duration {
        let configured = Duration::from_millis(u64::from(self.packet_timeout_ms));
        configured.min(timeout / self.packet_count.max(1))
    }

    /// The address to ping: the host as it is when it is an address, else the first address
    /// of the wanted version that the name resolves to. The error is the check's message.
    async fn resolve(&self) -> std::result::Result<IpAddr, String> {
        let wanted =
            |address: &IpAddr| self.ip_version.is_none_or(|v| IpVersion::of(*address) == v);
        if let Ok(address) = self.ping_host.parse::<IpAddr>() {
            let address = address.to_canonical();
            if !wanted(&address) {
                return Err(format!(
                    "{} is not an {} address",
                    self.ping_host,
                    self.version_name()
                ));
            }
            return Ok(address);
        }
        let addresses = tokio::net::lookup_host((self.ping_host.as_str(), 0))
            .await
            .map_err(|e| format!("DNS lookup failed: {e}"))?;
        addresses
            .map(|a| a.ip().to_canonical())
            .find(wanted)
            .ok_or_else(|| match self.ip_version {
                Some(_) => format!(
                    "DNS lookup failed: {} has no {} address",
                    self.ping_host,
                    self.version_name()
                ),
                None => format!("DNS lookup failed: no address for {}", self.ping_host),
            })
    }

    fn version_name(&self) -> &'static str {
        self.ip_version.map_or("IP", IpVersion::name)
    }

    /// Whether `sent` packets whose replies took `round_trips` pass the thresholds: None when
    /// they do, else the error kind and the message. All lost is a timeout (`per_packet` is how
    /// long each waited), more lost than `maxPacketLossPercent` is `loss`, an average round trip
    /// over `maxRoundTripMs` is `slow`.
    pub fn judge(
        &self,
        sent: u32,
        round_trips: &[Duration],
        per_packet: Duration,
    ) -> Option<(ErrorKind, String)> {
        let received = u32::try_from(round_trips.len())
            .unwrap_or(u32::MAX)
            .min(sent);
        let lost = sent - received;
        let pings = |n: u32| if n == 1 { "ping" } else { "pings" };
        if received == 0 {
            let each = if sent == 1 { "" } else { " each" };
            return Some((
                ErrorKind::Timeout,
                format!(
                    "no reply to {sent} {} within {} ms{each}",
                    pings(sent),
                    per_packet.as_millis()
                ),
            ));
        }
        if u64::from(lost) * 100 > u64::from(self.max_packet_loss_percent) * u64::from(sent) {
            let percent = (f64::from(lost) * 1000.0 / f64::from(sent)).round() / 10.0;
            return Some((
                ErrorKind::Loss,
                format!(
                    "{lost} of {sent} {} lost ({percent}%), over the {}% allowed",
                    pings(sent),
                    self.max_packet_loss_percent
                ),
            ));
        }
        let ms: Vec<f64> = round_trips
            .iter()
            .map(|rtt| rtt.as_secs_f64() * 1000.0)
            .collect();
        let average = average(&ms).unwrap_or_default();
        match self.max_round_trip_ms {
            Some(max) if average > f64::from(max) => Some((
                ErrorKind::Slow,
                format!(
                    "average round trip {:.1} ms, over the {max} ms threshold",
                    average
                ),
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> IcmpInput {
        serde_json::from_str(json).unwrap()
    }

    fn settings(json: &str) -> IcmpSettings {
        IcmpSettings::create(input(json)).unwrap()
    }

    #[test]
    fn defaults_and_target() {
        let s = settings(r#"{"pingHost": "db.internal"}"#);
        assert_eq!(
            s,
            IcmpSettings {
                ping_host: "db.internal".into(),
                ip_version: None,
                packet_count: 3,
                packet_timeout_ms: 1000,
                max_packet_loss_percent: 50,
                max_round_trip_ms: None,
            }
        );
        assert_eq!(s.target(), "icmp://db.internal");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["pingHost"], "db.internal");
        assert!(json["ipVersion"].is_null());
        assert_eq!(json["packetCount"], 3);

        let s = s
            .apply(input(
                r#"{"pingHost": "[::1]", "ipVersion": "IPv6", "packetCount": 5,
                    "packetTimeoutMs": 250, "maxPacketLossPercent": 0, "maxRoundTripMs": 80}"#,
            ))
            .unwrap();
        assert_eq!(s.target(), "icmp://[::1]");
        assert_eq!(s.ip_version, Some(IpVersion::V6));
        assert_eq!(serde_json::to_value(&s).unwrap()["ipVersion"], "6");
        assert_eq!(
            (
                s.packet_count,
                s.packet_timeout_ms,
                s.max_packet_loss_percent,
                s.max_round_trip_ms
            ),
            (5, 250, 0, Some(80))
        );
        let reset = s
            .apply(input(
                r#"{"ipVersion": null, "maxRoundTripMs": null, "pingHost": "127.0.0.1"}"#,
            ))
            .unwrap();
        assert_eq!((reset.ip_version, reset.max_round_trip_ms), (None, None));
        let stored = serde_json::to_string(&reset).unwrap();
        assert_eq!(
            serde_json::from_str::<IcmpSettings>(&stored).unwrap(),
            reset
        );
    }

    #[test]
    fn validation_names_the_field() {
        let cases = [
            (r#"{"pingHost": "10.0.0.1", "ipVersion": "4"}"#, None),
            (r#"{"pingHost": "a.example", "ipVersion": "v6"}"#, None),
            (r#"{"pingHost": "a.example", "ipVersion": " "}"#, None),
            (r#"{"pingHost": "::ffff:10.0.0.1", "ipVersion": "4"}"#, None),
            (
                r#"{"pingHost": "a.example", "packetCount": 20, "packetTimeoutMs": 10000,
                    "maxPacketLossPercent": 100, "maxRoundTripMs": 10000}"#,
                None,
            ),
            (
                r#"{"pingHost": "a.example", "packetCount": 1, "packetTimeoutMs": 100,
                    "maxRoundTripMs": 1}"#,
                None,
            ),
            (r#"{}"#, Some("pingHost")),
            (r#"{"pingHost": " "}"#, Some("pingHost")),
            (r#"{"pingHost": "not a host"}"#, Some("pingHost")),
            (r#"{"pingHost": "http://a.example"}"#, Some("pingHost")),
            (
                r#"{"pingHost": "a.example", "ipVersion": "5"}"#,
                Some("ipVersion"),
            ),
            (
                r#"{"pingHost": "::1", "ipVersion": "4"}"#,
                Some("ipVersion"),
            ),
            (
                r#"{"pingHost": "10.0.0.1", "ipVersion": "6"}"#,
                Some("ipVersion"),
            ),
            (
                r#"{"pingHost": "a.example", "packetCount": 0}"#,
                Some("packetCount"),
            ),
            (
                r#"{"pingHost": "a.example", "packetCount": 21}"#,
                Some("packetCount"),
            ),
            (
                r#"{"pingHost": "a.example", "packetTimeoutMs": 99}"#,
                Some("packetTimeoutMs"),
            ),
            (
                r#"{"pingHost": "a.example", "packetTimeoutMs": 10001}"#,
                Some("packetTimeoutMs"),
            ),
            (
                r#"{"pingHost": "a.example", "maxPacketLossPercent": 101}"#,
                Some("maxPacketLossPercent"),
            ),
            (
                r#"{"pingHost": "a.example", "maxRoundTripMs": 0}"#,
                Some("maxRoundTripMs"),
            ),
            (
                r#"{"pingHost": "a.example", "maxRoundTripMs": 10001}"#,
                Some("maxRoundTripMs"),
            ),
        ];
        for (json, field) in cases {
            let result = IcmpSettings::create(input(json));
            match field {
                None => assert!(result.is_ok(), "{json}: {result:?}"),
                Some(field) => {
                    let message = result.unwrap_err().message;
                    assert!(message.starts_with(field), "{json}: {message}");
                }
            }
        }
    }

    /// The judging of a check, as a table: packets sent, round trips (ms) of the replies,
    /// thresholds → the error kind and message, or a pass.
    #[test]
    fn judging_by_loss_and_round_trip() {
        let ms = |values: &[f64]| -> Vec<Duration> {
            values
                .iter()
                .map(|v| Duration::from_secs_f64(v / 1000.0))
                .collect()
        };
        let second = Duration::from_secs(1);
        // (sent, round trips, maxPacketLossPercent, maxRoundTripMs, expected)
        let cases: Vec<(u32, Vec<f64>, u32, Option<u32>, Option<(ErrorKind, &str)>)> = vec![
            (3, vec![0.1, 0.2, 0.3], 50, None, None),
            (3, vec![0.1, 0.2, 0.3], 0, Some(1), None),
            (
                3,
                vec![],
                50,
                None,
                Some((
                    ErrorKind::Timeout,
                    "no reply to 3 pings within 1000 ms each",
                )),
            ),
            (
                1,
                vec![],
                100,
                None,
                Some((ErrorKind::Timeout, "no reply to 1 ping within 1000 ms")),
            ),
            // One lost of three (33.3 %) is within the default 50 %; two (66.7 %) are not.
            (3, vec![12.0, 14.0], 50, None, None),
            (
                3,
                vec![12.0],
                50,
                None,
                Some((
                    ErrorKind::Loss,
                    "2 of 3 pings lost (66.7%), over the 50% allowed",
                )),
            ),
            // Exactly at the threshold passes.
            (4, vec![1.0, 1.0], 50, None, None),
            (
                3,
                vec![1.0, 1.0],
                0,
                None,
                Some((
                    ErrorKind::Loss,
                    "1 of 3 pings lost (33.3%), over the 0% allowed",
                )),
            ),
            // 100 %: one reply is enough.
            (20, vec![5.0], 100, None, None),
            // The average is judged, not the slowest.
            (3, vec![5.0, 10.0, 30.0], 50, Some(15), None),
            (
                3,
                vec![10.0, 20.0, 30.5],
                50,
                Some(15),
                Some((
                    ErrorKind::Slow,
                    "average round trip 20.2 ms, over the 15 ms threshold",
                )),
            ),
            // Loss is judged before the round trip.
            (
                3,
                vec![90.0],
                0,
                Some(15),
                Some((
                    ErrorKind::Loss,
                    "2 of 3 pings lost (66.7%), over the 0% allowed",
                )),
            ),
            // Exactly at the round-trip threshold passes.
            (2, vec![15.0, 15.0], 50, Some(15), None),
        ];
        for (sent, round_trips, max_loss, max_rtt, expected) in cases {
            let s = IcmpSettings {
                max_packet_loss_percent: max_loss,
                max_round_trip_ms: max_rtt,
                ..settings(r#"{"pingHost": "a.example"}"#)
            };
            let got = s.judge(sent, &ms(&round_trips), second);
            let expected = expected.map(|(kind, message)| (kind, message.to_owned()));
            assert_eq!(
                got, expected,
                "{sent} {round_trips:?} {max_loss} {max_rtt:?}"
            );
        }
    }

    #[test]
    fn packets_fit_in_the_monitors_timeout() {
        let s = settings(r#"{"pingHost": "a.example", "packetCount": 4, "packetTimeoutMs": 2000}"#);
        assert_eq!(
            s.per_packet_timeout(Duration::from_secs(10)),
            Duration::from_secs(2)
        );
        assert_eq!(
            s.per_packet_timeout(Duration::from_secs(4)),
            Duration::from_secs(1)
        );
        assert_eq!(s.per_packet_timeout(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn details_round_to_a_tenth() {
        let tally = Tally {
            sent: 3,
            round_trips: vec![Duration::from_micros(120), Duration::from_micros(1_260)],
            send_error: None,
        };
        let details = IcmpDetails::new("127.0.0.1".parse().unwrap(), SocketKind::Raw, &tally);
        assert_eq!(
            serde_json::to_value(&details).unwrap(),
            serde_json::json!({"address": "127.0.0.1", "sent": 3, "received": 2,
                "lossPercent": 33.3, "rttMinMs": 0.1, "rttAvgMs": 0.7, "rttMaxMs": 1.3,
                "socket": "raw"})
        );
        let none = IcmpDetails::new("::1".parse().unwrap(), SocketKind::Dgram, &Tally::default());
        let json = serde_json::to_value(&none).unwrap();
        assert_eq!(
            (json["lossPercent"].as_f64(), &json["rttAvgMs"]),
            (Some(0.0), &serde_json::Value::Null)
        );
        assert_eq!(json["socket"], "dgram");
    }

    /// A name that does not resolve, or resolves to no address of the wanted version, is a
    /// `connect` failure naming the DNS lookup; an address of the wrong version too.
    #[tokio::test]
    async fn resolving() {
        let s = settings(r#"{"pingHost": "127.0.0.1"}"#);
        assert_eq!(s.resolve().await, Ok("127.0.0.1".parse().unwrap()));
        let s = settings(r#"{"pingHost": "::ffff:127.0.0.1"}"#);
        assert_eq!(s.resolve().await, Ok("127.0.0.1".parse().unwrap()));
        let s = settings(r#"{"pingHost": "localhost", "ipVersion": "4"}"#);
        assert_eq!(s.resolve().await, Ok("127.0.0.1".parse().unwrap()));
        let s = settings(r#"{"pingHost": "name.invalid"}"#);
        match tokio::time::timeout(Duration::from_secs(3), s.resolve()).await {
            Ok(result) => {
                let error = result.unwrap_err();
                assert!(error.starts_with("DNS lookup failed: "), "{error}");
            }
            Err(_) => eprintln!("skipped name.invalid: this machine's resolver does not answer"),
        }
        let s = IcmpSettings {
            ip_version: Some(IpVersion::V6),
            ..settings(r#"{"pingHost": "127.0.0.1"}"#)
        };
        assert_eq!(
            s.resolve().await.unwrap_err(),
            "127.0.0.1 is not an IPv6 address"
        );
    }
}
