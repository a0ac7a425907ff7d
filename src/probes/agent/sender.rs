//! Sends the buffer to `POST /probe/results`, oldest first, one segment (at most 1,000 results)
//! per request; a segment leaves the buffer only once the server has acknowledged it. The
//! server unreachable (no connection, a timeout, a 5xx, a 408 or 429): tried again with a
//! backoff capped at 30 s while the buffer grows. The token refused (401, 403): tried again
//! every minute, keeping the results, because the usual fix is a new token and a restart,
//! which sends them; exiting instead would lose nothing either, but would make a supervisor
//! restart the probe in a loop. Any other 4xx means the server will never take that batch
//! (a probe older than the server, say): it is dropped, with an error in the log, so that it
//! cannot block every result behind it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::Shared;
use super::api::{Api, CallError};
use crate::probes::wire::ResultBatch;

/// How often the size of the buffer is logged while the server cannot be reached.
const REPORT_EVERY: Duration = Duration::from_secs(30);

/// Whether a refused batch may be accepted later (else it is dropped).
pub fn worth_retrying(e: &CallError) -> bool {
    match e {
        CallError::Unreachable(_) => true,
        CallError::Refused(status, _) => {
            status.is_server_error()
                || [StatusCode::REQUEST_TIMEOUT, StatusCode::TOO_MANY_REQUESTS].contains(status)
                || e.is_token_refused()
        }
    }
}

pub async fn send(api: Arc<Api>, shared: Arc<Shared>) {
    let mut failures = 0u32;
    let mut last_report = Instant::now();
    // Results sent since the server came back, while the backlog lasts.
    let mut catching_up: Option<usize> = None;
    loop {
        let oldest = shared.buffer().oldest();
        let (seq, results) = match oldest {
            Ok(Some(batch)) => batch,
            Ok(None) => {
                if let Some(sent) = catching_up.take() {
                    log::info!("sent the {sent} results buffered while the server was unreachable");
                }
                // Woken by the next result; the fsync of the open segment once a second.
                let _ =
                    tokio::time::timeout(Duration::from_secs(1), shared.appended.notified()).await;
                if let Err(e) = shared.buffer().sync() {
                    log::error!("cannot sync the buffer: {e}");
                }
                continue;
            }
            Err(e) => {
                log::error!(
                    "cannot read the buffer in {}: {e}",
                    shared.buffer_dir.display()
                );
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let n = results.len();
        match api.results(&ResultBatch { results }).await {
            Ok(recorded) => {
                if failures > 0 {
                    let waiting = shared.buffer().len();
                    log::info!("reconnected: sending {waiting} buffered results, oldest first");
                    catching_up = Some(0);
                }
                failures = 0;
                if let Some(sent) = catching_up.as_mut() {
                    *sent += n;
                }
                log::debug!(
                    "sent {n} results: {} accepted, {} late, {} ignored",
                    recorded.accepted,
                    recorded.late,
                    recorded.ignored
                );
                acknowledge(&shared, seq);
            }
            Err(e) if !worth_retrying(&e) => {
                log::error!("the server refused {n} results, which are dropped: {e}");
                acknowledge(&shared, seq);
            }
            Err(e) => {
                failures += 1;
                if e.is_token_refused() {
                    log::error!("{}", super::assignments::token_refused(&e));
                    tokio::time::sleep(super::TOKEN_REFUSED_RETRY).await;
                    continue;
                }
                let (waiting, dropped) = {
                    let buffer = shared.buffer();
                    (buffer.len(), buffer.dropped)
                };
                if failures == 1 || last_report.elapsed() >= REPORT_EVERY {
                    last_report = Instant::now();
                    log::warn!(
                        "cannot send results ({e}): {waiting} results buffered in {}{}",
                        shared.buffer_dir.display(),
                        match dropped {
                            0 => String::new(),
                            d => format!(", {d} of the oldest dropped (--buffer-max-results)"),
                        }
                    );
                }
                tokio::time::sleep(super::backoff(failures)).await;
            }
        }
    }
}

fn acknowledge(shared: &Shared, seq: u64) {
    if let Err(e) = shared.buffer().acknowledge(seq) {
        log::error!("cannot remove sent results from the buffer: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_batches_the_server_may_take_later_are_kept() {
        let refused =
            |code: u16| CallError::Refused(StatusCode::from_u16(code).unwrap(), String::new());
        for (e, retry) in [
            (CallError::Unreachable("connection refused".into()), true),
            (refused(500), true),
            (refused(503), true),
            (refused(408), true),
            (refused(429), true),
            (refused(401), true),
            (refused(403), true),
            (refused(400), false),
            (refused(413), false),
            (refused(422), false),
        ] {
            assert_eq!(worth_retrying(&e), retry, "{e}");
        }
    }
}
