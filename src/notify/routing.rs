//! Which channels an incident's source notifies, and how often it repeats itself: per monitor
//! and task (`notificationChannels`: a list of channel ids, or null for all of the
//! organization's channels; `renotifyMinutes`: null for the organization's default).

use rusqlite::{Connection, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, IncidentId, OrgId};
use crate::incidents::model::SourceType;
use crate::incidents::source;
use crate::incidents::store as incidents;
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
    /// The escalation policy its incidents run (instead of notifying `notificationChannels`
    /// and re-notifying); null: the organization's default policy, if it has one.
    #[serde(default, deserialize_with = "present")]
    pub escalation_policy: Option<Option<crate::ids::PolicyId>>,
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

/// `current` with `input` applied, if that changes anything. The owner of the source stores it
/// (only monitors and tasks write their rows) and then calls `replan`.
pub fn changed(
    conn: &Connection,
    org: OrgId,
    current: &Routing,
    input: &RoutingInput,
) -> Result<Option<Routing>> {
    let routing = current.clone().apply(conn, org, input)?;
    Ok((routing != *current).then_some(routing))
}

/// Re-plans the re-notification of a source's ongoing incidents after its routing changed.
pub fn replan(
    conn: &Connection,
    org: OrgId,
    source_types: &[SourceType],
    source_id: &str,
    now: Timestamp,
) -> Result<()> {
    let open = incidents::ongoing_for_source(conn, org, source_types, source_id)?;
    super::reminders::replan(conn, &open, now)
}

/// The statement a source's owner runs to take channel `?2` out of the `notification_channels`
/// lists of its rows in `table` of organization `?1` (the column format is notify's).
pub fn forget_channel_sql(table: &str) -> String {
    format!(
        "UPDATE {table} SET notification_channels =
            (SELECT json_group_array(value) FROM json_each(notification_channels) WHERE value != ?2)
         WHERE organization_id = ?1 AND notification_channels IS NOT NULL
           AND EXISTS (SELECT 1 FROM json_each(notification_channels) WHERE value = ?2)"
    )
}

/// The routing of an incident's source, as its owner describes it, with the incident's
/// organization. Manual incidents and deleted sources notify every channel.
fn source_routing(conn: &Connection, incident: IncidentId) -> Result<Option<(OrgId, Routing)>> {
    let Some((org, source_type, source_id)) = incidents::source_of(conn, incident)? else {
        return Ok(None);
    };
    let routing = source::describe(conn, org, source_type, source_id.as_deref())?
        .map(|d| Routing {
            notification_channels: d.notification_channels,
            renotify_minutes: d.renotify_minutes,
        })
        .unwrap_or_default();
    Ok(Some((org, routing)))
}

/// The enabled channels an incident notifies (a personal channel only reaches the members an
/// escalation step names).
pub fn channels_for_incident(
    conn: &Connection,
    incident: IncidentId,
) -> Result<Option<(OrgId, Vec<ChannelId>)>> {
    let Some((org, routing)) = source_routing(conn, incident)? else {
        return Ok(None);
    };
    let enabled: Vec<ChannelId> = conn
        .prepare_cached(
            "SELECT id FROM notification_channels WHERE organization_id = ?1 AND enabled = 1 AND personal = 0 ORDER BY created_at",
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
    Ok(super::store::settings(conn, org)?.renotify_minutes)
}
