//! Runs escalation policies: started when an incident opens (instead of notifying its
//! source's channels), then decided again at each stored wake-up by the delivery worker's pass
//! (`due`, like re-notifications). Each decision, its sends (outbox rows) and its state are one
//! write, so a crash or a restart neither loses nor repeats a step.

use rusqlite::{Connection, params};

use super::rules::{self, Decision, Facts, Fire, Note};
use super::state::{self, State};
use super::store;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ChannelId, IncidentId, OrgId, UserId};
use crate::incidents::cause::EscalationNote;
use crate::incidents::model::{EventType, IncidentStatus, Payload};
use crate::notify::model::NotificationEvent;
use crate::notify::outbox;
use crate::store::signals::{self, Topic};

/// Called by `outbox::enqueue` for an incident of `org` about to notify its channels: when
/// the incident escalates, does what the escalation does instead and says how many
/// notifications were queued; None when plain routing applies.
///
/// - opened: the policy (the source's, else the organization's default) starts, its first
///   step replacing the source's `notificationChannels`;
/// - a re-notification: none, the policy's steps are the reminders;
/// - acknowledged or resolved: the escalation stops, and everyone it told hears of it.
pub fn instead(
    conn: &Connection,
    org: OrgId,
    incident: IncidentId,
    event: NotificationEvent,
    now: Timestamp,
) -> Result<Option<usize>> {
    let state = state::state(conn, incident)?;
    match event {
        NotificationEvent::Opened => {
            if state.is_some() {
                return Ok(Some(0));
            }
            let source = crate::incidents::store::source_of(conn, incident)?;
            let source = source
                .as_ref()
                .and_then(|(_, t, id)| id.as_deref().map(|id| (*t, id)));
            let Some(policy) = store::for_source(conn, org, source)? else {
                return Ok(None);
            };
            state::start(conn, org, incident, &policy, now)?;
            let state = state::state(conn, incident)?.expect("just started");
            run(conn, &state, now).map(Some)
        }
        NotificationEvent::Renotification => Ok(state.map(|_| 0)),
        NotificationEvent::Acknowledged | NotificationEvent::Resolved => match state {
            None => Ok(None),
            Some(state) => {
                run(conn, &state, now)?;
                drop_delayed(conn, incident, now)?;
                tell_those_told(conn, org, incident, event, now).map(Some)
            }
        },
        NotificationEvent::Test => Ok(None),
    }
}

/// Decides every escalation whose wake-up has come. Returns how many.
pub fn due(conn: &Connection, now: Timestamp, limit: u32) -> Result<usize> {
    let due = state::due(conn, now, limit)?;
    for state in &due {
        run(conn, state, now)?;
    }
    Ok(due.len())
}

/// Decides one escalation now, queues its sends, notes them on the timeline and stores where
/// it stands. Returns how many notifications were queued.
fn run(conn: &Connection, state: &State, now: Timestamp) -> Result<usize> {
    if state.wake_at.is_none() {
        return Ok(0);
    }
    let (status, acknowledged) = crate::incidents::store::status_of(conn, state.incident)?
        .unwrap_or((IncidentStatus::Resolved, false));
    let facts = Facts {
        opened_at: state.opened_at,
        acknowledged,
        resolved: status != IncidentStatus::Ongoing,
        fired: state.fired,
    };
    let decision: Decision = rules::decide(&state.plan, &facts, now);
    // Steps missed while the server was down all count as fired, but each step goes out once,
    // the last time it fell due: a two-hour outage must not post a 10-minute step 12 times.
    let last_of_step: std::collections::HashMap<u32, usize> = (decision.send.iter())
        .enumerate()
        .map(|(i, fire)| (fire.step, i))
        .collect();
    let mut queued = Vec::new();
    for (i, fire) in decision.send.iter().enumerate() {
        queued.push(match last_of_step.get(&fire.step) == Some(&i) {
            true => send_step(conn, state, fire, now)?,
            false => 0,
        });
    }
    let mut fired_notes = queued.iter();
    for note in &decision.record {
        let queued = match note {
            Note::Fired { .. } => fired_notes.next().copied(),
            _ => None,
        };
        timeline(conn, state, note, queued, now)?;
    }
    state::advance(
        conn,
        state.incident,
        state.fired + decision.send.len() as u32,
        decision.next_wake,
    )?;
    if decision.next_wake.is_some() {
        signals::mark(Topic::Outbox);
    }
    Ok(queued.iter().map(|n| *n as usize).sum())
}

/// Whether nothing may go out about the incident now: its source is quiet (a maintenance
/// window, a dependency down) or a silence covers it (which the hold records, to tell the
/// timeline). A step falling due then counts as fired and sends nothing, as a re-notification
/// would be skipped; the policy goes on after it.
fn hushed(conn: &Connection, org: OrgId, incident: IncidentId, now: Timestamp) -> Result<bool> {
    if let Some((org, source_type, Some(source_id))) =
        crate::incidents::store::source_of(conn, incident)?
        && crate::incidents::quiet::of(conn, org, source_type, &source_id, now)?.is_some()
    {
        return Ok(true);
    }
    crate::notify::hold::held(conn, org, incident, now)
}

