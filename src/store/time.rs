//! Timestamps are stored as INTEGER milliseconds since the Unix epoch (UTC): compact, indexable,
//! and compared numerically.

use chrono::{DateTime, Utc};

use crate::clock::Timestamp;

pub fn to_db(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub fn from_db(ms: i64) -> Timestamp {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub fn opt_from_db(ms: Option<i64>) -> Option<Timestamp> {
    ms.map(from_db)
}
