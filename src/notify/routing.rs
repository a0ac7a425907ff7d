//! Which channels an incident's source notifies, and how often it repeats itself: per monitor
//! and task (`notificationChannels`: a list of channel ids, or null for all of the
//! organization's channels; `renotifyMinutes`: null for the organization's default).

use rusqlite::{Connection, OptionalExtension, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{ChannelId, IncidentId, OrgId};
use crate::incidents::model::SourceType;
use crate::serde_util::present;

/// Where a source's notifications go, as stored and shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Routing {
    /// Channels to notify; null: every channel of the organization.
    pub notification_channels: Option<Vec<ChannelId>>,
    /// Repeat every N minutes while open and unacknowledged; null: the organization's setting.
    pub renotify_minutes: Option<u32>,
}

/// The routing fields of a monitor or task body: absent keeps, null resets.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoutingInput {
    /// Channel ids to notify; null: every channel of the organization.
    #[serde(default, deserialize_with = "present")]
    #[schemars(length(max = crate::limits::LIST))]
    pub notification_channels: Option<Option<Vec<ChannelId>>>,
    /// 5 to 10080; null: the organization's setting.
    #[serde(default, deserialize_with = "present")]
    #[schemars(range(min = *RENOTIFY_RANGE.start(), max = *RENOTIFY_RANGE.end()))]
    pub renotify_minutes: Option<Option<u32>>,
}

pub const RENOTIFY_RANGE: std::ops::RangeInclusive<u32> = 5..=10_080;

pub fn check_renotify(field: &str, minutes: Option<u32>) -> Result<Option<u32>> {
    match minutes {
        Some(m) if !RENOTIFY_RANGE.contains(&m) => Err(Error::invalid_field(
            field,
            format!("must be between 5 and 10080 minutes (a week), got {m}"),
        )),
        m => Ok(m),
    }
}

impl Routing {
    /// This routing with `input` applied; channel ids must be the organization's.
    pub fn apply(mut self, conn: &Connection, org: OrgId, input: &RoutingInput) -> Result<Routing> {
        if let Some(channels) = &input.notification_channels {
            if let Some(ids) = channels {
                crate::limits::count("notificationChannels", ids.len(), crate::limits::LIST)?;
                for (i, id) in ids.iter().enumerate() {
                    let known: bool = conn
                        .prepare_cached(
                            "SELECT EXISTS (SELECT 1 FROM notification_channels WHERE id = ?1 AND organization_id = ?2)",
                        )?
                        .query_row(params![id, org], |r| r.get(0))?;
                    // A reference to what does not exist (or is another organization's) is a
                    // 404, as for an id in a path: no body can be checked for it in advance.
                    if !known {
                        return Err(Error::new(
                            crate::error::Kind::NotFound,
                            "not_found",
                            format!(
                                "notificationChannels[{i}]: no channel {id} in this organization"
                            ),
                        ));
                    }
                }
            }
            self.notification_channels = channels.clone();
        }
        if let Some(minutes) = input.renotify_minutes {
            self.renotify_minutes = check_renotify("renotifyMinutes", minutes)?;
        }
        Ok(self)
    }

    pub fn from_columns(channels: Option<String>, renotify: Option<u32>) -> Routing {
        Routing {
            notification_channels: channels.and_then(|c| serde_json::from_str(&c).ok()),
            renotify_minutes: renotify,
        }
    }

    pub fn channels_column(&self) -> Option<String> {
        self.notification_channels
            .as_ref()
            .map(|c| serde_json::to_string(c).expect("ids serialize"))
    }
}

/// A source whose routing is stored.
pub enum Source<'a> {
    Monitor(crate::ids::MonitorId),
    Task(OrgId, &'a str),
}