/// Queues one step: its channels, and each named member on their personal channels. The
/// first step tells of the opening; later ones say it is still open and unacknowledged.
fn send_step(conn: &Connection, state: &State, fire: &Fire, now: Timestamp) -> Result<u32> {
    let step = &state.plan.steps[fire.step as usize];
    let event = match fire.index {
        0 => NotificationEvent::Opened,
        _ => NotificationEvent::Renotification,
    };
    let org = state.organization;
    if hushed(conn, org, state.incident, now)? {
        return Ok(0);
    }
    let mut queued = 0;
    for channel in &step.channels {
        if enabled(conn, org, *channel)? {
            outbox::insert(conn, org, *channel, Some(state.incident), event, now, now)?;
            queued += 1;
        }
    }
    for member in &step.members {
        if !store::is_member(conn, org, *member)? {
            continue;
        }
        let due = super::quiet::release_at(conn, org, *member, step.urgent, now)?;
        for channel in super::people::channels_of(conn, org, *member)? {
            // A member in quiet hours hears once at their end, not once per step that fell due
            // meanwhile (a night of 10-minute steps would be a burst of SMS at 07:00).
            // (An urgent step goes out now whatever waits.)
            if !step.urgent && waiting(conn, state.incident, channel, *member, now)? {
                continue;
            }
            let id = outbox::insert(conn, org, channel, Some(state.incident), event, due, now)?;
            address(conn, id, *member)?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Whether a step's channel may be sent to: enabled, and not personal (marked so since the
/// policy was saved: it reaches the members a step names, not its own list).
fn enabled(conn: &Connection, org: OrgId, channel: ChannelId) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM notification_channels
                WHERE id = ?1 AND organization_id = ?2 AND enabled = 1 AND personal = 0)",
        )?
        .query_row(params![channel, org], |r| r.get(0))?)
}

/// Whether a notification of the incident to `user` on `channel` already waits for the end of
/// their quiet hours.
fn waiting(
    conn: &Connection,
    incident: IncidentId,
    channel: ChannelId,
    user: UserId,
    now: Timestamp,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM notification_outbox
                WHERE incident_id = ?1 AND channel_id = ?2 AND user_id = ?3
                  AND status = 'pending' AND attempts = 0 AND next_attempt_at > ?4)",
        )?
        .query_row(
            params![incident, channel, user, crate::store::time::to_db(now)],
            |r| r.get(0),
        )?)
}

fn address(conn: &Connection, delivery: crate::ids::DeliveryId, user: UserId) -> Result<()> {
    conn.prepare_cached("UPDATE notification_outbox SET user_id = ?2 WHERE id = ?1")?
        .execute(params![delivery, user])?;
    Ok(())
}

/// Steps waiting for members' quiet hours to end no longer need to wake anyone.
fn drop_delayed(conn: &Connection, incident: IncidentId, now: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM notification_outbox
         WHERE incident_id = ?1 AND user_id IS NOT NULL AND status = 'pending' AND attempts = 0
           AND next_attempt_at > ?2",
    )?
    .execute(params![incident, crate::store::time::to_db(now)])?;
    Ok(())
}

/// The acknowledgement or the end goes to every channel (and member) the escalation told, once
/// each; nobody hears of the end of an incident they were never told of.
fn tell_those_told(
    conn: &Connection,
    org: OrgId,
    incident: IncidentId,
    event: NotificationEvent,
    now: Timestamp,
) -> Result<usize> {
    let told: Vec<(ChannelId, Option<UserId>)> = conn
        .prepare_cached(
            "SELECT DISTINCT channel_id, user_id FROM notification_outbox
             WHERE incident_id = ?1 AND event IN ('opened', 'renotification')
               AND (status = 'sent' OR (status = 'pending' AND attempts > 0)
                    OR (status = 'pending' AND next_attempt_at <= ?2))",
        )?
        .query_map(params![incident, crate::store::time::to_db(now)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (channel, user) in &told {
        let id = outbox::insert(conn, org, *channel, Some(incident), event, now, now)?;
        if let Some(user) = user {
            address(conn, id, *user)?;
        }
    }
    Ok(told.len())
}

fn timeline(
    conn: &Connection,
    state: &State,
    note: &Note,
    queued: Option<u32>,
    now: Timestamp,
) -> Result<()> {
    let (what, round, step, minutes) = match *note {
        Note::Fired { round, step } => ("fired", round, step + 1, None),
        Note::TimedOut {
            round,
            step,
            minutes,
        } => ("timedout", round, step + 1, Some(minutes)),
        Note::Exhausted => ("exhausted", 0, 0, None),
        Note::Stopped => ("stopped", 0, 0, None),
    };
    let payload = Payload::Escalation(EscalationNote {
        escalation: what.to_owned(),
        policy_name: state.policy_name.clone(),
        round,
        step,
        minutes,
        queued,
    });
    crate::incidents::store::add_event(
        conn,
        state.incident,
        now,
        None,
        EventType::Escalation,
        Some(&payload),
    )?;
    Ok(())
}
