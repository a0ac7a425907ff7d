//! Queries on channels and organization settings, and gathering what one delivery needs.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::channels::ChannelConfig;
use super::message::{IncidentFacts, Lang};
use super::model::{Channel, ChannelKind, NotificationEvent, Settings};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ChannelId, DeliveryId, IncidentId, OrgId};
use crate::incidents::model::SourceType;
use crate::incidents::source;
use crate::store::time::{from_db, to_db};

/// A stored channel with its parsed config.
pub struct StoredChannel {
    pub channel: Channel,
    pub config: ChannelConfig,
}

impl StoredChannel {
    /// As the API shows it: secrets masked unless `reveal`.
    pub fn shown(self, reveal: bool) -> Channel {
        let mut channel = self.channel;
        channel.config = if reveal {
            self.config.to_value()
        } else {
            self.config.masked()
        };
        channel
    }
}

const COLUMNS: &str =
    "id, organization_id, name, kind, config, enabled, created_at, updated_at, personal";

fn channel_from_row(r: &Row<'_>) -> rusqlite::Result<StoredChannel> {
    let kind: ChannelKind = r.get(3)?;
    let raw: String = r.get(4)?;
    let value: serde_json::Value = serde_json::from_str(&raw).unwrap_or_default();
    let config = ChannelConfig::parse(kind, &value).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.message.into())
    })?;
    Ok(StoredChannel {
        channel: Channel {
            id: r.get(0)?,
            organization_id: r.get(1)?,
            name: r.get(2)?,
            kind,
            enabled: r.get(5)?,
            config: value,
            created_at: from_db(r.get(6)?),
            updated_at: from_db(r.get(7)?),
            personal: r.get(8)?,
        },
        config,
    })
}

pub fn insert(
    conn: &Connection,
    org: OrgId,
    name: &str,
    config: &ChannelConfig,
    kind: ChannelKind,
    enabled: bool,
    now: Timestamp,
) -> Result<ChannelId> {
    let id = ChannelId::generate();
    insert_with_id(conn, org, id, name, config, kind, enabled, now)?;
    Ok(id)
}

/// As `insert`, with the id chosen by the caller (a config document's, an import's).
#[allow(clippy::too_many_arguments)]
pub fn insert_with_id(
    conn: &Connection,
    org: OrgId,
    id: ChannelId,
    name: &str,
    config: &ChannelConfig,
    kind: ChannelKind,
    enabled: bool,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notification_channels (id, organization_id, name, kind, config, enabled, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![id, org, name, kind, config.to_value().to_string(), enabled, to_db(now)])?;
    Ok(())
}

pub fn update(
    conn: &Connection,
    id: ChannelId,
    name: &str,
    config: &ChannelConfig,
    enabled: bool,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE notification_channels SET name = ?2, config = ?3, enabled = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, name, config.to_value().to_string(), enabled, to_db(now)])?;
    Ok(())
}

/// Deletes a channel (its pending deliveries go with it) and has the owners of the sources
/// that chose it (monitors, tasks) take it out.
pub fn delete(conn: &Connection, org: OrgId, id: ChannelId) -> Result<()> {
    conn.prepare_cached("DELETE FROM notification_channels WHERE id = ?1")?
        .execute([id])?;
    source::forget_channel(conn, org, id)
}

pub fn get(conn: &Connection, org: OrgId, id: ChannelId) -> Result<Option<StoredChannel>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM notification_channels WHERE id = ?1 AND organization_id = ?2"
        ))?
        .query_row(params![id, org], channel_from_row)
        .optional()?)
}

pub fn list(conn: &Connection, org: OrgId) -> Result<Vec<StoredChannel>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM notification_channels WHERE organization_id = ?1
             ORDER BY name COLLATE NOCASE, created_at"
        ))?
        .query_map([org], channel_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The organization's notification settings; an organization that never set them has the
/// defaults (English, no re-notification).
pub fn settings(conn: &Connection, org: OrgId) -> Result<Settings> {
    Ok(conn
        .prepare_cached(
            "SELECT language, renotify_minutes, storm_threshold, storm_window_seconds
             FROM notification_settings WHERE organization_id = ?1",
        )?
        .query_row([org], |r| {
            Ok(Settings {
                language: r.get(0)?,
                renotify_minutes: r.get(1)?,
                storm_threshold: r.get(2)?,
                storm_window_seconds: r.get(3)?,
            })
        })
        .optional()?
        .unwrap_or(Settings {
            language: "en".to_owned(),
            renotify_minutes: None,
            storm_threshold: super::storm::default_threshold(),
            storm_window_seconds: super::storm::default_window(),
        }))
}

pub fn set_settings(conn: &Connection, org: OrgId, s: &Settings) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notification_settings (organization_id, language, renotify_minutes,
            storm_threshold, storm_window_seconds)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (organization_id) DO UPDATE SET language = ?2, renotify_minutes = ?3,
            storm_threshold = ?4, storm_window_seconds = ?5",
    )?
    .execute(params![
        org,
        s.language,
        s.renotify_minutes,
        s.storm_threshold,
        s.storm_window_seconds
    ])?;
    Ok(())
}

