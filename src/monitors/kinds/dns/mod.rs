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
//!
//! Here the settings, their validation and the check's steps; the query on the wire in
//! `exchange`, and judging the answer in `answer`.

mod answer;
mod exchange;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use self::answer::{RCODE_NAMES, rcode_name, rcode_number, records_of_type};
use self::exchange::{exchange, read_system_resolver};
use super::CheckKind;
use super::endpoint::{self, MAX_HOST};
use crate::error::{Error, Result};
use crate::limits;
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;

/// The record types a monitor may query.
pub const RECORD_TYPES: [&str; 9] = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "CAA", "SRV"];
const MATCHES: [&str; 2] = ["any", "all"];
/// The longest resolver: "[ffff:…:ffff]:65535".
const MAX_RESOLVER: usize = 60;
/// The resolver's port when its address names none (and the system's, always).
const DEFAULT_PORT: u16 = 53;
/// How many records a result keeps: details are stored with every raw result (7 days).
const KEPT_RECORDS: usize = 20;

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
            None => Ok(read_system_resolver(deadline).await),
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
        let records = records_of_type(&answer, record_type);
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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn input(json: &str) -> DnsInput {
        serde_json::from_str(json).unwrap()
    }

    pub(super) fn settings(json: &str) -> DnsSettings {
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
}
