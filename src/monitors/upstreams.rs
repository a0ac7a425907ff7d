//! Dependencies: a monitor or a task depends on monitors (its upstreams), so a router going
//! down does not page for everything behind it. Every upstream is a monitor, so the one table
//! (`upstreams`) is the monitors' and written only here; tasks store theirs through these
//! functions. The rules: upstreams are monitors of the same organization, at most
//! `limits::UPSTREAMS`, and never a cycle (a monitor depending on itself, transitively). What
//! pages show of them (names, statuses) is in `dependents`.

use std::collections::HashMap;
use std::hash::Hash;

use rusqlite::{Connection, params};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ids::{MonitorId, OrgId};
use crate::limits;
use crate::text_enum::text_enum;

text_enum!(
    /// What depends on a monitor.
    DependentType {
        Monitor => "monitor",
        Task => "task",
    }
);

/// The `upstreams` field of a monitor or task body: absent keeps, a list replaces.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamsInput {
    /// Ids of the organization's monitors this one depends on: while one of them is down (or in
    /// maintenance), a failure here opens no notified incident. `[]` removes them all.
    #[schemars(length(max = limits::UPSTREAMS))]
    pub upstreams: Option<Vec<MonitorId>>,
}

/// The upstreams of a dependent, in the order given.
pub fn of(conn: &Connection, org: OrgId, kind: DependentType, id: &str) -> Result<Vec<MonitorId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT upstream_id FROM upstreams WHERE organization_id = ?1 AND dependent_type = ?2
         AND dependent_id = ?3 ORDER BY position",
    )?;
    let rows = stmt.query_map(params![org, kind, id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Applies a body's `upstreams` to a dependent (nothing when absent). Refused with a 422 naming
/// `upstreams`: too many, a monitor not of the organization, a cycle (named, in order).
pub fn apply(
    conn: &Connection,
    org: OrgId,
    kind: DependentType,
    id: &str,
    input: &UpstreamsInput,
) -> Result<()> {
    let Some(wanted) = &input.upstreams else {
        return Ok(());
    };
    limits::count("upstreams", wanted.len(), limits::UPSTREAMS)?;
    let mut list: Vec<MonitorId> = Vec::with_capacity(wanted.len());
    for (i, upstream) in wanted.iter().enumerate() {
        if name(conn, org, *upstream)?.is_none() {
            return Err(Error::invalid_field(
                "upstreams",
                format!("[{i}] {upstream} is not a monitor of this organization"),
            ));
        }
        if !list.contains(upstream) {
            list.push(*upstream);
        }
    }
    if kind == DependentType::Monitor {
        refuse_cycle(conn, org, id, &list)?;
    }
    set(conn, org, kind, id, &list)
}

fn name(conn: &Connection, org: OrgId, id: MonitorId) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT name FROM monitors WHERE id = ?1 AND organization_id = ?2")?
        .query_row(params![id, org], |r| r.get(0))
        .optional()?)
}

fn refuse_cycle(conn: &Connection, org: OrgId, id: &str, list: &[MonitorId]) -> Result<()> {
    let Ok(me) = id.parse::<MonitorId>() else {
        return Ok(());
    };
    let mut edges: HashMap<MonitorId, Vec<MonitorId>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT dependent_id, upstream_id FROM upstreams WHERE organization_id = ?1
         AND dependent_type = 'monitor'",
    )?;
    let rows = stmt.query_map([org], |r| {
        Ok((r.get::<_, MonitorId>(0)?, r.get::<_, MonitorId>(1)?))
    })?;
    for row in rows {
        let (dependent, upstream) = row?;
        edges.entry(dependent).or_default().push(upstream);
    }
    // The dependent's current upstreams are being replaced.
    edges.remove(&me);
    let Some(cycle) = find_cycle(me, list, &edges) else {
        return Ok(());
    };
    let mut names = Vec::with_capacity(cycle.len());
    for m in cycle {
        names.push(name(conn, org, m)?.unwrap_or_else(|| m.to_string()));
    }
    Err(Error::invalid_field(
        "upstreams",
        format!(
            "would make a cycle: {} (each depends on the next)",
            names.join(" → ")
        ),
    ))
}