/// Applies `input` to a source's routing `current`; when that changes anything, stores it and
/// re-plans the re-notification of the source's open incidents.
pub fn update(
    conn: &Connection,
    source: Source<'_>,
    current: &Routing,
    input: &RoutingInput,
    now: crate::clock::Timestamp,
) -> Result<()> {
    let org = match source {
        Source::Monitor(id) => conn
            .prepare_cached("SELECT organization_id FROM monitors WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?,
        Source::Task(org, _) => org,
    };
    let routing = current.clone().apply(conn, org, input)?;
    if routing == *current {
        return Ok(());
    }
    let channels = routing.channels_column();
    let (types, id): (&[&str], String) = match source {
        Source::Monitor(id) => {
            conn.prepare_cached(
                "UPDATE monitors SET notification_channels = ?2, renotify_minutes = ?3 WHERE id = ?1",
            )?
            .execute(params![id, channels, routing.renotify_minutes])?;
            (&["httpmonitor", "tlscertificate"], id.to_string())
        }
        Source::Task(org, id) => {
            conn.prepare_cached(
                "UPDATE tasks SET notification_channels = ?3, renotify_minutes = ?4
                 WHERE organization_id = ?1 AND id = ?2",
            )?
            .execute(params![org, id, channels, routing.renotify_minutes])?;
            (&["task"], id.to_owned())
        }
    };
    let open: Vec<IncidentId> = conn
        .prepare_cached(
            "SELECT id FROM incidents WHERE organization_id = ?1 AND source_type IN (?2, ?3)
               AND source_id = ?4 AND status = 'ongoing'",
        )?
        .query_map(
            params![org, types[0], types.get(1).unwrap_or(&types[0]), id],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    super::outbox::replan_renotifications(conn, &open, now)
}

/// The routing stored for an incident's source, with the incident's organization.
fn source_routing(conn: &Connection, incident: IncidentId) -> Result<Option<(OrgId, Routing)>> {
    let Some((org, source_type, source_id)) = conn
        .prepare_cached(
            "SELECT organization_id, source_type, source_id FROM incidents WHERE id = ?1",
        )?
        .query_row([incident], |r| {
            Ok((
                r.get::<_, OrgId>(0)?,
                r.get::<_, SourceType>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let sql = match source_type {
        SourceType::HttpMonitor | SourceType::TlsCertificate => {
            "SELECT notification_channels, renotify_minutes FROM monitors WHERE id = ?2 AND organization_id = ?1"
        }
        SourceType::Task => {
            "SELECT notification_channels, renotify_minutes FROM tasks WHERE id = ?2 AND organization_id = ?1"
        }
        SourceType::Manual => return Ok(Some((org, Routing::default()))),
    };
    let routing = conn
        .prepare_cached(sql)?
        .query_row(params![org, source_id], |r| {
            Ok(Routing::from_columns(r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or_default();
    Ok(Some((org, routing)))
}

/// The enabled channels an incident notifies.
pub fn channels_for_incident(
    conn: &Connection,
    incident: IncidentId,
) -> Result<Option<(OrgId, Vec<ChannelId>)>> {
    let Some((org, routing)) = source_routing(conn, incident)? else {
        return Ok(None);
    };
    let enabled: Vec<ChannelId> = conn
        .prepare_cached(
            "SELECT id FROM notification_channels WHERE organization_id = ?1 AND enabled = 1 ORDER BY created_at",
        )?
        .query_map([org], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let chosen = match routing.notification_channels {
        None => enabled,
        Some(list) => enabled.into_iter().filter(|c| list.contains(c)).collect(),
    };
    Ok(Some((org, chosen)))
}

/// How often an incident is re-notified: its source's setting, else its organization's.
pub fn renotify_minutes(conn: &Connection, incident: IncidentId) -> Result<Option<u32>> {
    let Some((org, routing)) = source_routing(conn, incident)? else {
        return Ok(None);
    };
    if routing.renotify_minutes.is_some() {
        return Ok(routing.renotify_minutes);
    }
    Ok(conn
        .prepare_cached("SELECT renotify_minutes FROM organizations WHERE id = ?1")?
        .query_row([org], |r| r.get(0))
        .optional()?
        .flatten())
}
