//! The incidents being escalated (`escalation_state`): the plan copied at the opening, how
//! many steps were fired, when to decide again.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::rules::Plan;
use super::store::Policy;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{IncidentId, OrgId};
use crate::store::time::{from_db, opt_from_db, to_db};

/// An incident being escalated.
#[derive(Debug, Clone)]
pub struct State {
    pub incident: IncidentId,
    pub organization: OrgId,
    pub policy_name: String,
    pub plan: Plan,
    pub opened_at: Timestamp,
    pub fired: u32,
    pub wake_at: Option<Timestamp>,
}

pub fn start(
    conn: &Connection,
    org: OrgId,
    incident: IncidentId,
    p: &Policy,
    now: Timestamp,
) -> Result<()> {
    let plan = serde_json::to_string(&serde_json::json!({"steps": p.steps, "repeat": p.repeat}))
        .expect("plan serializes");
    conn.prepare_cached(
        "INSERT OR IGNORE INTO escalation_state
            (incident_id, organization_id, policy_id, policy_name, plan, opened_at, fired, wake_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?6)",
    )?
    .execute(params![incident, org, p.id, p.name, plan, to_db(now)])?;
    Ok(())
}

fn state_from_row(r: &Row<'_>) -> rusqlite::Result<State> {
    let plan: String = r.get(3)?;
    Ok(State {
        incident: r.get(0)?,
        organization: r.get(1)?,
        policy_name: r.get(2)?,
        plan: serde_json::from_str(&plan).unwrap_or(Plan {
            steps: vec![],
            repeat: 0,
        }),
        opened_at: from_db(r.get(4)?),
        fired: r.get(5)?,
        wake_at: opt_from_db(r.get(6)?),
    })
}

const STATE: &str = "incident_id, organization_id, policy_name, plan, opened_at, fired, wake_at";

pub fn state(conn: &Connection, incident: IncidentId) -> Result<Option<State>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {STATE} FROM escalation_state WHERE incident_id = ?1"
        ))?
        .query_row([incident], state_from_row)
        .optional()?)
}

/// Escalations whose time to decide has come.
pub fn due(conn: &Connection, now: Timestamp, limit: u32) -> Result<Vec<State>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {STATE} FROM escalation_state WHERE wake_at <= ?1 ORDER BY wake_at LIMIT ?2"
        ))?
        .query_map(params![to_db(now), limit], state_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn advance(
    conn: &Connection,
    incident: IncidentId,
    fired: u32,
    wake_at: Option<Timestamp>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE escalation_state SET fired = ?2, wake_at = ?3 WHERE incident_id = ?1",
    )?
    .execute(params![incident, fired, wake_at.map(to_db)])?;
    Ok(())
}
