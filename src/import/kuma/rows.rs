//! Reading Uptime Kuma's tables by column name. Its schema grew over the years (1.23 has no
//! `conditions`, no `bearer_token`, no `cache_bust`…; 2.x added and retyped columns), so every
//! column is read by name and an absent column, a NULL and a value of another type all read as
//! "not set": the mapping then takes the default Uptime Kuma itself would have used.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// One row: column name → value.
#[derive(Debug, Clone, Default)]
pub struct Row(pub HashMap<String, Sql>);

impl Row {
    /// Text, or a number written as text; None when absent, NULL or blank.
    pub fn text(&self, column: &str) -> Option<String> {
        match self.0.get(column)? {
            Sql::Text(s) if !s.trim().is_empty() => Some(s.clone()),
            Sql::Integer(i) => Some(i.to_string()),
            Sql::Real(r) => Some(r.to_string()),
            _ => None,
        }
    }

    /// An integer, also from a whole real or a numeric text ("30").
    pub fn int(&self, column: &str) -> Option<i64> {
        match self.0.get(column)? {
            Sql::Integer(i) => Some(*i),
            Sql::Real(r) if r.is_finite() => Some(r.round() as i64),
            Sql::Text(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite())
                .map(|r| r.round() as i64),
            _ => None,
        }
    }

    pub fn real(&self, column: &str) -> Option<f64> {
        match self.0.get(column)? {
            Sql::Integer(i) => Some(*i as f64),
            Sql::Real(r) if r.is_finite() => Some(*r),
            Sql::Text(s) => s.trim().parse::<f64>().ok().filter(|r| r.is_finite()),
            _ => None,
        }
    }

    /// A boolean column (0/1, or "true"/"false" in some text columns); absent is `default`.
    pub fn flag(&self, column: &str, default: bool) -> bool {
        match self.0.get(column) {
            Some(Sql::Integer(i)) => *i != 0,
            Some(Sql::Text(s)) => matches!(s.trim(), "1" | "true"),
            _ => default,
        }
    }

    /// JSON kept in a text column; None when absent or not JSON (the caller reports it).
    pub fn json(&self, column: &str) -> Option<Result<serde_json::Value, String>> {
        let text = self.text(column)?;
        Some(serde_json::from_str(&text).map_err(|e| format!("{column} is not JSON ({e})")))
    }
}

/// The database opened read-only: the import never changes Uptime Kuma's data.
pub fn open(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::bad_request(
            "import_source",
            format!(
                "{} is not a file: give the path of Uptime Kuma's kuma.db (in its data directory)",
                path.display()
            ),
        ));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| {
        Error::bad_request(
            "import_source",
            format!("cannot open {}: {e}", path.display()),
        )
    })?;
    let has_monitors: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'monitor')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| {
            Error::bad_request(
                "import_source",
                format!("{} is not an SQLite database: {e}", path.display()),
            )
        })?;
    if !has_monitors {
        return Err(Error::bad_request(
            "import_source",
            format!(
                "{} has no monitor table: it is not an Uptime Kuma database",
                path.display()
            ),
        ));
    }
    Ok(conn)
}

/// Every row of `table` (quoted, as `group` is a keyword), ordered by `id` when it has one;
/// no rows when the table does not exist in this version of the schema.
pub fn all(conn: &Connection, table: &str) -> Result<Vec<Row>> {
    select(conn, table, "", &[])
}

/// The rows of `table` matching `filter` (an SQL condition on `params`), as `all`.
pub fn select(
    conn: &Connection,
    table: &str,
    filter: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Row>> {
    let exists: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )
        .map_err(read_error)?;
    if !exists {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM \"{table}\" {filter}"))
        .map_err(read_error)?;
    let names: Vec<String> = stmt
        .column_names()
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let rows = stmt
        .query_map(params, |r| {
            let mut row = HashMap::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                row.insert(name.clone(), r.get::<_, Sql>(i)?);
            }
            Ok(Row(row))
        })
        .map_err(read_error)?
        .collect::<rusqlite::Result<Vec<Row>>>()
        .map_err(read_error)?;
    let mut rows = rows;
    rows.sort_by_key(|r| r.int("id").unwrap_or(i64::MAX));
    Ok(rows)
}

fn read_error(e: rusqlite::Error) -> Error {
    Error::bad_request(
        "import_source",
        format!("cannot read the Uptime Kuma database: {e}"),
    )
}
