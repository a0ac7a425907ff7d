//! The monitor status machine (up, suspicious, down, recovering with confirmation thresholds), as a pure function.

use super::model::MonitorStatus;

/// The status and counter after a check. `downtime` (D) consecutive failures from `up` reach
/// `down`; `recovery` (R) consecutive successes from `down` reach `up`.
pub fn next_status(
    downtime: u32,
    recovery: u32,
    status: MonitorStatus,
    counter: u32,
    ok: bool,
) -> (MonitorStatus, u32) {
    use MonitorStatus::*;
    let fail = |d: u32| if d > 1 { (Suspicious, 1) } else { (Down, 1) };
    match (status, ok) {
        (Up, true) => (Up, counter.saturating_add(1)),
        (Up | Unknown | Inactive, false) => fail(downtime),
        (Unknown | Inactive, true) => (Up, 1),
        (Suspicious, false) if counter + 1 >= downtime => (Down, 1),
        (Suspicious, false) => (Suspicious, counter + 1),
        (Suspicious, true) => (Recovering, 1),
        (Recovering, true) if counter + 1 >= recovery => (Up, 1),
        (Recovering, true) => (Recovering, counter + 1),
        (Recovering, false) => fail(downtime),
        (Down, false) => (Down, counter.saturating_add(1)),
        (Down, true) if recovery > 1 => (Recovering, 1),
        (Down, true) => (Up, 1),
        (Archived, _) => (Archived, counter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MonitorStatus::*;

    /// The status table, row by row: (D, R, status, counter, ok) → (status, counter).
    #[test]
    fn the_reference_table() {
        let rows: [(u32, u32, MonitorStatus, u32, bool, MonitorStatus, u32); 22] = [
            (2, 2, Up, 5, true, Up, 6),
            (2, 2, Up, 5, false, Suspicious, 1),
            (2, 2, Unknown, 0, false, Suspicious, 1),
            (2, 2, Inactive, 0, false, Suspicious, 1),
            (1, 2, Up, 5, false, Down, 1),
            (1, 2, Unknown, 0, false, Down, 1),
            (1, 2, Inactive, 0, false, Down, 1),
            (2, 2, Unknown, 0, true, Up, 1),
            (2, 2, Inactive, 0, true, Up, 1),
            (2, 2, Suspicious, 1, false, Down, 1),
            (3, 2, Suspicious, 1, false, Suspicious, 2),
            (3, 2, Suspicious, 2, false, Down, 1),
            (3, 2, Suspicious, 2, true, Recovering, 1),
            (2, 2, Recovering, 1, true, Up, 1),
            (2, 3, Recovering, 1, true, Recovering, 2),
            (2, 2, Recovering, 1, false, Suspicious, 1),
            (1, 2, Recovering, 1, false, Down, 1),
            (2, 2, Down, 3, false, Down, 4),
            (2, 2, Down, 3, true, Recovering, 1),
            (2, 1, Down, 3, true, Up, 1),
            (2, 2, Archived, 0, true, Archived, 0),
            (2, 2, Archived, 0, false, Archived, 0),
        ];
        for (d, r, status, counter, ok, want_status, want_counter) in rows {
            assert_eq!(
                next_status(d, r, status, counter, ok),
                (want_status, want_counter),
                "D={d} R={r} {status:?}/{counter} ok={ok}"
            );
        }
    }

    #[test]
    fn d_failures_reach_down_and_r_successes_reach_up() {
        for d in 1..=5 {
            for r in 1..=5 {
                let (mut s, mut c) = (Up, 1);
                for _ in 0..d {
                    (s, c) = next_status(d, r, s, c, false);
                }
                assert_eq!(s, Down, "D={d}");
                for _ in 0..r {
                    (s, c) = next_status(d, r, s, c, true);
                }
                assert_eq!(s, Up, "D={d} R={r}");
            }
        }
    }
}
