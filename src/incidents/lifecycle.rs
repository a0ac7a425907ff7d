//! What a check does to its monitor's incident (reference §2.4), and when a TLS certificate
//! opens or closes a warning, as pure functions: the store carries the effects out.
//!
//! Where this differs from §2.4, on purpose: every status switch records the check that caused
//! it on the switch event itself, so a separate `monitorpinged` event is written only when the
//! failure changes (another error kind or HTTP code) or when an incident opens or resolves; and
//! an unconfirmed incident that people already acknowledged or commented on is resolved rather
//! than discarded (see `store::discard`).

use chrono::Duration;

use super::model::{EventType, IncidentStatus};
use crate::clock::Timestamp;
use crate::monitors::model::MonitorStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Open an incident with this status (and a `creation` event).
    Open(IncidentStatus),
    /// tobeconfirmed → ongoing (and a `confirmation` event).
    Confirm,
    /// → resolved (and a `resolution` event).
    Resolve,
    /// Remove an unconfirmed incident: the blip never became an outage.
    Discard,
    /// Record the check as the incident's latest cause.
    UpdateCause,
    /// A timeline event carrying the check.
    Event(EventType),
}

/// The effects of a check that moved a monitor to `status` (with its new `counter`), given the
/// monitor's open incident, if any. `new_signature` says whether the failure differs from the
/// incident's last recorded one (error kind or HTTP code).
pub fn check_effects(
    status: MonitorStatus,
    counter: u32,
    open: Option<IncidentStatus>,
    new_signature: bool,
) -> Vec<Effect> {
    use Effect::*;
    use IncidentStatus::*;
    use MonitorStatus as M;
    match (status, open) {
        (M::Up, Some(ToBeConfirmed)) => vec![Discard],
        (M::Up, Some(_)) => vec![Event(EventType::MonitorPinged), Resolve],
        (M::Recovering, Some(_)) if counter == 1 => {
            vec![Event(EventType::MonitorSwitchedToRecovering)]
        }
        (M::Suspicious, None) => vec![Open(ToBeConfirmed), Event(EventType::MonitorPinged)],
        (M::Down, None) => vec![Open(Ongoing), Event(EventType::MonitorPinged)],
        (M::Down, Some(ToBeConfirmed)) => vec![
            Confirm,
            UpdateCause,
            Event(EventType::MonitorSwitchedToDown),
        ],
        (M::Suspicious | M::Down, Some(_)) => {
            let mut effects = Vec::new();
            if new_signature {
                effects.extend([UpdateCause, Event(EventType::MonitorPinged)]);
            }
            if counter == 1 {
                effects.push(Event(if status == M::Down {
                    EventType::MonitorSwitchedToDown
                } else {
                    EventType::MonitorSwitchedToSuspicious
                }));
            }
            effects
        }
        _ => vec![],
    }
}

/// Whether a certificate expiring at `expires_at` should have a warning incident open.
pub fn tls_warning_due(expires_at: Option<Timestamp>, warning_days: u32, now: Timestamp) -> bool {
    warning_days > 0 && expires_at.is_some_and(|at| at - now < Duration::days(warning_days.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect::*;
    use IncidentStatus::*;
    use MonitorStatus as M;

    /// Reference §2.4 as applied here (see the module comment), row by row.
    #[test]
    fn the_reference_table() {
        let rows: [(
            MonitorStatus,
            u32,
            Option<IncidentStatus>,
            bool,
            Vec<Effect>,
        ); 13] = [
            (M::Up, 3, None, false, vec![]),
            (M::Up, 1, Some(ToBeConfirmed), false, vec![Discard]),
            (
                M::Up,
                1,
                Some(Ongoing),
                false,
                vec![Event(EventType::MonitorPinged), Resolve],
            ),
            (M::Recovering, 1, None, false, vec![]),
            (
                M::Recovering,
                1,
                Some(Ongoing),
                false,
                vec![Event(EventType::MonitorSwitchedToRecovering)],
            ),
            (M::Recovering, 2, Some(Ongoing), false, vec![]),
            (
                M::Suspicious,
                1,
                None,
                true,
                vec![Open(ToBeConfirmed), Event(EventType::MonitorPinged)],
            ),
            (
                M::Down,
                1,
                None,
                true,
                vec![Open(Ongoing), Event(EventType::MonitorPinged)],
            ),
            (
                M::Down,
                1,
                Some(ToBeConfirmed),
                false,
                vec![
                    Confirm,
                    UpdateCause,
                    Event(EventType::MonitorSwitchedToDown),
                ],
            ),
            (M::Down, 4, Some(Ongoing), false, vec![]),
            (
                M::Down,
                4,
                Some(Ongoing),
                true,
                vec![UpdateCause, Event(EventType::MonitorPinged)],
            ),
            (
                M::Suspicious,
                1,
                Some(Ongoing),
                false,
                vec![Event(EventType::MonitorSwitchedToSuspicious)],
            ),
            (
                M::Down,
                1,
                Some(Ongoing),
                true,
                vec![
                    UpdateCause,
                    Event(EventType::MonitorPinged),
                    Event(EventType::MonitorSwitchedToDown),
                ],
            ),
        ];
        for (status, counter, open, changed, expected) in rows {
            assert_eq!(
                check_effects(status, counter, open, changed),
                expected,
                "{status:?}/{counter} open={open:?} changed={changed}"
            );
        }
    }

    #[test]
    fn tls_warning_window() {
        let now = chrono::Utc::now();
        assert!(tls_warning_due(Some(now + Duration::days(13)), 14, now));
        assert!(!tls_warning_due(Some(now + Duration::days(15)), 14, now));
        assert!(
            tls_warning_due(Some(now - Duration::days(1)), 14, now),
            "expired"
        );
        assert!(
            !tls_warning_due(Some(now + Duration::days(1)), 0, now),
            "0 disables the warning"
        );
        assert!(!tls_warning_due(None, 14, now), "plain http");
    }
}
