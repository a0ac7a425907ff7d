//! Recording a check: the monitor's new status (§2.3), its history, and what happens to its
//! incidents (§2.4), all in one write job so they never disagree.

use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::check::CheckOutcome;
use super::model::{Monitor, MonitorStatus};
use super::schedule::next_due;
use super::status::next_status;
use super::{history, store};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::incidents::lifecycle::{Effect, check_effects, tls_warning_due};
use crate::incidents::model::{CheckSummary, EventType, IncidentStatus, Priority, SourceType};
use crate::incidents::store::{self as incidents, NewIncident};
use crate::store::time::to_db;

/// Records the outcome of the check that was due at `due`. Returns the monitor's next due time,
/// or None if this check no longer decides it. A result for a schedule that changed while the check
/// ran (paused, edited, deleted) is dropped: it describes settings that no longer apply.
pub fn record_check(
    conn: &Connection,
    id: MonitorId,
    due: Timestamp,
    outcome: &CheckOutcome,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let Some(m) = store::get_any(conn, id)? else {
        return Ok(None);
    };
    if m.next_check_at != Some(due) {
        // Whoever changed the schedule has told the scheduler already.
        return Ok(None);
    }
    let (status, counter) = next_status(
        m.settings.downtime_confirmation_threshold,
        m.settings.recovery_confirmation_threshold,
        m.status,
        m.status_counter,
        outcome.ok(),
    );
    let next = next_due(id, m.settings.interval_seconds, now.max(due));
    let changed = status != m.status;
    conn.prepare_cached(
        "UPDATE monitors SET status = ?2, status_counter = ?3, error_kind = ?4, last_http_code = ?5,
            last_response_time_ms = ?6, last_error = ?7, tls_expires_at = COALESCE(?8, tls_expires_at),
            first_check_at = COALESCE(first_check_at, ?9), last_check_at = ?9, next_check_at = ?10,
            last_status_change_at = CASE WHEN ?11 THEN ?9 ELSE last_status_change_at END
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        status.as_str(),
        counter,
        outcome.error_kind.as_str(),
        outcome.http_code,
        outcome.http_code.map(|_| outcome.response_time_ms),
        outcome.error,
        outcome.tls_expires_at.map(to_db),
        to_db(now),
        to_db(next),
        changed
    ])?;
    history::record(conn, id, now, outcome)?;
    apply_incident_effects(conn, &m, status, counter, outcome, now)?;
    // A certificate seen, or a plain-http URL (no certificate any more: a warning left over from
    // an earlier https URL ends).
    if outcome.tls_expires_at.is_some() || m.settings.target().starts_with("http://") {
        apply_tls_warning(conn, &m, outcome, now)?;
    }
    Ok(Some(next))
}

fn summary(outcome: &CheckOutcome) -> CheckSummary {
    CheckSummary {
        error_kind: outcome.error_kind,
        http_code: outcome.http_code,
        response_time_ms: outcome.http_code.map(|_| outcome.response_time_ms),
        error: outcome.error.clone(),
    }
}

fn ping(outcome: &CheckOutcome) -> Value {
    json!({"errorKind": outcome.error_kind, "httpCode": outcome.http_code, "error": outcome.error})
}

/// Whether a recorded ping failed the same way as `outcome`: same kind, same HTTP code. The error
/// text is for people and does not make a new failure (it can vary from check to check).
fn same_failure(recorded: Option<&Value>, outcome: &CheckOutcome) -> bool {
    recorded.is_some_and(|p| {
        p.get("errorKind") == Some(&json!(outcome.error_kind))
            && p.get("httpCode") == Some(&json!(outcome.http_code))
    })
}

