//! Dashboards asking for the same overview at once share reads. A request waits for the read
//! in progress, if any, then either takes the result of a read that started after it arrived
//! or starts the next one, which then serves every request that came meanwhile. So each reply
//! is a snapshot taken after its request arrived (never older than the change that made a page
//! ask), and a crowd of N dashboards costs about two reads, not N.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::error::Result;

type Slot<T> = Arc<tokio::sync::Mutex<Option<(Instant, T)>>>;

pub struct Batches<K, T> {
    /// One slot per key (an organization and what the caller may see): its last read.
    slots: Mutex<Option<HashMap<K, Slot<T>>>>,
}

impl<K: Eq + Hash, T: Clone> Default for Batches<K, T> {
    fn default() -> Self {
        Batches::new()
    }
}

impl<K: Eq + Hash, T: Clone> Batches<K, T> {
    /// `const`, for a `static`.
    pub const fn new() -> Self {
        Batches {
            slots: Mutex::new(None),
        }
    }

    pub async fn get<F, Fut>(&self, key: K, read: F) -> Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let arrived = Instant::now();
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .get_or_insert_with(HashMap::new)
                .entry(key)
                .or_default()
                .clone()
        };
        let mut last = slot.lock().await;
        if let Some((started, value)) = last.as_ref()
            && *started >= arrived
        {
            return Ok(value.clone());
        }
        let started = Instant::now();
        let value = read().await?;
        *last = Some((started, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_started_before_a_request_is_never_its_answer() {
        let batches: Batches<u8, u32> = Batches::new();
        assert_eq!(batches.get(1, || async { Ok(1) }).await.unwrap(), 1);
        // The first read is over and older than this request: a new read.
        assert_eq!(batches.get(1, || async { Ok(2) }).await.unwrap(), 2);
        assert_eq!(
            batches.get(2, || async { Ok(3) }).await.unwrap(),
            3,
            "keys apart"
        );
    }
}
