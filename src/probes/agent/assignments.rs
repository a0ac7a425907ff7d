//! Follows the probe's assignments with a long poll, and estimates the server's clock from
//! each answer's `serverTime`: checks run on the server's grid, not on the probe's clock.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::watch;

use super::Shared;
use super::api::{Api, CallError};
use crate::clock::Timestamp;
use crate::ids::MonitorId;
use crate::monitors::remote::Assignment;

/// The current assignments, by monitor.
pub type List = Arc<BTreeMap<MonitorId, Assignment>>;

/// The server's clock minus the probe's, estimated from answers.
#[derive(Debug, Default)]
pub struct Offset {
    /// The shortest round trip seen. A long poll's round trip is mostly waiting, so only the
    /// shortest one tells how long an answer takes to come back (about half of it).
    best_rtt_ms: Option<i64>,
}

impl Offset {
    /// The offset (ms) from one answer stamped `server_time`, to a request sent at `sent` and
    /// answered at `received` on the probe's clock. The server stamps its answer as it sends
    /// it, so the stamp is `received` less the way back, on the server's clock.
    pub fn sample(&mut self, sent: Timestamp, received: Timestamp, server_time: Timestamp) -> i64 {
        let rtt = (received - sent).num_milliseconds().max(0);
        let best = self.best_rtt_ms.map_or(rtt, |b| b.min(rtt));
        self.best_rtt_ms = Some(best);
        (server_time - received).num_milliseconds() + best / 2
    }
}

/// Fetches the assignments for ever, publishing each new list on `lists`.
pub async fn follow(api: Arc<Api>, shared: Arc<Shared>, lists: watch::Sender<List>) {
    let mut version: Option<String> = None;
    let mut offset = Offset::default();
    let mut failures = 0u32;
    loop {
        let sent = shared.clock.now();
        match api.assignments(version.as_deref()).await {
            Ok(answer) => {
                let received = shared.clock.now();
                let skew = offset.sample(sent, received, answer.server_time);
                shared.set_offset_ms(skew);
                let n = answer.monitors.len();
                if version.is_none() || failures > 0 {
                    let labels: Vec<String> = answer
                        .probe
                        .labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    log::info!(
                        "connected as probe {:?} ({}): {n} monitors assigned; the server's clock is {skew} ms ahead of this one",
                        answer.probe.name,
                        labels.join(", "),
                    );
                } else if version.as_deref() != Some(answer.version.as_str()) {
                    log::info!("assignments changed: {n} monitors assigned");
                }
                failures = 0;
                if version.as_deref() != Some(answer.version.as_str()) {
                    let list = answer.monitors.into_iter().map(|a| (a.id, a)).collect();
                    lists.send_replace(Arc::new(list));
                    version = Some(answer.version);
                }
            }
            Err(e) => {
                failures += 1;
                if e.is_token_refused() {
                    log::error!("{}", token_refused(&e));
                    tokio::time::sleep(super::TOKEN_REFUSED_RETRY).await;
                    continue;
                }
                if failures == 1 {
                    log::warn!(
                        "cannot fetch assignments ({e}): checking the last ones received, retrying"
                    );
                }
                tokio::time::sleep(super::backoff(failures)).await;
            }
        }
    }
}

/// What to do when the server refuses the token.
pub fn token_refused(e: &CallError) -> String {
    format!(
        "the server refuses this probe's token ({e}): it was replaced or revoked, or the probe \
         removed. Give the probe its new token (`dutyduck probes token ID` on the server) and \
         restart it; retrying every {} s meanwhile, results stay in the buffer",
        super::TOKEN_REFUSED_RETRY.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        crate::store::time::from_db(1_800_000_000_000 + ms)
    }

    #[test]
    fn the_offset_counts_half_the_shortest_round_trip() {
        // (sent, received, serverTime, offset): the server's clock is 1 s ahead throughout,
        // answers take 50 ms each way.
        let answers = [
            // An immediate answer: round trip 100 ms.
            (0, 100, 1050, 1000),
            // A long poll answered after 25 s: its round trip says nothing of the way back.
            (100, 25_150, 26_100, 1000),
            // A slower immediate answer (300 ms): the shortest round trip still counts.
            (30_000, 30_300, 31_250, 1000),
        ];
        let mut offset = Offset::default();
        for (sent, received, server, expected) in answers {
            assert_eq!(offset.sample(at(sent), at(received), at(server)), expected);
        }
        // A clock behind the probe's gives a negative offset.
        assert_eq!(Offset::default().sample(at(0), at(20), at(-4990)), -5000);
    }
}
