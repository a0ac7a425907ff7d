//! The one way a source changes its incident: it decides, from its own rules, the effects of
//! what it observed (`Effect`s), and `apply` carries them out on its open incident, inside the
//! source's write. Monitors (`monitors::incident`), tasks (`tasks::incident`) and the watchdog
//! all go through here.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::cause::DependentAffected;
use super::model::{Cause, EventType, IncidentStatus, Payload, Priority, SourceType};
use super::quiet::{self, Quiet};
use super::store::{self, NewIncident, OpenIncident};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{IncidentId, OrgId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Open an incident with this status (and a `creation` event).
    Open(IncidentStatus),
    /// tobeconfirmed → ongoing (and a `confirmation` event).
    Confirm,
    /// → resolved (and a `resolution` event).
    Resolve,
    /// Remove an unconfirmed incident: the blip never became an outage (one people already
    /// acknowledged or commented on is resolved instead, see `store::discard`).
    Discard,
    /// Make the report's cause the incident's cause.
    UpdateCause,
    /// A timeline event carrying the report's payload.
    Event(EventType),
}

/// Which source, and what an incident it opens looks like.
pub struct Report<'a> {
    pub org: OrgId,
    pub source_type: SourceType,
    pub source_id: &'a str,
    /// The incident's title, if one is opened.
    pub title: &'a str,
    pub priority: Priority,
    pub metadata: &'a BTreeMap<String, String>,
    /// The cause of an incident opened, or the new one of `UpdateCause`.
    pub cause: Option<&'a Cause>,
    /// What `Event` effects carry.
    pub payload: Option<&'a Payload>,
}

