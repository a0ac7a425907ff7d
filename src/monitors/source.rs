//! A monitor as a source of incidents: the source types that mean a monitor (its checks and
//! its TLS certificate), what incidents and notifications may know of it, and its routing,
//! written here only.

use rusqlite::Connection;

use super::store;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::incidents::model::SourceType;
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
};

fn describe(conn: &Connection, org: OrgId, id: &str) -> Result<Option<Described>> {
    let Ok(id) = id.parse::<MonitorId>() else {
        return Ok(None);
    };
    Ok(store::get(conn, org, id)?.map(|m| Described {
        name: m.settings.name,
        // Receivers are outside: credentials in the monitor's URL never go out.
        masked_url: Some(mask_url(&m.settings.url)),
        url: Some(m.settings.url),
        notification_channels: m.routing.notification_channels,
        renotify_minutes: m.routing.renotify_minutes,
    }))
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
    if let Some(routing) = routing::changed(conn, org, current, input)? {
        store::set_routing(conn, id, &routing)?;
        routing::replan(conn, org, TYPES, &id.to_string(), now)?;
    }
    Ok(())
}
