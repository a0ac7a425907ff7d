//! Queries on the `audit_log` table (owned here): append, list newest first with filters, purge.

use rusqlite::types::Value;
use rusqlite::{Connection, Row, params};
use schemars::JsonSchema;
use serde::Serialize;

use super::{Actor, Entry};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, TokenId, UserId};
use crate::store::Page;
use crate::store::filter::Where;
use crate::store::time::{from_db, to_db};

/// An entry as read back.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub id: i64,
    pub at: Timestamp,
    /// `user`, `token` (a user's API token), `cli` or `unknown` (a failed sign-in of no account).
    pub actor_kind: String,
    pub user_id: Option<UserId>,
    /// The person's name when the entry was written.
    pub actor_name: String,
    pub token_id: Option<TokenId>,
    /// The client address, through the trusted proxies.
    pub address: Option<String>,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub action: String,
    /// The names of the fields sent (never their values).
    pub fields: Vec<String>,
    pub details: Option<serde_json::Value>,
}

/// What a list selects; every filter optional.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub user_id: Option<UserId>,
    pub token_id: Option<TokenId>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

pub fn insert(conn: &Connection, entry: &Entry) -> Result<()> {
    let (kind, user, token, name) = match entry.actor {
        Actor::User { id, token } => {
            let name = crate::accounts::store::user_by_id(conn, id)?
                .map(|u| {
                    format!("{} {}", u.first_name, u.last_name)
                        .trim()
                        .to_owned()
                })
                .unwrap_or_default();
            let kind = if token.is_some() { "token" } else { "user" };
            (kind, Some(id), token, name)
        }
        Actor::Cli => ("cli", None, None, "CLI".to_owned()),
        Actor::Unknown => ("unknown", None, None, String::new()),
    };
    conn.prepare_cached(
        "INSERT INTO audit_log (organization_id, at, actor_kind, user_id, actor_name, token_id,
            address, resource_type, resource_id, action, fields, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        entry.org,
        to_db(entry.at),
        kind,
        user,
        name,
        token,
        entry.address,
        entry.resource_type,
        entry.resource_id,
        entry.action,
        serde_json::to_string(&entry.fields).unwrap_or_else(|_| "[]".to_owned()),
        entry.details.as_ref().map(|d| d.to_string()),
    ])?;
    Ok(())
}

fn conditions(org: OrgId, f: &Filter) -> Where {
    let text = |v: &Option<String>| v.clone().map(Value::Text);
    let mut w = Where::default();
    w.and("organization_id = ?", [Value::Text(org.to_string())]);
    let optional = [
        ("user_id = ?", f.user_id.map(|u| Value::Text(u.to_string()))),
        (
            "token_id = ?",
            f.token_id.map(|t| Value::Text(t.to_string())),
        ),
        ("resource_type = ?", text(&f.resource_type)),
        ("resource_id = ?", text(&f.resource_id)),
        ("action = ?", text(&f.action)),
        ("at >= ?", f.from.map(|t| Value::Integer(to_db(t)))),
        ("at < ?", f.to.map(|t| Value::Integer(to_db(t)))),
    ];
    for (clause, value) in optional {
        if let Some(value) = value {
            w.and(clause, [value]);
        }
    }
    w
}

const COLUMNS: &str = "id, at, actor_kind, user_id, actor_name, token_id, address, resource_type,
    resource_id, action, fields, details";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Record> {
    let fields: String = r.get(10)?;
    let details: Option<String> = r.get(11)?;
    Ok(Record {
        id: r.get(0)?,
        at: from_db(r.get(1)?),
        actor_kind: r.get(2)?,
        user_id: r.get(3)?,
        actor_name: r.get(4)?,
        token_id: r.get(5)?,
        address: r.get(6)?,
        resource_type: r.get(7)?,
        resource_id: r.get(8)?,
        action: r.get(9)?,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        details: details.and_then(|d| serde_json::from_str(&d).ok()),
    })
}

/// A page of the organization's entries matching `filter`, newest first.
pub fn list(
    conn: &Connection,
    org: OrgId,
    filter: &Filter,
    offset: u32,
    limit: u32,
) -> Result<Page<Record>> {
    let total = conditions(org, &Filter::default()).count(conn, "audit_log")?;
    let w = conditions(org, filter);
    let filtered = w.count(conn, "audit_log")?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {} ORDER BY id DESC LIMIT ? OFFSET ?",
            w.sql()
        ))?
        .query_map(
            rusqlite::params_from_iter(w.args_with_page(limit, offset)),
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items,
        total,
        filtered,
    })
}

/// Deletes at most `batch` entries older than `before`; how many went.
pub fn purge(conn: &Connection, before: Timestamp, batch: u32) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM audit_log WHERE id IN
                (SELECT id FROM audit_log WHERE at < ?1 ORDER BY at LIMIT ?2)",
        )?
        .execute(params![to_db(before), batch])?)
}
