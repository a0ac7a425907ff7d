//! The quorum: the one outcome of a monitor checked from several locations, from each
//! location's latest fresh result. Pure, so its rules are table-tested.

use crate::monitors::check::CheckOutcome;

/// A location's latest fresh result.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationOutcome {
    /// "local" or the probe's id.
    pub location: String,
    /// What pages show: "local" or the probe's name.
    pub name: String,
    pub outcome: CheckOutcome,
}

/// What the quorum decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: CheckOutcome,
    /// Failing locations that make the monitor down.
    pub k: u32,
    pub reporting: u32,
    pub failed: u32,
}

/// K for `reporting` fresh locations: the quorum clamped to them, or a majority.
pub fn k(reporting: u32, quorum: Option<u32>) -> u32 {
    match quorum {
        Some(q) => q.clamp(1, reporting.max(1)),
        None => reporting / 2 + 1,
    }
}

/// Down when at least K of the fresh locations failed. None when no location is fresh (the
/// slot decides nothing).
pub fn decide(fresh: &[LocationOutcome], quorum: Option<u32>) -> Option<Decision> {
    if fresh.is_empty() {
        return None;
    }
    let mut sorted: Vec<&LocationOutcome> = fresh.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name).then(a.location.cmp(&b.location)));
    let reporting = sorted.len() as u32;
    let failing: Vec<&&LocationOutcome> = sorted.iter().filter(|l| !l.outcome.ok()).collect();
    let failed = failing.len() as u32;
    let k = k(reporting, quorum);
    // A certificate seen from any location (the local one first) still warns of its expiry.
    let tls_expires_at = fresh
        .iter()
        .find(|l| l.location == super::select::LOCAL)
        .and_then(|l| l.outcome.tls_expires_at)
        .or_else(|| fresh.iter().filter_map(|l| l.outcome.tls_expires_at).min());
    let outcome = if failed >= k {
        let first = failing[0];
        // Each reason and the whole message bounded: it becomes the monitor's last error, its
        // incident's text and its notifications, whatever a probe sent.
        let reasons: Vec<String> = failing
            .iter()
            .map(|l| {
                let error = l.outcome.error.as_deref().unwrap_or("failed");
                format!("{}: {}", l.name, super::clip(error, REASON))
            })
            .collect();
        let error = format!(
            "Down from {failed} of {reporting} locations: {}",
            reasons.join("; ")
        );
        CheckOutcome {
            error: Some(super::clip(&error, crate::limits::SHORT)),
            tls_expires_at,
            details: local_details(first),
            ..first.outcome.clone()
        }
    } else {
        let passing: Vec<&CheckOutcome> = sorted
            .iter()
            .map(|l| &l.outcome)
            .filter(|o| o.ok())
            .collect();
        let local = sorted
            .iter()
            .find(|l| l.location == super::select::LOCAL && l.outcome.ok());
        match local {
            Some(local) => CheckOutcome {
                tls_expires_at,
                details: local_details(local),
                ..local.outcome.clone()
            },
            None => CheckOutcome {
                tls_expires_at,
                details: None,
                ..median(&passing).clone()
            },
        }
    };
    Some(Decision {
        outcome,
        k,
        reporting,
        failed,
    })
}

/// The longest a location's reason may be in the message of a monitor down.
const REASON: usize = 200;

/// The chosen location's details (what a check saw, shown beside the monitor's last check)
/// when it is this server's own check; a probe's stay with its location.
fn local_details(l: &LocationOutcome) -> Option<serde_json::Value> {
    (l.location == super::select::LOCAL)
        .then(|| l.outcome.details.clone())
        .flatten()
}

