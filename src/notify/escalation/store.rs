//! Queries of escalation policies (`escalation_policies`) and the policy each source picked
//! (`escalation_choices`); the incidents being escalated are `state.rs`'s.

use rusqlite::{Connection, OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::Serialize;

use super::rules::{Plan, Step};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, PolicyId, UserId};
use crate::incidents::model::SourceType;
use crate::store::time::{from_db, to_db};

/// A policy as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub id: PolicyId,
    pub name: String,
    /// In order: the first goes out when an incident opens.
    pub steps: Vec<Step>,
    /// How many more times the steps run after the first time, 0 to 10.
    pub repeat: u32,
    /// The organization's default: used by sources that picked no policy.
    pub default: bool,
    /// The monitors and tasks that picked it (`escalationPolicy` in their body).
    pub sources: Vec<PickedBy>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A monitor or task that picked a policy.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PickedBy {
    /// "monitor" or "task".
    pub family: String,
    pub source_id: String,
}

impl Policy {
    pub fn plan(&self) -> Plan {
        Plan {
            steps: self.steps.clone(),
            repeat: self.repeat,
        }
    }
}

const COLUMNS: &str = "id, name, steps, repeat, is_default, created_at, updated_at";

fn policy_from_row(r: &Row<'_>) -> rusqlite::Result<Policy> {
    let steps: String = r.get(2)?;
    Ok(Policy {
        id: r.get(0)?,
        name: r.get(1)?,
        steps: serde_json::from_str(&steps).unwrap_or_default(),
        repeat: r.get(3)?,
        default: r.get(4)?,
        sources: vec![],
        created_at: from_db(r.get(5)?),
        updated_at: from_db(r.get(6)?),
    })
}

pub fn list(conn: &Connection, org: OrgId) -> Result<Vec<Policy>> {
    let policies: Vec<Policy> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM escalation_policies WHERE organization_id = ?1 ORDER BY name, id"
        ))?
        .query_map([org], policy_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    policies
        .into_iter()
        .map(|p| with_sources(conn, org, p))
        .collect()
}

pub fn get(conn: &Connection, org: OrgId, id: PolicyId) -> Result<Option<Policy>> {
    let policy = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM escalation_policies WHERE organization_id = ?1 AND id = ?2"
        ))?
        .query_row(params![org, id], policy_from_row)
        .optional()?;
    policy.map(|p| with_sources(conn, org, p)).transpose()
}

/// The policy with the sources that picked it and still exist (a deleted monitor's or task's
/// pick is left behind, harmless, as nothing describes it any more).
fn with_sources(conn: &Connection, org: OrgId, mut p: Policy) -> Result<Policy> {
    let picked: Vec<PickedBy> = conn
        .prepare_cached(
            "SELECT family, source_id FROM escalation_choices WHERE policy_id = ?1
             ORDER BY family, source_id",
        )?
        .query_map([p.id], |r| {
            Ok(PickedBy {
                family: r.get(0)?,
                source_id: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    p.sources = Vec::new();
    for source in picked {
        let source_type = match source.family.as_str() {
            "task" => SourceType::Task,
            _ => SourceType::HttpMonitor,
        };
        let exists =
            crate::incidents::source::describe(conn, org, source_type, Some(&source.source_id))?;
        if exists.is_some() {
            p.sources.push(source);
        }
    }
    Ok(p)
}

/// Inserts or replaces the policy (`p.id`); a default takes the place of the previous one.
pub fn save(conn: &Connection, org: OrgId, p: &Policy) -> Result<()> {
    if p.default {
        conn.prepare_cached(
            "UPDATE escalation_policies SET is_default = 0 WHERE organization_id = ?1 AND id != ?2",
        )?
        .execute(params![org, p.id])?;
    }
    let steps = serde_json::to_string(&p.steps).expect("steps serialize");
    conn.prepare_cached(
        "INSERT INTO escalation_policies
            (id, organization_id, name, steps, repeat, is_default, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, steps = excluded.steps,
            repeat = excluded.repeat, is_default = excluded.is_default,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        p.id,
        org,
        p.name,
        steps,
        p.repeat,
        p.default,
        to_db(p.created_at),
        to_db(p.updated_at)
    ])?;
    Ok(())
}

/// Deletes the policy; sources that picked it fall back to the default (the choices cascade).
/// Incidents already escalating by it go on with their copy.
pub fn delete(conn: &Connection, org: OrgId, id: PolicyId) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM escalation_policies WHERE organization_id = ?1 AND id = ?2")?
        .execute(params![org, id])?
        > 0)
}

/// Whether the user is a member of the organization.
pub fn is_member(conn: &Connection, org: OrgId, user: UserId) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE organization_id = ?1 AND user_id = ?2)",
        )?
        .query_row(params![org, user], |r| r.get(0))?)
}

