//! Building the WHERE clause of list queries from optional filters, with every value bound as a
//! parameter (never spliced into the SQL).

use std::collections::BTreeMap;

use rusqlite::types::Value;

/// A list's sort fields: (name in the API, SQL expression).
pub type SortFields = [(&'static str, &'static str)];

/// A list's order: the SQL of one of its sort fields (empty: the list's default) and the
/// direction. Ties are broken by id in the same direction, so pages never repeat or skip a row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub key: &'static str,
    pub ascending: bool,
}

impl Order {
    /// `ORDER BY` terms: the key (or `default_key`), then `id`.
    pub fn sql(&self, default_key: &str, id: &str) -> String {
        let key = if self.key.is_empty() {
            default_key
        } else {
            self.key
        };
        let direction = if self.ascending { "ASC" } else { "DESC" };
        format!("{key} {direction}, {id} {direction}")
    }
}

#[derive(Default)]
pub struct Where {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Where {
    /// A condition with its own `?` placeholders, in order.
    pub fn and(
        &mut self,
        clause: impl Into<String>,
        args: impl IntoIterator<Item = Value>,
    ) -> &mut Self {
        self.clauses.push(clause.into());
        self.args.extend(args);
        self
    }

    /// `column IN (…)`; no condition when `values` is empty.
    pub fn any_of<'a>(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        let values: Vec<Value> = values
            .into_iter()
            .map(|v| Value::Text(v.to_owned()))
            .collect();
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            self.and(format!("{column} IN ({marks})"), values);
        }
        self
    }

    /// `text` found (case-insensitively, `%` and `_` taken literally) in any of `columns`; no
    /// condition for blank text.
    pub fn contains(&mut self, columns: &[&str], text: Option<&str>) -> &mut Self {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return self;
        };
        let (clause, args) = like(columns, text);
        self.and(format!("({clause})"), args)
    }

    /// `contains`, or else the condition `other` with its one argument (a match found elsewhere,
    /// such as a source whose name holds the text).
    pub fn contains_or(
        &mut self,
        columns: &[&str],
        text: &str,
        other: &str,
        arg: Value,
    ) -> &mut Self {
        let (clause, mut args) = like(columns, text.trim());
        args.push(arg);
        self.and(format!("({clause} OR {other})"), args)
    }

    /// Every listed key must be in the JSON object `column` with one of its listed values (AND
    /// across keys, OR within a key), as the original `metadataFilter`.
    pub fn metadata(&mut self, column: &str, filter: &BTreeMap<String, Vec<String>>) -> &mut Self {
        for (key, values) in filter.iter().filter(|(_, v)| !v.is_empty()) {
            let marks = vec!["?"; values.len()].join(", ");
            let clause = format!(
                "EXISTS (SELECT 1 FROM json_each({column}) m WHERE m.key = ? AND m.value IN ({marks}))"
            );
            let args = std::iter::once(Value::Text(key.clone()))
                .chain(values.iter().map(|v| Value::Text(v.clone())));
            self.and(clause, args);
        }
        self
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1".to_owned()
        } else {
            self.clauses.join(" AND ")
        }
    }

    /// How many rows of `table` match.
    pub fn count(&self, conn: &rusqlite::Connection, table: &str) -> rusqlite::Result<i64> {
        conn.prepare_cached(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {}",
            self.sql()
        ))?
        .query_row(rusqlite::params_from_iter(self.args()), |r| r.get(0))
    }

    pub fn args(&self) -> &[Value] {
        &self.args
    }

    /// The ids (column `id`) of at most `limit` matching rows of `from`, in id order: what a
    /// bulk action selects.
    pub fn ids<T: rusqlite::types::FromSql>(
        &self,
        conn: &rusqlite::Connection,
        from: &str,
        id: &str,
        limit: usize,
    ) -> rusqlite::Result<Vec<T>> {
        let sql = format!(
            "SELECT {id} FROM {from} WHERE {} ORDER BY {id} LIMIT ? OFFSET ?",
            self.sql()
        );
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        let mut stmt = conn.prepare(&sql)?;
        let ids = stmt.query_map(
            rusqlite::params_from_iter(self.args_with_page(limit, 0)),
            |r| r.get(0),
        )?;
        ids.collect()
    }

    /// The arguments followed by LIMIT and OFFSET values.
    pub fn args_with_page(&self, limit: u32, offset: u32) -> Vec<Value> {
        let mut args = self.args.clone();
        args.extend([Value::Integer(limit.into()), Value::Integer(offset.into())]);
        args
    }
}

/// The ids of at most `limit` rows of `table` (its `id`, `organization_id` and `name` columns)
/// of `org` whose name holds `text`.
pub fn ids_named(
    conn: &rusqlite::Connection,
    table: &str,
    org: crate::ids::OrgId,
    text: &str,
    limit: u32,
) -> rusqlite::Result<Vec<String>> {
    let mut w = Where::default();
    w.and("organization_id = ?", [Value::Text(org.to_string())]);
    w.contains(&["name"], Some(text));
    let sql = format!("SELECT id FROM {table} WHERE {} LIMIT ? OFFSET ?", w.sql());
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt.query_map(
        rusqlite::params_from_iter(w.args_with_page(limit, 0)),
        |r| r.get(0),
    )?;
    ids.collect()
}

/// `column LIKE ? OR …` for each column, with the pattern finding `text` anywhere.
fn like(columns: &[&str], text: &str) -> (String, Vec<Value>) {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = Value::Text(format!("%{escaped}%"));
    let clause = columns
        .iter()
        .map(|c| format!("{c} LIKE ? ESCAPE '\\'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    (clause, columns.iter().map(|_| pattern.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_search_takes_wildcards_literally_and_ignores_blank_text() {
        let mut w = Where::default();
        w.contains(&["name", "url"], Some("  "));
        assert_eq!(w.sql(), "1");
        w.contains(&["name", "url"], Some(" 50%_off\\ "));
        assert_eq!(
            w.sql(),
            "(name LIKE ? ESCAPE '\\' OR url LIKE ? ESCAPE '\\')"
        );
        let pattern = Value::Text("%50\\%\\_off\\\\%".into());
        assert_eq!(w.args(), [pattern.clone(), pattern]);
    }
}
