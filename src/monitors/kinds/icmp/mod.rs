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
//!
//! Here the settings and their validation; a check's steps in `ping`, judging what they gave in
//! `judge`.

mod echo;
mod judge;
mod ping;
mod socket;

use std::net::IpAddr;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CheckKind;
use super::endpoint::{self, HOST_PATTERN, MAX_HOST};
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;

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
        format!("icmp://{}", endpoint::url_host(&self.ping_host))
    }

    /// Nothing secret: a ping carries no credentials.
    fn mask(&mut self) {}

    async fn check(&self, _: &(), timeout: Duration) -> CheckOutcome {
        self.ping(timeout).await
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> IcmpInput {
        serde_json::from_str(json).unwrap()
    }

    pub(super) fn settings(json: &str) -> IcmpSettings {
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
}