/// Refuses, as not found (404 naming `field[j]`), the first user who is not a member of the
/// organization: a policy step or a channel naming them would silently reach nobody.
pub fn are_members(conn: &Connection, org: OrgId, field: &str, users: &[UserId]) -> Result<()> {
    for (j, user) in users.iter().enumerate() {
        if !is_member(conn, org, *user)? {
            return Err(crate::error::Error::new(
                crate::error::Kind::NotFound,
                "not_found",
                format!("{field}[{j}]: no member {user} in this organization"),
            ));
        }
    }
    Ok(())
}

/// Monitors' incidents have several source types; their choice is kept once, as a monitor's.
pub fn family(source_type: SourceType) -> &'static str {
    match source_type {
        SourceType::Task => "task",
        _ => "monitor",
    }
}

/// Records the policy a source picked (None: the organization's default).
pub fn choose(
    conn: &Connection,
    org: OrgId,
    family: &str,
    source_id: &str,
    policy: Option<PolicyId>,
) -> Result<()> {
    match policy {
        Some(policy) => conn
            .prepare_cached(
                "INSERT INTO escalation_choices (organization_id, family, source_id, policy_id)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (organization_id, family, source_id)
                 DO UPDATE SET policy_id = excluded.policy_id",
            )?
            .execute(params![org, family, source_id, policy])?,
        None => conn
            .prepare_cached(
                "DELETE FROM escalation_choices
                 WHERE organization_id = ?1 AND family = ?2 AND source_id = ?3",
            )?
            .execute(params![org, family, source_id])?,
    };
    Ok(())
}

/// Applies a monitor's or task's `escalationPolicy` (absent keeps, null: the default); a
/// policy of another organization is a 404.
pub fn apply_choice(
    conn: &Connection,
    org: OrgId,
    family: &str,
    source_id: &str,
    input: &crate::notify::routing::RoutingInput,
) -> Result<()> {
    let Some(policy) = input.escalation_policy else {
        return Ok(());
    };
    if let Some(id) = policy
        && get(conn, org, id)?.is_none()
    {
        return Err(crate::error::Error::new(
            crate::error::Kind::NotFound,
            "not_found",
            format!("escalationPolicy: no escalation policy {id} in this organization"),
        ));
    }
    choose(conn, org, family, source_id, policy)
}

/// The policy a source picked, if any (not the default).
pub fn chosen(
    conn: &Connection,
    org: OrgId,
    family: &str,
    source_id: &str,
) -> Result<Option<PolicyId>> {
    Ok(conn
        .prepare_cached(
            "SELECT policy_id FROM escalation_choices
             WHERE organization_id = ?1 AND family = ?2 AND source_id = ?3",
        )?
        .query_row(params![org, family, source_id], |r| r.get(0))
        .optional()?)
}

/// The policy that escalates the source's incidents: its own pick, else the default.
pub fn for_source(
    conn: &Connection,
    org: OrgId,
    source: Option<(SourceType, &str)>,
) -> Result<Option<Policy>> {
    if let Some((source_type, id)) = source
        && let Some(policy) = chosen(conn, org, family(source_type), id)?
    {
        return get(conn, org, policy);
    }
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM escalation_policies WHERE organization_id = ?1 AND is_default = 1"
        ))?
        .query_row([org], policy_from_row)
        .optional()?)
}
