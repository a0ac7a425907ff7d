//! The probe's results on disk until the server acknowledges them: segment files of JSON lines
//! (`000000000042.jsonl`, numbered in order) under `--buffer-dir`. A segment holds at most one
//! batch, so an acknowledged batch is one file deleted, and the bound drops whole segments, the
//! oldest first.
//!
//! Durability: each result is one `write` to the open segment (no user-space buffering), so a
//! probe killed at any moment (SIGKILL, a crash, a restart by systemd) keeps every result made
//! before it; a line cut short by the kill is skipped on reading. A segment is fsynced when it
//! is sealed for sending and once a second by the sender, not per result: at hundreds of checks
//! per second an fsync each would cost the probe more than the checks, and what an fsync adds,
//! surviving a power loss of the probe's machine, is worth at most the last second of samples.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::monitors::remote::RemoteResult;

/// At most this many results in one `POST /probe/results`.
pub const BATCH_MAX: usize = 1000;

/// How many results a segment holds: one batch, or a tenth of the bound when that is smaller,
/// so that dropping the oldest segment keeps the buffer near its bound, not far under it.
pub fn segment_len(max_results: usize) -> usize {
    (max_results / 10).clamp(1, BATCH_MAX)
}

/// How many of the oldest segments (their lengths, oldest first) to drop so that the buffer
/// holds at most `max` results; the newest segment (the open one) is never dropped.
pub fn segments_to_drop(lengths: &[usize], max: usize) -> usize {
    let mut total: usize = lengths.iter().sum();
    let mut drop = 0;
    while total > max && drop + 1 < lengths.len() {
        total -= lengths[drop];
        drop += 1;
    }
    drop
}

struct Segment {
    seq: u64,
    len: usize,
}

pub struct Buffer {
    dir: PathBuf,
    max_results: usize,
    segment_len: usize,
    /// Oldest first; the last one is open for appending when `open` is Some.
    segments: VecDeque<Segment>,
    open: Option<File>,
    total: usize,
    /// Results dropped by the bound since the probe started.
    pub dropped: u64,
}

