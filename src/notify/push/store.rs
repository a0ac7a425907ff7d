//! Queries on `push_subscriptions`: a user's browsers, and the ones a notification reaches.

use rusqlite::{Connection, params};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, PushSubscriptionId, UserId};
use crate::store::time::{from_db, to_db};

/// At most this many browsers per user: a phone, a laptop, a few more; a script subscribing in
/// a loop must not make every notification a thousand requests.
pub const MAX_PER_USER: i64 = 20;

/// A stored subscription, keys included (never shown: `Device` is what the API shows).
pub struct Subscription {
    pub id: PushSubscriptionId,
    pub user: UserId,
    pub endpoint: String,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
}

/// What a user sees of one of their browsers.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: PushSubscriptionId,
    /// The push service's host (fcm.googleapis.com, updates.push.services.mozilla.com, …): the
    /// whole endpoint is a capability to push to the browser, so it is not shown back.
    pub service: String,
    pub label: Option<String>,
    pub created_at: Timestamp,
}

pub struct NewSubscription {
    pub endpoint: String,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
    pub label: Option<String>,
}

/// Saves `s` for `user`; the same endpoint saved again (the browser subscribing again, maybe for
/// someone else who signed in on it) replaces the old row, keeping one owner per browser.
pub fn save(
    conn: &Connection,
    user: UserId,
    s: &NewSubscription,
    now: Timestamp,
) -> Result<PushSubscriptionId> {
    conn.prepare_cached("DELETE FROM push_subscriptions WHERE endpoint = ?1")?
        .execute([&s.endpoint])?;
    let count: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?1")?
        .query_row([user], |r| r.get(0))?;
    if count >= MAX_PER_USER {
        return Err(crate::error::Error::conflict(
            "too_many_devices",
            format!("at most {MAX_PER_USER} devices: turn notifications off on one first"),
        ));
    }
    let id = PushSubscriptionId::generate();
    conn.prepare_cached(
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, label, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        user,
        s.endpoint,
        s.p256dh,
        s.auth,
        s.label,
        to_db(now)
    ])?;
    Ok(id)
}

pub fn devices(conn: &Connection, user: UserId) -> Result<Vec<Device>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, endpoint, label, created_at FROM push_subscriptions
         WHERE user_id = ?1 ORDER BY created_at DESC, id",
    )?;
    let rows = stmt.query_map([user], |r| {
        let endpoint: String = r.get(1)?;
        Ok(Device {
            id: r.get(0)?,
            service: url::Url::parse(&endpoint)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default(),
            label: r.get(2)?,
            created_at: from_db(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes one of `user`'s subscriptions; false if they have none with this id.
pub fn delete(conn: &Connection, user: UserId, id: PushSubscriptionId) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM push_subscriptions WHERE id = ?1 AND user_id = ?2")?
        .execute(params![id, user])?
        > 0)
}

/// Forgets a subscription its push service says is gone (404/410): the browser unsubscribed
/// or the user cleared its data. By id, so a row taken over meanwhile is not touched.
pub fn forget(conn: &Connection, id: PushSubscriptionId) -> Result<()> {
    conn.prepare_cached("DELETE FROM push_subscriptions WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The subscriptions a notification of `org` reaches: its members' (only those in `users` when
/// given). Membership is checked here, at sending, so someone who left the organization, or a
/// user id of another one in a channel's list, gets nothing.
pub fn reached(
    conn: &Connection,
    org: OrgId,
    users: Option<&[UserId]>,
) -> Result<Vec<Subscription>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.user_id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s
         JOIN memberships m ON m.user_id = s.user_id AND m.organization_id = ?1
         ORDER BY s.created_at, s.id",
    )?;
    let rows = stmt.query_map([org], subscription_from_row)?;
    let all: Vec<Subscription> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(match users {
        Some(users) => all
            .into_iter()
            .filter(|s| users.contains(&s.user))
            .collect(),
        None => all,
    })
}

/// Columns id, user_id, endpoint, p256dh, auth.
fn subscription_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        id: r.get(0)?,
        user: r.get(1)?,
        endpoint: r.get(2)?,
        p256dh: r.get(3)?,
        auth: r.get(4)?,
    })
}

/// All of `user`'s subscriptions (the test push to one's own devices).
pub fn of_user(conn: &Connection, user: UserId) -> Result<Vec<Subscription>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ?1
         ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([user], subscription_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
