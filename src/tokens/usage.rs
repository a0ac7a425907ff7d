//! "Last used" times of API tokens, kept in memory and written in batches, so authenticating a
//! request never waits for a write. Listings merge the pending times, so they are never stale.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::TokenId;
use crate::store::Store;

#[derive(Default)]
pub struct TokenUsage {
    pending: Mutex<HashMap<TokenId, Timestamp>>,
}

impl TokenUsage {
    pub fn record(&self, id: TokenId, at: Timestamp) {
        let mut pending = self.pending.lock().expect("usage lock");
        let entry = pending.entry(id).or_insert(at);
        *entry = (*entry).max(at);
    }

    /// The not-yet-written last use of `id`.
    pub fn pending(&self, id: TokenId) -> Option<Timestamp> {
        self.pending.lock().expect("usage lock").get(&id).copied()
    }

    /// Writes what is pending in one transaction.
    pub async fn flush(&self, store: &Store) -> Result<()> {
        let uses: Vec<(TokenId, Timestamp)> =
            std::mem::take(&mut *self.pending.lock().expect("usage lock"))
                .into_iter()
                .collect();
        if uses.is_empty() {
            return Ok(());
        }
        store
            .write(move |conn| super::store::record_last_used(conn, &uses))
            .await
    }
}
