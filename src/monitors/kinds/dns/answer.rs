//! Judging a DNS answer: its records of the queried type as text, the response code by name,
//! and whether they are what the monitor expects (the message saying what was expected).

use std::net::IpAddr;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RecordType;

use super::{DnsSettings, ValuesMatch};

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
/// The names alone, for the input's schema and validation messages.
pub(super) const RCODE_NAMES: [&str; 11] = [
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",
];
/// How many records a message shows, and how many characters of each record are kept.
const SHOWN_RECORDS: usize = 10;
const RECORD_TEXT: usize = 500;

/// The answer's records of `record_type`, as text ("192.0.2.1", "10 mail.example.com."), each
/// clipped to a bounded length (peer data).
pub(super) fn records_of_type(answer: &Message, record_type: RecordType) -> Vec<String> {
    answer
        .answers
        .iter()
        .filter(|r| r.record_type() == record_type)
        .map(|r| r.data.to_string().chars().take(RECORD_TEXT).collect())
        .collect()
}

/// The number of the response code called `name` ("NXDOMAIN": 3); None for another name.
pub(super) fn rcode_number(name: &str) -> Option<u16> {
    RCODES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// "NOERROR", "NXDOMAIN"…, or "RCODE23" for a code without a usual name here.
pub(super) fn rcode_name(code: ResponseCode) -> String {
    let number = u16::from(code);
    RCODES
        .iter()
        .find(|(_, c)| *c == number)
        .map(|(n, _)| (*n).to_owned())
        .unwrap_or_else(|| format!("RCODE{number}"))
}

impl DnsSettings {
    /// Whether an answer with `rcode` and these records (of the queried type, as text) is the
    /// expected one; the error says what was expected.
    pub(super) fn judge(&self, rcode: &str, records: &[String]) -> std::result::Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{input, settings};
    use super::*;
    use crate::monitors::kinds::CheckKind;

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
