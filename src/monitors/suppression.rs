//! Why a dependent is quiet: the `incidents::quiet` answer for monitors and tasks with
//! upstreams. A source is quiet while one of its upstreams, transitively, has an open incident
//! (the value names that incident, the one its failure is noted on) or is itself quiet for
//! maintenance (that window is the answer). Registered at start-up by `app::connect_features`.

use std::cell::Cell;

use rusqlite::Connection;

use super::upstreams::{self, DependentType};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::incidents::model::SourceType;
use crate::incidents::quiet::{self, Quiet};
use crate::incidents::store as incidents;

/// How deep `quiet::of` may recurse through upstreams: cycles are refused when stored, this
/// only bounds the work on a long chain.
const MAX_DEPTH: u32 = 16;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

pub fn quieter(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    source_id: &str,
    now: Timestamp,
) -> Result<Option<Quiet>> {
    let kind = match source_type {
        SourceType::HttpMonitor => DependentType::Monitor,
        SourceType::Task => DependentType::Task,
        _ => return Ok(None),
    };
    let list = upstreams::of(conn, org, kind, source_id)?;
    if list.is_empty() {
        return Ok(None);
    }
    // A direct upstream's own incident first: it is what people are told about.
    for upstream in &list {
        let id = upstream.to_string();
        if let Some(open) = incidents::open_for_source(conn, org, SourceType::HttpMonitor, &id)? {
            let name = super::dependents::upstream_monitors(conn, org, kind, source_id)?
                .into_iter()
                .find(|l| l.id == id)
                .map_or_else(|| id.clone(), |l| l.name);
            return Ok(Some(Quiet::Upstream {
                incident_id: open.id,
                source_type: SourceType::HttpMonitor,
                source_id: id,
                name,
            }));
        }
    }
    let depth = DEPTH.get();
    if depth >= MAX_DEPTH {
        return Ok(None);
    }
    DEPTH.set(depth + 1);
    let further = (|| {
        for upstream in &list {
            let id = upstream.to_string();
            if let Some(q) = quiet::of(conn, org, SourceType::HttpMonitor, &id, now)? {
                return Ok(Some(q));
            }
        }
        Ok(None)
    })();
    DEPTH.set(depth);
    further
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MonitorId;
    use crate::incidents::model::IncidentStatus;
    use crate::incidents::report::{Effect, Report, apply};
    use crate::monitors::settings::Settings;

    fn monitor(conn: &Connection, org: OrgId, name: &str) -> MonitorId {
        let input = serde_json::json!({"url": "https://a.example/", "name": name});
        let settings = Settings::create(serde_json::from_value(input).unwrap()).unwrap();
        let now = chrono::DateTime::UNIX_EPOCH;
        super::super::store::insert(conn, org, &settings, true, now)
            .unwrap()
            .id
    }

    /// Row by row: which monitors have an open incident (and in which status), the answer
    /// for the dependent (the name of the upstream whose incident it names, or none).
    #[test]
    fn a_dependent_is_quiet_while_an_upstream_transitively_has_an_open_incident() {
        let (conn, org) = crate::store::memory_with_org();
        let now = chrono::DateTime::UNIX_EPOCH;
        quiet::register(quieter);
        // Shop → (Router, Database); Router → Uplink; the task Backup → Database.
        let [uplink, router, database, shop] =
            ["Uplink", "Router", "Database", "Shop"].map(|n| monitor(&conn, org, n));
        let set = |kind, id: &str, list: &[MonitorId]| {
            upstreams::set(&conn, org, kind, id, list).unwrap()
        };
        set(
            DependentType::Monitor,
            &shop.to_string(),
            &[router, database],
        );
        set(DependentType::Monitor, &router.to_string(), &[uplink]);
        set(DependentType::Task, "backup", &[database]);
        let names = [
            (uplink, "Uplink"),
            (router, "Router"),
            (database, "Database"),
        ];

        use IncidentStatus::*;
        let rows: &[(
            &str,
            &[(&str, IncidentStatus)],
            SourceType,
            &str,
            Option<&str>,
        )] = &[
            ("all up", &[], SourceType::HttpMonitor, "shop", None),
            (
                "an upstream down",
                &[("Router", Ongoing)],
                SourceType::HttpMonitor,
                "shop",
                Some("Router"),
            ),
            (
                "unconfirmed counts",
                &[("Database", ToBeConfirmed)],
                SourceType::HttpMonitor,
                "shop",
                Some("Database"),
            ),
            (
                "transitively",
                &[("Uplink", Ongoing)],
                SourceType::HttpMonitor,
                "shop",
                Some("Uplink"),
            ),
            (
                "a direct one first",
                &[("Uplink", Ongoing), ("Database", Ongoing)],
                SourceType::HttpMonitor,
                "shop",
                Some("Database"),
            ),
            (
                "its own upstream only",
                &[("Router", Ongoing)],
                SourceType::Task,
                "backup",
                None,
            ),
            (
                "a task behind a monitor",
                &[("Database", Ongoing)],
                SourceType::Task,
                "backup",
                Some("Database"),
            ),
            (
                "an upstream of none",
                &[("Router", Ongoing)],
                SourceType::HttpMonitor,
                "uplink",
                None,
            ),
            (
                "a TLS warning is never quiet",
                &[("Router", Ongoing)],
                SourceType::TlsCertificate,
                "shop",
                None,
            ),
        ];
        for (what, down, source_type, dependent, expected) in rows {
            let mut opened = Vec::new();
            for (name, status) in *down {
                let id = names.iter().find(|(_, n)| n == name).unwrap().0.to_string();
                let report = Report {
                    title: name,
                    ..Report::about(org, SourceType::HttpMonitor, &id)
                };
                let incident = apply(&conn, &report, None, &[Effect::Open(*status)], now).unwrap();
                opened.push((id, incident.unwrap()));
            }
            let dependent = match *dependent {
                "shop" => shop.to_string(),
                "uplink" => uplink.to_string(),
                other => other.to_owned(),
            };
            let answer = quieter(&conn, org, *source_type, &dependent, now).unwrap();
            let named = match &answer {
                Some(Quiet::Upstream {
                    incident_id,
                    name,
                    source_id,
                    ..
                }) => {
                    assert!(
                        opened.contains(&(source_id.clone(), *incident_id)),
                        "{what}"
                    );
                    Some(name.as_str())
                }
                Some(other) => panic!("{what}: {other:?}"),
                None => None,
            };
            assert_eq!(named, *expected, "{what}");
            for (id, _) in opened {
                let report = Report::about(org, SourceType::HttpMonitor, &id);
                crate::incidents::report::close(&conn, &report, None, now).unwrap();
            }
        }
    }
}
