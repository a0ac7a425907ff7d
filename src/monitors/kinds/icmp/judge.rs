//! Judging what a check's pings gave, without any I/O: the packets sent and the round trips of
//! the replies against the monitor's thresholds (loss, then the average round trip), and the
//! details kept with the result (loss and round trips rounded to a tenth).

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use super::IcmpSettings;
use super::socket::{SocketKind, Tally};
use crate::monitors::model::ErrorKind;

/// What a ping check saw, kept with its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IcmpDetails {
    /// The address pinged.
    pub(super) address: String,
    pub(super) sent: u32,
    pub(super) received: u32,
    /// The share of the packets sent that got no reply, to 0.1 %.
    pub(super) loss_percent: f64,
    /// Round trips in milliseconds, to 0.1 ms; null without a reply.
    pub(super) rtt_min_ms: Option<f64>,
    pub(super) rtt_avg_ms: Option<f64>,
    pub(super) rtt_max_ms: Option<f64>,
    /// "dgram" (an unprivileged ping socket) or "raw".
    pub(super) socket: SocketKind,
}

impl IcmpDetails {
    pub(super) fn new(address: IpAddr, socket: SocketKind, tally: &Tally) -> IcmpDetails {
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

impl IcmpSettings {
    /// Whether `sent` packets whose replies took `round_trips` pass the thresholds: None when
    /// they do, else the error kind and the message. All lost is a timeout (`per_packet` is how
    /// long each waited), more lost than `maxPacketLossPercent` is `loss`, an average round trip
    /// over `maxRoundTripMs` is `slow`.
    pub(super) fn judge(
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
    use super::super::tests::settings;
    use super::*;

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
}
