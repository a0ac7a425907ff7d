//! What a check does to its monitor's incidents , and when a TLS certificate
//! opens or closes a warning: pure rules (tested row by row), then applying them through
//! `incidents::report` inside the write that records the check.
//!
//! Where this differs from the original product, on purpose: every status switch records the check that caused
//! it on the switch event itself, so a separate `monitorpinged` event is written only when the
//! failure changes (another error kind or HTTP code) or when an incident opens or resolves; and
//! an unconfirmed incident that people already acknowledged or commented on is resolved rather
//! than discarded (see `incidents::store::discard`).

use chrono::Duration;
use rusqlite::Connection;

use super::check::CheckOutcome;
use super::model::{Monitor, MonitorStatus};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::incidents::cause::{Cause, CheckSummary, Ping, TlsSeen};
use crate::incidents::model::{EventType, IncidentStatus, Payload, Priority, SourceType};
use crate::incidents::report::{self, Effect, Report};

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

fn ping(outcome: &CheckOutcome) -> Ping {
    Ping {
        error_kind: outcome.error_kind,
        http_code: outcome.http_code,
        error: outcome.error.clone(),
    }
}

/// The incident's cause after this check: the check becomes `lastPing`, the previous one joins
/// `previousPings`.
fn next_cause(previous: Option<&Cause>, outcome: &CheckOutcome) -> Cause {
    let (mut earlier, last) = match previous {
        Some(Cause::HttpMonitorIncidentCause {
            last_ping,
            previous_pings,
        }) => (previous_pings.clone(), Some(last_ping)),
        _ => (Vec::new(), None),
    };
    if let Some(last) = last
        && !earlier.contains(last)
    {
        earlier.push(last.clone());
    }
    Cause::HttpMonitorIncidentCause {
        last_ping: ping(outcome),
        previous_pings: earlier,
    }
}

/// The metadata of a monitor's incidents: its URL, its host, and its own.
fn metadata(m: &Monitor) -> std::collections::BTreeMap<String, String> {
    let mut metadata = m.settings.metadata.clone();
    metadata.insert("url".into(), m.settings.target());
    if let Some(host) = url::Url::parse(&m.settings.target())
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    {
        metadata.insert("host".into(), host);
    }
    metadata
}

/// Applies a check that moved the monitor to `status` (with its new `counter`).
pub fn record_check(
    conn: &Connection,
    m: &Monitor,
    status: MonitorStatus,
    counter: u32,
    outcome: &CheckOutcome,
    now: Timestamp,
) -> Result<()> {
    let source = m.id.to_string();
    let metadata = metadata(m);
    let mut report = Report {
        title: &m.settings.name,
        priority: Priority::Major,
        metadata: &metadata,
        ..Report::about(m.organization_id, SourceType::HttpMonitor, &source)
    };
    let open = report.open(conn)?;
    let previous = open.as_ref().and_then(|o| o.cause.as_ref());
    // The error text is for people and does not make a new failure.
    let new_signature = previous
        .and_then(Cause::last_ping)
        .is_none_or(|last| !last.same_failure(&ping(outcome)));
    let effects = check_effects(
        status,
        counter,
        open.as_ref().map(|o| o.status),
        new_signature,
    );
    let cause = next_cause(previous, outcome);
    let check = Payload::Check(CheckSummary {
        error_kind: outcome.error_kind,
        http_code: outcome.http_code,
        response_time_ms: outcome.answered_in_ms(),
        error: outcome.error.clone(),
    });
    report.cause = Some(&cause);
    report.payload = Some(&check);
    report::apply(conn, &report, open.as_ref(), &effects, now).map(drop)
}

/// Opens a warning incident when the certificate enters its warning window, resolves it once a
/// renewed certificate is seen.
pub fn record_tls(
    conn: &Connection,
    m: &Monitor,
    outcome: &CheckOutcome,
    now: Timestamp,
) -> Result<()> {
    let source = m.id.to_string();
    let metadata = [("url".to_owned(), m.settings.target())]
        .into_iter()
        .collect();
    let mut report = Report {
        title: &m.settings.name,
        priority: Priority::Warning,
        metadata: &metadata,
        ..Report::about(m.organization_id, SourceType::TlsCertificate, &source)
    };
    let open = report.open(conn)?;
    let due = tls_warning_due(
        outcome.tls_expires_at,
        m.settings.tls_expiry_warning_days,
        now,
    );
    let seen = Payload::Tls(TlsSeen {
        tls_expires_at: outcome.tls_expires_at,
    });
    let (cause, effects) = match (due, outcome.tls_expires_at, &open) {
        (true, Some(expires_at), None) => (
            Some(Cause::TlsCertificateExpiry {
                expires_at,
                days_left: (expires_at - now).num_days(),
            }),
            vec![Effect::Open(IncidentStatus::Ongoing)],
        ),
        (false, _, Some(_)) => (
            None,
            vec![Effect::Event(EventType::MonitorPinged), Effect::Resolve],
        ),
        _ => return Ok(()),
    };
    report.cause = cause.as_ref();
    report.payload = Some(&seen);
    report::apply(conn, &report, open.as_ref(), &effects, now).map(drop)
}

/// Opens, through the rules above, the incident of each down or suspicious monitor of `org`
/// that has none (it failed while quiet), its last known failure as the cause; one still
/// quiet stays without (`report::apply`).
pub fn reevaluate(conn: &Connection, org: OrgId, now: Timestamp) -> Result<()> {
    let filter = super::store::Filter {
        statuses: vec![MonitorStatus::Down, MonitorStatus::Suspicious],
        limit: u32::MAX,
        ..Default::default()
    };
    for m in super::store::list(conn, org, &filter)?.items {
        let source = m.id.to_string();
        let about = Report::about(org, SourceType::HttpMonitor, &source);
        if about.open(conn)?.is_some() {
            continue;
        }
        let last = CheckOutcome {
            error_kind: m.error_kind,
            http_code: m.last_http_code,
            response_time_ms: m.last_response_time_ms.unwrap_or(0),
            error: m.last_error.clone(),
            tls_expires_at: None,
            answered: m.last_response_time_ms.is_some(),
            details: None,
        };
        record_check(conn, &m, m.status, m.status_counter, &last, now)?;
    }
    Ok(())
}

/// When a monitor stops being checked (paused, archived, deleted): its open incidents end too.
pub fn close(conn: &Connection, org: OrgId, id: MonitorId, now: Timestamp) -> Result<()> {
    let source = id.to_string();
    for source_type in super::source::TYPES {
        report::close(conn, &Report::about(org, *source_type, &source), None, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect::*;
    use IncidentStatus::*;
    use MonitorStatus as M;

    /// The rules as applied here (see the module comment), row by row.
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
