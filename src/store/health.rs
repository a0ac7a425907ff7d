//! Whether the writer can store anything. A write job that fails on its own (a conflict, a bad
//! field) says nothing about the store; a batch that cannot start, is rolled back by SQLite or
//! cannot commit does (the disk is full, another process holds the lock, an I/O error). The
//! watchdog reads this to tell operators the server has stopped storing what it observes.

use std::sync::Mutex;

use crate::error::Error;

/// Free space that ends a full-disk episode: room for some minutes of check results.
pub const SPACE_TO_RESUME: u64 = 2 * 1024 * 1024;

#[derive(Default)]
pub struct WriteHealth(Mutex<State>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Batches that failed since the last one that committed.
    pub failures_in_a_row: u64,
    /// Batches that failed since start.
    pub failures_total: u64,
    /// The last failure, while the writer is failing.
    pub last_error: Option<Error>,
    /// A write was refused for lack of space, and free space has not been seen back since. On a
    /// full disk small writes may still fit in freed pages: a commit alone does not clear this.
    pub disk_full: bool,
}

impl State {
    pub fn failing(&self) -> bool {
        self.failures_in_a_row > 0
    }
}

impl WriteHealth {
    pub fn state(&self) -> State {
        self.0.lock().expect("write health lock").clone()
    }

    pub(super) fn committed(&self) {
        let mut s = self.0.lock().expect("write health lock");
        if s.failures_in_a_row > 0 {
            log::info!(
                "the database stores changes again (after {} failed writes)",
                s.failures_in_a_row
            );
        }
        s.failures_in_a_row = 0;
        s.last_error = None;
    }

    pub(super) fn failed(&self, error: &Error) {
        let mut s = self.0.lock().expect("write health lock");
        s.failures_in_a_row += 1;
        s.failures_total += 1;
        s.disk_full |= error.kind == crate::error::Kind::InsufficientStorage;
        s.last_error = Some(error.clone());
    }

    /// Free space is back on the database's disk.
    pub fn space_freed(&self) {
        self.0.lock().expect("write health lock").disk_full = false;
    }
}
