//! Members as escalation steps reach them: the channels marked personal (which send only to
//! the member a notification is addressed to), each member's preferences in an organization
//! (`notification_preferences`: which personal channels wake them, their phone, quiet hours),
//! and who a delivery is addressed to (`notification_outbox.user_id`).

use chrono::NaiveTime;
use rusqlite::{Connection, OptionalExtension, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::quiet::QuietHours;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, DeliveryId, OrgId, UserId};
use crate::notify::channels::Recipient;
use crate::notify::model::ChannelKind;
use crate::store::time::to_db;

/// The kinds that can reach one person (the others post to a shared place).
pub const PERSONAL_KINDS: &[&str] = &["email", "sms", "webPush"];

/// Marks (or unmarks) a channel personal; absent keeps it.
pub fn set_personal(
    conn: &Connection,
    id: ChannelId,
    kind: ChannelKind,
    personal: Option<bool>,
) -> Result<()> {
    let Some(personal) = personal else {
        return Ok(());
    };
    if personal && !PERSONAL_KINDS.contains(&kind.as_str()) {
        return Err(Error::invalid_field(
            "personal",
            format!("a {} channel cannot reach one member", kind.as_str()),
        ));
    }
    conn.prepare_cached("UPDATE notification_channels SET personal = ?2 WHERE id = ?1")?
        .execute(params![id, personal])?;
    Ok(())
}

/// A member's preferences in one organization, as `/users/me/notification-preferences` shows
/// and takes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preferences {
    /// The personal channels that wake me; null: all of them.
    #[serde(default)]
    #[schemars(length(max = crate::limits::LIST))]
    pub channels: Option<Vec<ChannelId>>,
    /// For SMS, in E.164 (`+33612345678`); null: none.
    #[serde(default)]
    #[schemars(regex(pattern = r"^\+[1-9][0-9]{6,14}$"))]
    pub phone: Option<String>,
    /// Quiet hours, or null: during them only urgent escalation steps reach me; the others
    /// wait for their end.
    #[serde(default)]
    pub quiet_hours: Option<QuietInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuietInput {
    /// Local time, `HH:MM`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub start: String,
    /// Local time, `HH:MM`; before `start` when the hours cross midnight.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub end: String,
    /// IANA time zone, e.g. `Europe/Paris`.
    #[schemars(length(min = 1, max = 64))]
    pub time_zone: String,
}

fn time(field: &str, raw: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(raw, "%H:%M")
        .map_err(|_| Error::invalid_field(field, "a local time as HH:MM, e.g. 22:00"))
}

impl QuietInput {
    pub fn parse(&self) -> Result<QuietHours> {
        Ok(QuietHours {
            start: time("quietHours.start", &self.start)?,
            end: time("quietHours.end", &self.end)?,
            zone: self.time_zone.trim().parse().map_err(|_| {
                Error::invalid_field(
                    "quietHours.timeZone",
                    "an IANA time zone, e.g. Europe/Paris",
                )
            })?,
        })
    }
}

impl Preferences {
    /// Checks the values; channel ids must be personal channels of the organization.
    pub fn validate(&self, conn: &Connection, org: OrgId) -> Result<()> {
        if let Some(ids) = &self.channels {
            crate::limits::count("channels", ids.len(), crate::limits::LIST)?;
            let personal = personal_channels(conn, org)?;
            if let Some((i, id)) = ids.iter().enumerate().find(|(_, c)| !personal.contains(c)) {
                return Err(Error::invalid_field(
                    &format!("channels[{i}]"),
                    format!("no personal channel {id} in this organization"),
                ));
            }
        }
        if let Some(phone) = &self.phone {
            let pattern = regex::Regex::new(r"^\+[1-9][0-9]{6,14}$").expect("a valid pattern");
            if !pattern.is_match(phone) {
                return Err(Error::invalid_field(
                    "phone",
                    "an international number in E.164, e.g. +33612345678",
                ));
            }
        }
        if let Some(quiet) = &self.quiet_hours {
            quiet.parse()?;
        }
        Ok(())
    }
}

