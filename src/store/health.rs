//! Whether the writer can store anything. A write job that fails on its own (a conflict, a bad
//! field) says nothing about the store; a batch that cannot start, is rolled back by SQLite or
//! cannot commit does (the disk is full, another process holds the lock, an I/O error). The
//! watchdog reads this to tell operators the server has stopped storing what it observes.

use std::sync::Mutex;

use crate::error::Error;

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
        s.last_error = Some(error.clone());
    }
}