/// Everything one delivery needs, read in one snapshot.
pub struct Prepared {
    pub delivery: DeliveryId,
    pub event: NotificationEvent,
    pub created_at: Timestamp,
    pub organization: String,
    pub lang: Lang,
    pub channel: ChannelConfig,
    /// A disabled channel sends only test messages.
    pub enabled: bool,
    pub incident: Option<IncidentFacts>,
    /// A storm's digest: the incidents it tells (empty for one incident or a test).
    pub digest: Vec<IncidentFacts>,
    /// The organization's members' addresses (for e-mail channels to all members).
    pub members: Vec<String>,
    /// The member the row is addressed to, if any (`notification_outbox.user_id`).
    pub recipient: Option<super::channels::Recipient>,
    /// Addressed to a member who has left the organization since: not sent.
    pub to_former_member: bool,
    /// The organization's id (web push reads its members' subscriptions).
    pub organization_id: OrgId,
}

/// Gathers a delivery's channel, incident, organization and members; None if it is gone.
pub fn prepare(conn: &Connection, id: DeliveryId) -> Result<Option<Prepared>> {
    let Some((org, channel_id, incident_id, event, created_at)) = conn
        .prepare_cached(
            "SELECT organization_id, channel_id, incident_id, event, created_at FROM notification_outbox WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, OrgId>(0)?,
                r.get::<_, ChannelId>(1)?,
                r.get::<_, Option<IncidentId>>(2)?,
                r.get::<_, NotificationEvent>(3)?,
                from_db(r.get(4)?),
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let Some(channel) = get(conn, org, channel_id)? else {
        return Ok(None);
    };
    let organization: String = conn
        .prepare_cached("SELECT display_name FROM organizations WHERE id = ?1")?
        .query_row([org], |r| r.get(0))?;
    let language = settings(conn, org)?.language;
    let members = conn
        .prepare_cached(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = ?1 ORDER BY u.email",
        )?
        .query_map([org], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let incident = match incident_id {
        Some(i) => facts(conn, org, i)?,
        None => None,
    };
    let mut digest = Vec::new();
    for (_, member) in super::storm::members(conn, id)? {
        digest.extend(facts(conn, org, member)?);
    }
    use super::escalation::people::{Addressee, addressee};
    let (recipient, to_former_member) = match addressee(conn, org, id)? {
        Addressee::Channel => (None, false),
        Addressee::Member(member) => (Some(member), false),
        Addressee::Former => (None, true),
    };
    Ok(Some(Prepared {
        delivery: id,
        event,
        created_at,
        organization,
        lang: Lang::parse(&language),
        enabled: channel.channel.enabled,
        channel: channel.config,
        incident,
        digest,
        members,
        recipient,
        to_former_member,
        organization_id: org,
    }))
}

/// The incident as a notification describes it, with its source's name and URL.
fn facts(conn: &Connection, org: OrgId, id: IncidentId) -> Result<Option<IncidentFacts>> {
    let Some(i) = crate::incidents::store::get(conn, org, id)? else {
        return Ok(None);
    };
    let described = source::describe(
        conn,
        org,
        i.incident_source_type,
        i.incident_source_id.as_deref(),
    )?;
    // A monitor or task found no more was deleted; a manual incident never had one.
    let source_exists = i.incident_source_type == SourceType::Manual || described.is_some();
    let (source_name, source_url) = match described {
        Some(d) => (Some(d.name), d.masked_url),
        None => (None, None),
    };
    Ok(Some(IncidentFacts {
        source_exists,
        id: i.id.to_string(),
        title: i.title,
        status: i.status,
        priority: i.priority,
        source_type: i.incident_source_type,
        source_id: i.incident_source_id,
        source_name,
        // Receivers are outside: only the URL with its credentials masked goes out.
        source_url,
        cause: i.cause,
        created_at: i.created_at,
        resolved_at: i.resolved_at,
        acknowledged_by: i
            .acknowledged_by
            .iter()
            .map(|u| format!("{} {}", u.first_name, u.last_name))
            .collect(),
    }))
}