impl<'a> Report<'a> {
    /// A report that only moves or notes an existing incident (opens none).
    pub fn about(org: OrgId, source_type: SourceType, source_id: &'a str) -> Report<'a> {
        static NONE: BTreeMap<String, String> = BTreeMap::new();
        Report {
            org,
            source_type,
            source_id,
            title: "",
            priority: Priority::Major,
            metadata: &NONE,
            cause: None,
            payload: None,
        }
    }

    /// The source's open incident, if any.
    pub fn open(&self, conn: &Connection) -> Result<Option<OpenIncident>> {
        store::open_for_source(conn, self.org, self.source_type, self.source_id)
    }
}

/// Carries out `effects` in order on `open` (the source's open incident, as read in this
/// write). Effects other than `Open` need an incident and do nothing without one. A quiet
/// source (`quiet::of`: in maintenance, behind a failing upstream) opens no incident: its own
/// status changed all the same, and `source::reevaluate` opens it once it is quiet no more.
/// Behind an upstream's incident, the failure is noted on that incident's timeline instead
/// (once per dependent), and an unconfirmed incident of its own is folded in there rather than
/// confirmed. An incident ending re-evaluates the organization's sources (`ended`).
/// Returns the incident, if one is open (or was just opened).
pub fn apply(
    conn: &Connection,
    report: &Report<'_>,
    open: Option<&OpenIncident>,
    effects: &[Effect],
    now: Timestamp,
) -> Result<Option<IncidentId>> {
    let mut incident = open.map(|o| o.id);
    for effect in effects {
        match (*effect, incident) {
            (Effect::Open(status), _) => {
                if let Some(quiet) =
                    quiet::of(conn, report.org, report.source_type, report.source_id, now)?
                {
                    if let Quiet::Upstream { incident_id, .. } = quiet {
                        note_suppressed(conn, report, incident_id, now)?;
                    }
                    continue;
                }
                let new = NewIncident {
                    org_id: report.org,
                    source_type: report.source_type,
                    source_id: Some(report.source_id),
                    title: report.title,
                    status,
                    priority: report.priority,
                    cause: report.cause,
                    metadata: report.metadata,
                    created_by: None,
                };
                incident = Some(store::insert(conn, &new, now)?);
            }
            (Effect::Confirm, Some(id)) => {
                // Unconfirmed when its upstream failed: folded into the upstream's incident
                // as if it never opened, rather than confirmed beside it.
                if let Some(Quiet::Upstream { incident_id, .. }) =
                    quiet::of(conn, report.org, report.source_type, report.source_id, now)?
                {
                    store::discard(conn, id, now)?;
                    note_suppressed(conn, report, incident_id, now)?;
                    incident = None;
                    continue;
                }
                store::set_status(conn, id, IncidentStatus::Ongoing, None, now)?
            }
            (Effect::Resolve, Some(id)) => {
                store::set_status(conn, id, IncidentStatus::Resolved, None, now)?;
                ended(conn, report.org, report.source_type, id, now)?;
            }
            (Effect::Discard, Some(id)) => {
                store::discard(conn, id, now)?;
                ended(conn, report.org, report.source_type, id, now)?;
            }
            (Effect::UpdateCause, Some(id)) => {
                if let Some(cause) = report.cause {
                    store::update_cause(conn, id, cause)?
                }
            }
            (Effect::Event(event), Some(id)) => {
                store::add_event(conn, id, now, None, event, report.payload)?;
            }
            (_, None) => {}
        }
    }
    Ok(incident)
}

/// A source's incident ended: the dependents whose failures it holds (its `dependentsuppressed`
/// events) are quiet no more, so those still failing open their own incidents now, in this write
/// (`source::reevaluate`). An incident that held none changes no one's quiet: a storm of
/// recoveries must not re-evaluate the organization once per incident. Only a monitor's checks
/// can be depended on (`monitors::upstreams`), and a task's ending mid-step (its row not
/// written yet) must not reopen its own.
pub fn ended(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    incident: IncidentId,
    now: Timestamp,
) -> Result<()> {
    if source_type != SourceType::HttpMonitor || !store::holds_dependents(conn, incident)? {
        return Ok(());
    }
    super::source::reevaluate(conn, org, now)
}

/// Records, on the upstream's open incident, that this report's source failed without opening
/// its own (named as its feature describes it).
fn note_suppressed(
    conn: &Connection,
    report: &Report<'_>,
    upstream_incident: IncidentId,
    now: Timestamp,
) -> Result<()> {
    let name = match super::source::describe(
        conn,
        report.org,
        report.source_type,
        Some(report.source_id),
    )? {
        Some(described) => described.name,
        None => report.title.to_owned(),
    };
    let dependent = DependentAffected {
        source_type: report.source_type,
        source_id: report.source_id.to_owned(),
        name,
    };
    store::note_dependent(conn, upstream_incident, &dependent, now)
}

/// The source stops being watched (paused, archived, deleted): its open incident ends, with
/// `event` on its timeline first if given. An unconfirmed one is discarded.
pub fn close(
    conn: &Connection,
    report: &Report<'_>,
    event: Option<EventType>,
    now: Timestamp,
) -> Result<()> {
    let Some(open) = report.open(conn)? else {
        return Ok(());
    };
    let mut effects: Vec<Effect> = event.into_iter().map(Effect::Event).collect();
    effects.push(match open.status {
        IncidentStatus::ToBeConfirmed => Effect::Discard,
        _ => Effect::Resolve,
    });
    apply(conn, report, Some(&open), &effects, now).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::quiet::Quiet;

    /// Quiet only for the source this test invents, so other tests sharing the registry are
    /// not affected.
    fn quiet_for_test(
        _: &Connection,
        _: OrgId,
        _: SourceType,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Quiet>> {
        Ok((id == "quiet-in-report-test").then(|| Quiet::Maintenance {
            window_id: crate::ids::MaintenanceId::generate(),
            title: "Upgrade".into(),
            ends_at: now,
        }))
    }

    /// A quiet source opens no incident (and the effects after the open find none); another
    /// source opens its incident as before.
    #[test]
    fn a_quiet_source_opens_no_incident() {
        let (conn, org) = crate::store::memory_with_org();
        let now = chrono::DateTime::UNIX_EPOCH;
        quiet::register(quiet_for_test);
        let effects = [
            Effect::Open(IncidentStatus::Ongoing),
            Effect::Event(EventType::MonitorPinged),
        ];
        for (source, opens) in [("quiet-in-report-test", false), ("loud", true)] {
            let report = Report {
                title: "Shop",
                ..Report::about(org, SourceType::Task, source)
            };
            let opened = apply(&conn, &report, None, &effects, now).unwrap();
            assert_eq!(opened.is_some(), opens, "{source}");
            assert_eq!(report.open(&conn).unwrap().is_some(), opens, "{source}");
        }
    }

    /// The upstream incident `behind_upstream` names (one test uses it).
    static UPSTREAM: std::sync::Mutex<Option<IncidentId>> = std::sync::Mutex::new(None);

    /// Quiet behind `UPSTREAM` for the sources this test invents.
    fn behind_upstream(
        _: &Connection,
        _: OrgId,
        _: SourceType,
        id: &str,
        _: Timestamp,
    ) -> Result<Option<Quiet>> {
        let upstream = *UPSTREAM.lock().unwrap();
        Ok(upstream
            .filter(|_| id.starts_with("behind-upstream-"))
            .map(|incident_id| Quiet::Upstream {
                incident_id,
                source_type: SourceType::HttpMonitor,
                source_id: "router".into(),
                name: "Router".into(),
            }))
    }

    /// Row by row, behind an upstream's incident: the effects a dependent's rules asked for,
    /// whether it has an (unconfirmed) incident before, whether one is open after, and how many
    /// dependents the upstream's timeline names then.
    #[test]
    fn behind_an_upstream_failures_are_noted_on_its_incident_once() {
        let (conn, org) = crate::store::memory_with_org();
        let now = chrono::DateTime::UNIX_EPOCH;
        let upstream = Report {
            title: "Router",
            ..Report::about(org, SourceType::HttpMonitor, "router")
        };
        let router = apply(
            &conn,
            &upstream,
            None,
            &[Effect::Open(IncidentStatus::Ongoing)],
            now,
        )
        .unwrap()
        .unwrap();
        *UPSTREAM.lock().unwrap() = Some(router);
        quiet::register(behind_upstream);
        use Effect::*;
        use IncidentStatus::*;
        let down = [Open(Ongoing), Event(EventType::MonitorPinged)];
        let suspicious = [Open(ToBeConfirmed), Event(EventType::MonitorPinged)];
        let confirmed = [
            Confirm,
            UpdateCause,
            Event(EventType::MonitorSwitchedToDown),
        ];
        let rows: &[(&str, &str, &[Effect], bool, bool, usize)] = &[
            (
                "suspicious: none opened, noted",
                "behind-upstream-1",
                &suspicious,
                false,
                false,
                1,
            ),
            (
                "down at the next check: noted once",
                "behind-upstream-1",
                &down,
                false,
                false,
                1,
            ),
            (
                "another dependent: noted too",
                "behind-upstream-2",
                &down,
                false,
                false,
                2,
            ),
            (
                "unconfirmed before: folded in",
                "behind-upstream-3",
                &confirmed,
                true,
                false,
                3,
            ),
            (
                "not behind it: opens its own",
                "on-its-own",
                &down,
                false,
                true,
                3,
            ),
        ];
        for (what, source, effects, unconfirmed_before, open_after, noted) in rows {
            let report = Report {
                title: source,
                ..Report::about(org, SourceType::HttpMonitor, source)
            };
            if *unconfirmed_before {
                let metadata = BTreeMap::new();
                let new = NewIncident {
                    org_id: org,
                    source_type: SourceType::HttpMonitor,
                    source_id: Some(source),
                    title: source,
                    status: ToBeConfirmed,
                    priority: Priority::Major,
                    cause: None,
                    metadata: &metadata,
                    created_by: None,
                };
                store::insert(&conn, &new, now).unwrap();
            }
            let open = report.open(&conn).unwrap();
            apply(&conn, &report, open.as_ref(), effects, now).unwrap();
            assert_eq!(report.open(&conn).unwrap().is_some(), *open_after, "{what}");
            let names: Vec<String> = store::events(&conn, router, 0, 0, 100)
                .unwrap()
                .into_iter()
                .filter(|e| e.event_type == EventType::DependentSuppressed)
                .filter_map(|e| match e.payload {
                    Some(Payload::Dependent(d)) => Some(d.name),
                    _ => None,
                })
                .collect();
            assert_eq!(names.len(), *noted, "{what}: {names:?}");
        }
    }
}