pub fn get(conn: &Connection, org: OrgId, user: UserId) -> Result<Preferences> {
    let row = conn
        .prepare_cached(
            "SELECT channels, phone, quiet_start, quiet_end, time_zone
             FROM notification_preferences WHERE organization_id = ?1 AND user_id = ?2",
        )?
        .query_row(params![org, user], |r| {
            let channels: Option<String> = r.get(0)?;
            let quiet = match (r.get(2)?, r.get(3)?, r.get(4)?) {
                (Some(start), Some(end), Some(time_zone)) => Some(QuietInput {
                    start,
                    end,
                    time_zone,
                }),
                _ => None,
            };
            Ok(Preferences {
                channels: channels.and_then(|c| serde_json::from_str(&c).ok()),
                phone: r.get(1)?,
                quiet_hours: quiet,
            })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

pub fn set(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    p: &Preferences,
    now: Timestamp,
) -> Result<()> {
    let channels = p
        .channels
        .as_ref()
        .map(|c| serde_json::to_string(c).expect("ids serialize"));
    let quiet = p.quiet_hours.as_ref();
    conn.prepare_cached(
        "INSERT INTO notification_preferences
            (organization_id, user_id, channels, phone, quiet_start, quiet_end, time_zone, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET channels = excluded.channels,
            phone = excluded.phone, quiet_start = excluded.quiet_start,
            quiet_end = excluded.quiet_end, time_zone = excluded.time_zone,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        org,
        user,
        channels,
        p.phone,
        quiet.map(|q| &q.start),
        quiet.map(|q| &q.end),
        quiet.map(|q| q.time_zone.trim()),
        to_db(now)
    ])?;
    Ok(())
}

/// The member's quiet hours in the organization, if they set some.
pub fn quiet_hours(conn: &Connection, org: OrgId, user: UserId) -> Result<Option<QuietHours>> {
    Ok(get(conn, org, user)?
        .quiet_hours
        .and_then(|q| q.parse().ok()))
}

/// The organization's enabled personal channels.
pub fn personal_channels(conn: &Connection, org: OrgId) -> Result<Vec<ChannelId>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM notification_channels
             WHERE organization_id = ?1 AND enabled = 1 AND personal = 1 ORDER BY created_at",
        )?
        .query_map([org], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The personal channels that reach `user`: those they chose, else all of them.
pub fn channels_of(conn: &Connection, org: OrgId, user: UserId) -> Result<Vec<ChannelId>> {
    let all = personal_channels(conn, org)?;
    Ok(match get(conn, org, user)?.channels {
        Some(chosen) => all.into_iter().filter(|c| chosen.contains(c)).collect(),
        None => all,
    })
}

/// Who a delivery is for.
pub enum Addressee {
    /// The channel's own recipients.
    Channel,
    /// One member, with their address and phone.
    Member(Recipient),
    /// A member who has left the organization since it was queued: nothing goes out (sending
    /// to the channel's own list instead would reach people the step did not name).
    Former,
}

/// Who the delivery `delivery` is addressed to (`notification_outbox.user_id`). Membership is
/// checked at sending, not only at queueing: a step delayed by quiet hours, a retry or an
/// "acknowledged" notice may go out hours later.
pub fn addressee(conn: &Connection, org: OrgId, delivery: DeliveryId) -> Result<Addressee> {
    let found: Option<(Option<UserId>, Option<String>, bool)> = conn
        .prepare_cached(
            "SELECT o.user_id, u.email, EXISTS (SELECT 1 FROM memberships m
                 WHERE m.user_id = o.user_id AND m.organization_id = ?2)
             FROM notification_outbox o LEFT JOIN users u ON u.id = o.user_id
             WHERE o.id = ?1",
        )?
        .query_row(params![delivery, org], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(match found {
        None | Some((None, _, _)) => Addressee::Channel,
        Some((Some(user), Some(email), true)) => Addressee::Member(Recipient {
            user,
            email,
            phone: get(conn, org, user)?.phone,
        }),
        Some((Some(_), _, _)) => Addressee::Former,
    })
}
