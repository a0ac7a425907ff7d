//! The probe: `dutyduck probe --server URL`. It fetches its assignments (a long poll), runs
//! each check on the server's grid, and sends the results, keeping them in a bounded buffer
//! on disk while the server cannot be reached.
//!
//! Three tasks share a [`Shared`]: `assignments::follow` (the list and the server's clock),
//! `schedule::run` (the checks, into the buffer) and `sender::send` (the buffer, out). The
//! probe keeps no database: the buffer's segment files are its only state.

mod api;
mod assignments;
mod buffer;
mod schedule;
mod sender;

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, watch};

pub use buffer::Buffer;

use crate::clock::{Clock, Timestamp};
use crate::monitors::remote::RemoteResult;

/// How often a probe whose token is refused tries again.
const TOKEN_REFUSED_RETRY: Duration = Duration::from_secs(60);

/// The wait before the `failures`th attempt in a row: 1 s, doubling, at most 30 s. Capped low
/// so that a server back from a restart hears from its probes within half a minute.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

pub struct Config {
    /// The server's URL (a base: a path prefix is kept).
    pub server: url::Url,
    /// The probe's token, `ddp_…`.
    pub token: String,
    pub buffer_dir: PathBuf,
    pub buffer_max_results: usize,
    pub concurrency: usize,
}

/// What the probe's tasks share.
pub struct Shared {
    pub clock: Clock,
    /// The server's clock minus this one, in ms.
    offset_ms: AtomicI64,
    buffer: Mutex<Buffer>,
    buffer_dir: PathBuf,
    /// Told when a result is appended to the buffer.
    appended: Notify,
}

impl Shared {
    fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
    }

    fn offset(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The server's clock, as the probe estimates it.
    pub fn server_now(&self) -> Timestamp {
        self.clock.now() + self.offset()
    }

    /// The probe's time at which the server's clock reads `server`.
    pub fn local(&self, server: Timestamp) -> Timestamp {
        server - self.offset()
    }

    fn buffer(&self) -> MutexGuard<'_, Buffer> {
        self.buffer.lock().expect("buffer lock")
    }

    /// Appends a result to the buffer and wakes the sender.
    fn push(&self, result: RemoteResult) {
        match self.buffer().append(&result) {
            Ok(0) => {}
            Ok(dropped) => log::warn!(
                "the buffer is full (--buffer-max-results): dropped the {dropped} oldest results"
            ),
            Err(e) => log::error!(
                "cannot write a result to the buffer in {}: {e}",
                self.buffer_dir.display()
            ),
        }
        self.appended.notify_one();
    }
}

/// Runs the probe until `stop` resolves, then finishes the checks under way (their results go
/// to the buffer, for the next start to send). Err: the buffer cannot be opened.
pub async fn run(
    config: Config,
    clock: Clock,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    let buffer = Buffer::open(&config.buffer_dir, config.buffer_max_results).map_err(|e| {
        format!(
            "cannot open the buffer dir {}: {e}",
            config.buffer_dir.display()
        )
    })?;
    if !buffer.is_empty() {
        log::info!(
            "{} results left in {} by the previous run: sending them first",
            buffer.len(),
            config.buffer_dir.display()
        );
    }
    let api = Arc::new(api::Api::new(
        config.server.clone(),
        config.token,
        clock.clone(),
    )?);
    let shared = Arc::new(Shared {
        clock,
        offset_ms: AtomicI64::new(0),
        buffer: Mutex::new(buffer),
        buffer_dir: config.buffer_dir.clone(),
        appended: Notify::new(),
    });
    log::info!("probe starting: server {}", config.server);
    let (lists_tx, lists) = watch::channel(assignments::List::default());
    let (stop_tx, stopping) = watch::channel(false);
    let follow = tokio::spawn(assignments::follow(api.clone(), shared.clone(), lists_tx));
    let sender = tokio::spawn(sender::send(api, shared.clone()));
    let checks = tokio::spawn(schedule::run(
        shared.clone(),
        lists,
        config.concurrency,
        stopping,
    ));
    stop.await;
    log::info!("stopping: waiting for the checks under way");
    stop_tx.send_replace(true);
    let _ = checks.await;
    follow.abort();
    // A batch being sent is not acknowledged: it stays in the buffer, sent again next start.
    sender.abort();
    let buffer = shared.buffer();
    if let Err(e) = buffer.sync() {
        log::error!("cannot sync the buffer: {e}");
    }
    log::info!(
        "stopped; {} results in the buffer for the next start",
        buffer.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_half_a_minute() {
        for (failures, seconds) in [(0, 1), (1, 1), (2, 2), (3, 4), (5, 16), (6, 30), (40, 30)] {
            assert_eq!(
                backoff(failures),
                Duration::from_secs(seconds),
                "{failures}"
            );
        }
    }
}
