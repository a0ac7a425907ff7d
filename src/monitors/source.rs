//! A monitor as a source of incidents: the source types that mean a monitor (its checks and
//! its TLS certificate), what incidents and notifications may know of it, and its routing,
//! written here only.

use rusqlite::Connection;

use super::model::Monitor;
use super::store;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::incidents::model::SourceType;
use crate::incidents::quiet;
use crate::incidents::source::{Described, Registration};
use crate::notify::routing::{self, Routing, RoutingInput};
use crate::url_mask::mask_url;

/// The source types of a monitor's incidents.
pub const TYPES: &[SourceType] = &[SourceType::HttpMonitor, SourceType::TlsCertificate];

pub static REGISTRATION: Registration = Registration {
    types: TYPES,
    describe,
    forget_channel: store::forget_channel,
    url_has_credentials: true,
    named: store::ids_named,
    reevaluate: super::incident::reevaluate,
    list,
};

/// Every monitor of `org` (archived ones aside) can be selected.
fn list(conn: &Connection, org: OrgId) -> Result<Vec<(String, Described)>> {
    let filter = store::Filter {
        limit: u32::MAX,
        ..Default::default()
    };
    Ok(store::list(conn, org, &filter)?
        .items
        .into_iter()
        .map(|m| (m.id.to_string(), described(m)))
        .collect())
}

fn described(m: Monitor) -> Described {
    let target = m.settings.target();
    Described {
        kind: m.settings.kind.kind().as_str().to_owned(),
        metadata: m.settings.metadata,
        name: m.settings.name,
        // Receivers are outside: credentials in the monitor's URL never go out.
        masked_url: Some(mask_url(&target)),
        url: Some(target),
        notification_channels: m.routing.notification_channels,
        renotify_minutes: m.routing.renotify_minutes,
    }
}

fn describe(conn: &Connection, org: OrgId, id: &str) -> Result<Option<Described>> {
    let Ok(id) = id.parse::<MonitorId>() else {
        return Ok(None);
    };
    Ok(store::get(conn, org, id)?.map(described))
}

/// The monitor with why it is quiet at `now`, if it is (`quiet` in its JSON).
pub fn with_quiet(conn: &Connection, mut m: Monitor, now: Timestamp) -> Result<Monitor> {
    let id = m.id.to_string();
    m.quiet = quiet::of(conn, m.organization_id, SourceType::HttpMonitor, &id, now)?;
    Ok(m)
}

/// Applies `input` to the monitor's routing `current`; when that changes anything, stores it
/// and re-plans the re-notification of its open incidents.
pub fn update_routing(
    conn: &Connection,
    org: OrgId,
    id: MonitorId,
    current: &Routing,
    input: &RoutingInput,
    now: Timestamp,
) -> Result<()> {
    let key = id.to_string();
    crate::notify::escalation::store::apply_choice(conn, org, "monitor", &key, input)?;
    if let Some(routing) = routing::changed(conn, org, current, input)? {
        store::set_routing(conn, id, &routing)?;
        routing::replan(conn, org, TYPES, &id.to_string(), now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::source as sources;
    use crate::monitors::settings::Settings;

    /// Incidents and notifications learn of a monitor through the registry: its name, its URL
    /// as stored and as receivers may see it, its routing; any of its source types answers, and
    /// a deleted one is gone.
    #[test]
    fn the_registry_describes_a_monitor() {
        let (conn, org) = crate::store::memory_with_org();
        let now = chrono::DateTime::UNIX_EPOCH;
        let url = "https://user:pw@shop.example/health?token=t";
        let input = serde_json::json!({"url": url, "name": "Shop", "metadata": {"team": "web"}});
        let settings = Settings::create(serde_json::from_value(input).unwrap()).unwrap();
        let m = store::insert(&conn, org, &settings, true, now).unwrap();
        let routing = Routing {
            notification_channels: Some(vec![]),
            renotify_minutes: Some(30),
        };
        store::set_routing(&conn, m.id, &routing).unwrap();
        sources::register(&REGISTRATION);

        let id = m.id.to_string();
        for source_type in TYPES {
            let d = sources::describe(&conn, org, *source_type, Some(&id))
                .unwrap()
                .unwrap();
            assert_eq!(d.name, "Shop");
            assert_eq!(d.url.as_deref(), Some(url));
            assert_eq!(
                d.masked_url.as_deref(),
                Some("https://(hidden)@shop.example/health?token=(hidden)")
            );
            assert_eq!(d.notification_channels, Some(vec![]));
            assert_eq!(d.renotify_minutes, Some(30));
            assert_eq!(d.kind, "http");
            assert_eq!(d.metadata.get("team").map(String::as_str), Some("web"));
        }
        let listed = sources::list(&conn, org).unwrap();
        assert!(
            listed
                .iter()
                .any(|l| l.id == id && l.described.name == "Shop")
        );
        assert!(sources::url_has_credentials(SourceType::TlsCertificate));
        let other = OrgId::generate();
        let describe =
            |org, id: &str| sources::describe(&conn, org, SourceType::HttpMonitor, Some(id));
        assert_eq!(
            describe(other, &id).unwrap(),
            None,
            "another organization's"
        );
        assert_eq!(describe(org, "not-an-id").unwrap(), None);
        // A deleted channel leaves the monitors that chose it (a list of all stays all).
        let (kept, deleted) = (
            crate::ids::ChannelId::generate(),
            crate::ids::ChannelId::generate(),
        );
        let routing = Routing {
            notification_channels: Some(vec![kept, deleted]),
            renotify_minutes: None,
        };
        store::set_routing(&conn, m.id, &routing).unwrap();
        sources::forget_channel(&conn, org, deleted).unwrap();
        let d = describe(org, &id).unwrap().unwrap();
        assert_eq!(d.notification_channels, Some(vec![kept]));

        store::delete(&conn, org, m.id).unwrap();
        assert_eq!(describe(org, &id).unwrap(), None, "deleted");
    }
}