/// The incident's cause after this check: the check becomes `lastPing`, the previous one joins
/// `previousPings`.
fn next_cause(previous: Option<&Value>, outcome: &CheckOutcome) -> Value {
    let mut earlier: Vec<Value> = previous
        .and_then(|c| c.get("previousPings"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(last) = previous.and_then(|c| c.get("lastPing"))
        && !earlier.contains(last)
    {
        earlier.push(last.clone());
    }
    json!({"causeType": "HttpMonitorIncidentCause", "lastPing": ping(outcome), "previousPings": earlier})
}

fn apply_incident_effects(
    conn: &Connection,
    m: &Monitor,
    status: MonitorStatus,
    counter: u32,
    outcome: &CheckOutcome,
    now: Timestamp,
) -> Result<()> {
    let source = m.id.to_string();
    let open =
        incidents::open_for_source(conn, m.organization_id, SourceType::HttpMonitor, &source)?;
    let new_signature = open.as_ref().is_none_or(|(_, _, cause)| {
        !same_failure(cause.as_ref().and_then(|c| c.get("lastPing")), outcome)
    });
    let effects = check_effects(
        status,
        counter,
        open.as_ref().map(|(_, s, _)| *s),
        new_signature,
    );
    let check = serde_json::to_value(summary(outcome)).expect("summaries serialize");
    let mut incident = open.as_ref().map(|(id, _, _)| *id);
    for effect in effects {
        match (effect, incident) {
            (Effect::Open(incident_status), _) => {
                let mut metadata = m.settings.metadata.clone();
                metadata.insert("url".into(), m.settings.target());
                if let Some(host) = url::Url::parse(&m.settings.target())
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                {
                    metadata.insert("host".into(), host);
                }
                let cause = next_cause(None, outcome);
                let new = NewIncident {
                    org_id: m.organization_id,
                    source_type: SourceType::HttpMonitor,
                    source_id: Some(&source),
                    title: &m.settings.name,
                    status: incident_status,
                    priority: Priority::Major,
                    cause: Some(&cause),
                    metadata: &metadata,
                    created_by: None,
                };
                incident = Some(incidents::insert(conn, &new, now)?);
            }
            (Effect::Confirm, Some(id)) => {
                incidents::set_status(conn, id, IncidentStatus::Ongoing, None, now)?
            }
            (Effect::Resolve, Some(id)) => {
                incidents::set_status(conn, id, IncidentStatus::Resolved, None, now)?
            }
            (Effect::Discard, Some(id)) => incidents::discard(conn, id, now)?,
            (Effect::UpdateCause, Some(id)) => {
                let previous = open.as_ref().and_then(|(_, _, c)| c.as_ref());
                incidents::update_cause(conn, id, &next_cause(previous, outcome))?;
            }
            (Effect::Event(event), Some(id)) => {
                incidents::add_event(conn, id, now, None, event, Some(&check))?;
            }
            (_, None) => {}
        }
    }
    Ok(())
}

/// Opens a warning incident when the certificate enters its warning window, resolves it once a
/// renewed certificate is seen.
fn apply_tls_warning(
    conn: &Connection,
    m: &Monitor,
    outcome: &CheckOutcome,
    now: Timestamp,
) -> Result<()> {
    let source = m.id.to_string();
    let open =
        incidents::open_for_source(conn, m.organization_id, SourceType::TlsCertificate, &source)?;
    let due = tls_warning_due(
        outcome.tls_expires_at,
        m.settings.tls_expiry_warning_days,
        now,
    );
    match (due, open) {
        (true, None) => {
            let Some(expires_at) = outcome.tls_expires_at else {
                return Ok(());
            };
            let cause = json!({
                "causeType": "TlsCertificateExpiry",
                "expiresAt": expires_at,
                "daysLeft": (expires_at - now).num_days(),
            });
            let metadata = [("url".to_owned(), m.settings.target())]
                .into_iter()
                .collect();
            let new = NewIncident {
                org_id: m.organization_id,
                source_type: SourceType::TlsCertificate,
                source_id: Some(&source),
                title: &m.settings.name,
                status: IncidentStatus::Ongoing,
                priority: Priority::Warning,
                cause: Some(&cause),
                metadata: &metadata,
                created_by: None,
            };
            incidents::insert(conn, &new, now)?;
        }
        (false, Some((id, _, _))) => {
            incidents::add_event(
                conn,
                id,
                now,
                None,
                EventType::MonitorPinged,
                Some(&json!({"tlsExpiresAt": outcome.tls_expires_at})),
            )?;
            incidents::set_status(conn, id, IncidentStatus::Resolved, None, now)?;
        }
        _ => {}
    }
    Ok(())
}

/// When a monitor stops being checked (paused, archived): its open incidents end too.
pub fn close_incidents(conn: &Connection, org: OrgId, id: MonitorId, now: Timestamp) -> Result<()> {
    for source_type in [SourceType::HttpMonitor, SourceType::TlsCertificate] {
        match incidents::open_for_source(conn, org, source_type, &id.to_string())? {
            Some((incident, IncidentStatus::ToBeConfirmed, _)) => {
                incidents::discard(conn, incident, now)?
            }
            Some((incident, _, _)) => {
                incidents::set_status(conn, incident, IncidentStatus::Resolved, None, now)?
            }
            None => {}
        }
    }
    Ok(())
}