/// The cycle that giving `start` the upstreams `upstreams` would close, `start` first and last
/// (`[A, B, A]`: A depends on B, which depends on A), or None. `edges` maps a node to its
/// upstreams, without `start`'s own.
pub fn find_cycle<T: Copy + Eq + Hash>(
    start: T,
    upstreams: &[T],
    edges: &HashMap<T, Vec<T>>,
) -> Option<Vec<T>> {
    // Depth first, remembering how each node was reached to write the path back.
    let mut reached_from: HashMap<T, T> = HashMap::new();
    let mut stack: Vec<T> = Vec::new();
    for &u in upstreams.iter().rev() {
        if u == start {
            return Some(vec![start, start]);
        }
        reached_from.entry(u).or_insert(start);
        stack.push(u);
    }
    while let Some(node) = stack.pop() {
        for &next in edges.get(&node).into_iter().flatten() {
            if next == start {
                // node, how it was reached, … back to one of `upstreams`; then in order.
                let mut chain = vec![node];
                while let Some(&from) = reached_from.get(chain.last()?).filter(|f| **f != start) {
                    chain.push(from);
                }
                chain.reverse();
                return Some([vec![start], chain, vec![start]].concat());
            }
            if let std::collections::hash_map::Entry::Vacant(e) = reached_from.entry(next) {
                e.insert(node);
                stack.push(next);
            }
        }
    }
    None
}

/// Replaces a dependent's upstreams (already checked).
pub fn set(
    conn: &Connection,
    org: OrgId,
    kind: DependentType,
    id: &str,
    list: &[MonitorId],
) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM upstreams WHERE organization_id = ?1 AND dependent_type = ?2 AND dependent_id = ?3",
    )?
    .execute(params![org, kind, id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO upstreams (organization_id, dependent_type, dependent_id, upstream_id, position)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, upstream) in list.iter().enumerate() {
        insert.execute(params![org, kind, id, upstream, position as i64])?;
    }
    Ok(())
}

/// Whether anything depends on monitor `id`.
pub fn has_dependents(conn: &Connection, id: MonitorId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM upstreams WHERE upstream_id = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// A deleted monitor leaves its dependents' upstreams, and its own are gone.
pub fn forget_monitor(conn: &Connection, org: OrgId, id: MonitorId) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM upstreams WHERE organization_id = ?1
         AND (upstream_id = ?2 OR (dependent_type = 'monitor' AND dependent_id = ?2))",
    )?
    .execute(params![org, id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(char, &str)]) -> HashMap<char, Vec<char>> {
        edges
            .iter()
            .map(|(from, to)| (*from, to.chars().collect()))
            .collect()
    }

    /// Row by row: the upstreams given to `start`, the other edges, the cycle refused (if any).
    #[test]
    fn cycles_are_found_and_named_in_order() {
        let rows: &[(&str, char, &str, &[(char, &str)], Option<&str>)] = &[
            ("no upstreams", 'A', "", &[], None),
            ("an upstream with none", 'A', "B", &[], None),
            ("itself", 'A', "A", &[], Some("AA")),
            ("itself among others", 'A', "BA", &[], Some("AA")),
            ("two", 'A', "B", &[('B', "A")], Some("ABA")),
            ("three", 'A', "B", &[('B', "C"), ('C', "A")], Some("ABCA")),
            (
                "through the second upstream",
                'A',
                "BD",
                &[('D', "C"), ('C', "A")],
                Some("ADCA"),
            ),
            (
                "a diamond is no cycle",
                'A',
                "BC",
                &[('B', "D"), ('C', "D")],
                None,
            ),
            (
                "a chain below is no cycle",
                'A',
                "B",
                &[('B', "C"), ('C', "D")],
                None,
            ),
            (
                "a cycle elsewhere is not ours",
                'A',
                "B",
                &[('C', "D"), ('D', "C")],
                None,
            ),
        ];
        for (what, start, upstreams, edges, expected) in rows {
            let list: Vec<char> = upstreams.chars().collect();
            let found =
                find_cycle(*start, &list, &graph(edges)).map(|p| p.into_iter().collect::<String>());
            assert_eq!(found.as_deref(), *expected, "{what}");
        }
    }
}