/// The passing outcome with the median response time (the lower one of an even count).
fn median<'a>(passing: &[&'a CheckOutcome]) -> &'a CheckOutcome {
    let mut by_time = passing.to_vec();
    by_time.sort_by_key(|o| o.response_time_ms);
    by_time[(by_time.len() - 1) / 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitors::model::ErrorKind;

    fn at(name: &str, ok: bool, ms: u32) -> LocationOutcome {
        let outcome = if ok {
            CheckOutcome::passed(ms)
        } else {
            CheckOutcome::failed(ErrorKind::Timeout, format!("timed out at {name}"), ms)
        };
        LocationOutcome {
            location: if name == "local" {
                "local".into()
            } else {
                format!("p-{name}")
            },
            name: name.into(),
            outcome,
        }
    }

    #[test]
    fn k_is_the_quorum_clamped_or_a_majority() {
        let rows = [
            // (reporting, quorum, k)
            (1, None, 1),
            (2, None, 2),
            (3, None, 2),
            (4, None, 3),
            (5, None, 3),
            (3, Some(1), 1),
            (3, Some(3), 3),
            (2, Some(3), 2),
            (1, Some(20), 1),
        ];
        for (reporting, quorum, expected) in rows {
            assert_eq!(k(reporting, quorum), expected, "{reporting} {quorum:?}");
        }
    }

    #[test]
    fn down_when_k_fresh_locations_fail() {
        let rows: [(&[(&str, bool)], Option<u32>, Option<bool>); 8] = [
            (&[], None, None),
            (&[("local", true)], None, Some(true)),
            (&[("local", false)], None, Some(false)),
            (
                &[("local", true), ("eu", false), ("us", false)],
                None,
                Some(false),
            ),
            (
                &[("local", true), ("eu", false), ("us", true)],
                None,
                Some(true),
            ),
            (
                &[("local", true), ("eu", false), ("us", true)],
                Some(1),
                Some(false),
            ),
            (&[("eu", false), ("us", true)], None, Some(true)),
            (&[("eu", false), ("us", false)], Some(5), Some(false)),
        ];
        for (locations, quorum, up) in rows {
            let fresh: Vec<_> = locations.iter().map(|(n, ok)| at(n, *ok, 100)).collect();
            let decided = decide(&fresh, quorum).map(|d| d.outcome.ok());
            assert_eq!(decided, up, "{locations:?} quorum {quorum:?}");
        }
    }

    #[test]
    fn down_names_each_failing_location() {
        let fresh = [
            at("local", false, 10),
            at("us-east", true, 20),
            at("eu-west", false, 30),
        ];
        let d = decide(&fresh, None).unwrap();
        assert_eq!((d.k, d.reporting, d.failed), (2, 3, 2));
        assert_eq!(d.outcome.error_kind, ErrorKind::Timeout);
        assert_eq!(
            d.outcome.error.as_deref(),
            Some(
                "Down from 2 of 3 locations: eu-west: timed out at eu-west; local: timed out at local"
            )
        );
        assert_eq!(
            d.outcome.response_time_ms, 30,
            "the first failing location's"
        );
    }

    #[test]
    fn up_times_the_local_check_or_the_median() {
        let with_local = [
            at("local", true, 50),
            at("eu", true, 10),
            at("us", true, 900),
        ];
        assert_eq!(
            decide(&with_local, None).unwrap().outcome.response_time_ms,
            50
        );
        let local_failed = [
            at("local", false, 5),
            at("eu", true, 10),
            at("us", true, 900),
            at("ap", true, 300),
        ];
        let d = decide(&local_failed, None).unwrap();
        assert!(d.outcome.ok() && d.outcome.error.is_none());
        assert_eq!(d.outcome.response_time_ms, 300);
    }

    #[test]
    fn the_local_check_keeps_its_details_when_chosen_a_probes_do_not() {
        let with_details = |mut l: LocationOutcome| {
            l.outcome.details = Some(serde_json::json!({"seen": l.name}));
            l
        };
        let fresh = [with_details(at("local", true, 50)), at("eu", true, 30)];
        let up = decide(&fresh, None).unwrap().outcome;
        assert_eq!(up.details, Some(serde_json::json!({"seen": "local"})));
        let fresh = [with_details(at("local", false, 50)), at("eu", false, 30)];
        let down = decide(&fresh, None).unwrap().outcome;
        assert_eq!(down.details, None, "eu is the first failing one");
        let fresh = [at("local", true, 50), with_details(at("eu", true, 30))];
        assert_eq!(decide(&fresh[1..], None).unwrap().outcome.details, None);
    }
}
