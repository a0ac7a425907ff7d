//! A check's pings: the address to ping (resolved at each check), how long each packet may wait
//! so that all fit in the monitor's timeout, the series sent over a socket of the address's
//! family, and the outcome judged from what came back.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use tokio::time::timeout_at;

use super::echo::Family;
use super::judge::IcmpDetails;
use super::socket::IcmpSocket;
use super::{IcmpSettings, IpVersion};
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::endpoint;
use crate::monitors::model::ErrorKind;

impl IcmpSettings {
    /// One check: resolve the host, open a socket, send the pings, judge them; all within
    /// `timeout` (the monitor's).
    pub(super) async fn ping(&self, timeout: Duration) -> CheckOutcome {
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

    /// How long each packet waits: `packetTimeoutMs`, less when the packets would not all fit
    /// in `timeout` (the monitor's). The check's deadline still bounds every wait, so a slow
    /// name lookup leaves the last packet less.
    fn per_packet_timeout(&self, timeout: Duration) -> Duration {
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::settings;
    use super::*;

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