impl Buffer {
    /// Opens (or creates) the buffer in `dir`, counting what a previous run left there. Appends
    /// go to a new segment: the previous run's last one may end with a line cut short.
    pub fn open(dir: &Path, max_results: usize) -> std::io::Result<Buffer> {
        fs::create_dir_all(dir)?;
        let mut seqs: Vec<u64> = fs::read_dir(dir)?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                entry
                    .file_name()
                    .to_str()?
                    .strip_suffix(".jsonl")?
                    .parse()
                    .ok()
            })
            .collect();
        seqs.sort_unstable();
        let mut buffer = Buffer {
            dir: dir.to_owned(),
            max_results: max_results.max(1),
            segment_len: segment_len(max_results.max(1)),
            segments: VecDeque::new(),
            open: None,
            total: 0,
            dropped: 0,
        };
        for seq in seqs {
            let len = buffer.read(seq)?.len();
            if len == 0 {
                // Left by a run stopped as it opened it (or whose only line was cut short).
                fs::remove_file(buffer.path(seq))?;
                continue;
            }
            buffer.total += len;
            buffer.segments.push_back(Segment { seq, len });
        }
        Ok(buffer)
    }

    /// Results waiting to be sent.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:012}.jsonl"))
    }

    /// Appends a result; past the bound, drops the oldest segments (counted in `dropped`) and
    /// returns how many results that dropped.
    pub fn append(&mut self, result: &RemoteResult) -> std::io::Result<usize> {
        let full = self
            .segments
            .back()
            .is_none_or(|s| s.len >= self.segment_len);
        if self.open.is_none() || full {
            self.seal()?;
            let seq = self.segments.back().map_or(1, |s| s.seq + 1);
            let file = OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(self.path(seq))?;
            self.open = Some(file);
            self.segments.push_back(Segment { seq, len: 0 });
        }
        let mut line = serde_json::to_vec(result).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.open.as_mut().expect("opened above").write_all(&line)?;
        self.segments.back_mut().expect("pushed above").len += 1;
        self.total += 1;
        let lengths: Vec<usize> = self.segments.iter().map(|s| s.len).collect();
        let mut dropped = 0;
        for _ in 0..segments_to_drop(&lengths, self.max_results) {
            let oldest = self.segments.pop_front().expect("counted");
            fs::remove_file(self.path(oldest.seq))?;
            self.total -= oldest.len;
            dropped += oldest.len;
        }
        self.dropped += dropped as u64;
        Ok(dropped)
    }

    /// Makes what was appended durable (fsync of the open segment).
    pub fn sync(&self) -> std::io::Result<()> {
        match &self.open {
            Some(file) => file.sync_data(),
            None => Ok(()),
        }
    }

    /// Closes the open segment, durably: nothing is appended to it any more.
    fn seal(&mut self) -> std::io::Result<()> {
        if let Some(file) = self.open.take() {
            file.sync_data()?;
        }
        Ok(())
    }

    /// The oldest results (one segment, at most `BATCH_MAX`) with the key to acknowledge them;
    /// None when the buffer is empty.
    pub fn oldest(&mut self) -> std::io::Result<Option<(u64, Vec<RemoteResult>)>> {
        let Some(first) = self.segments.front() else {
            return Ok(None);
        };
        let seq = first.seq;
        if self.segments.len() == 1 {
            self.seal()?;
        }
        Ok(Some((seq, self.read(seq)?)))
    }

    /// The server has the results of segment `seq`: they leave the buffer (unless the bound
    /// dropped them meanwhile).
    pub fn acknowledge(&mut self, seq: u64) -> std::io::Result<()> {
        if let Some(i) = self.segments.iter().position(|s| s.seq == seq) {
            let segment = self.segments.remove(i).expect("found");
            if self.segments.is_empty() {
                self.open = None;
            }
            self.total -= segment.len;
            fs::remove_file(self.path(seq))?;
        }
        Ok(())
    }

    fn read(&self, seq: u64) -> std::io::Result<Vec<RemoteResult>> {
        let text = fs::read_to_string(self.path(seq))?;
        let mut results = Vec::new();
        for line in text.lines() {
            match serde_json::from_str(line) {
                Ok(result) => results.push(result),
                // A line cut short when the probe was killed mid-write: the result is lost.
                Err(e) => log::warn!("buffer segment {seq}: skipped an unreadable line ({e})"),
            }
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_hold_a_batch_or_a_tenth_of_the_bound() {
        for (max, len) in [(100_000, 1000), (5000, 500), (10, 1), (1, 1), (0, 1)] {
            assert_eq!(segment_len(max), len, "max {max}");
        }
    }

    #[test]
    fn the_oldest_segments_go_past_the_bound() {
        let cases: [(&[usize], usize, usize); 6] = [
            (&[], 10, 0),
            (&[5], 10, 0),
            (&[5, 5, 1], 10, 1),
            (&[5, 5, 5, 1], 10, 2),
            // The open segment stays even when it alone is over the bound.
            (&[3, 12], 10, 1),
            (&[10, 10, 10], 30, 0),
        ];
        for (lengths, max, drop) in cases {
            assert_eq!(
                segments_to_drop(lengths, max),
                drop,
                "{lengths:?} max {max}"
            );
        }
    }

    fn result(n: i64) -> RemoteResult {
        let at = crate::store::time::from_db(1_800_000_000_000 + n * 1000);
        RemoteResult {
            monitor_id: crate::ids::MonitorId(uuid::Uuid::from_u128(1)),
            due: at,
            checked_at: at,
            outcome: crate::monitors::remote::RemoteOutcome {
                error_kind: crate::monitors::model::ErrorKind::None,
                http_code: Some(200),
                response_time_ms: 3,
                answered: true,
                error: None,
                tls_expires_at: None,
                details: None,
            },
        }
    }

    fn dues(results: &[RemoteResult]) -> Vec<i64> {
        results
            .iter()
            .map(|r| (r.due.timestamp_millis() - 1_800_000_000_000) / 1000)
            .collect()
    }

    #[test]
    fn results_come_back_in_order_across_a_restart_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let mut buffer = Buffer::open(dir.path(), 20).unwrap(); // segments of 2
        let dropped: usize = (0..25).map(|n| buffer.append(&result(n)).unwrap()).sum();
        assert_eq!((dropped, buffer.dropped, buffer.len()), (6, 6, 19));
        drop(buffer);

        let mut buffer = Buffer::open(dir.path(), 20).unwrap();
        assert_eq!(buffer.len(), 19);
        buffer.append(&result(25)).unwrap();
        let mut sent = Vec::new();
        while let Some((seq, batch)) = buffer.oldest().unwrap() {
            assert!(batch.len() <= 2);
            sent.extend(dues(&batch));
            buffer.acknowledge(seq).unwrap();
        }
        assert_eq!(sent, (6..26).collect::<Vec<_>>());
        assert!(buffer.is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
