//! The one clock. Everything that reads the time or waits for a deadline goes through `Clock`,
//! so tests can drive time by hand instead of sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

pub type Timestamp = DateTime<Utc>;

#[derive(Clone)]
pub struct Clock(Arc<Inner>);

enum Inner {
    System,
    Manual {
        now: Mutex<Timestamp>,
        changed: watch::Sender<()>,
    },
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Clock(Arc::new(Inner::System))
    }

    /// A clock that only moves when `advance` or `set` is called.
    pub fn manual(start: Timestamp) -> Self {
        let (changed, _) = watch::channel(());
        Clock(Arc::new(Inner::Manual {
            now: Mutex::new(start),
            changed,
        }))
    }

    pub fn now(&self) -> Timestamp {
        match &*self.0 {
            Inner::System => Utc::now(),
            Inner::Manual { now, .. } => *now.lock().expect("clock lock"),
        }
    }

    /// Moves a manual clock forward and wakes whoever waits in `sleep_until`.
    /// Panics on the system clock: only tests move time.
    pub fn advance(&self, by: chrono::Duration) {
        let now = self.now() + by;
        self.set(now);
    }

    pub fn set(&self, to: Timestamp) {
        match &*self.0 {
            Inner::System => panic!("the system clock cannot be moved"),
            Inner::Manual { now, changed } => {
                *now.lock().expect("clock lock") = to;
                changed.send_replace(());
            }
        }
    }

    /// Resolves once the clock reads `deadline` or later.
    pub async fn sleep_until(&self, deadline: Timestamp) {
        match &*self.0 {
            Inner::System => {
                let wait = (deadline - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
            }
            Inner::Manual { changed, .. } => {
                let mut rx = changed.subscribe();
                while self.now() < deadline {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_clock_wakes_sleepers_when_advanced_past_their_deadline() {
        let start = Utc::now();
        let clock = Clock::manual(start);
        let deadline = start + chrono::Duration::seconds(30);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(deadline).await }
        });
        clock.advance(chrono::Duration::seconds(10));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(chrono::Duration::seconds(20));
        tokio::time::timeout(std::time::Duration::from_secs(5), sleeper)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(clock.now(), deadline);
    }
}
