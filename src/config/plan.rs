//! The plan: what applying a document changes, entity by entity and field by field. It is the
//! difference between the export before and the export after (`diff`, pure), so it shows what
//! the features really store (their defaults and normal forms), and a document applied twice
//! plans nothing the second time.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::document::{Document, Entry, SECTIONS};

/// What a secret reads as in the exports a plan compares: a digest, never shown.
pub const SECRET_MARK: &str = "\u{1}secret:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

/// One field that changes: its path in the entry, its value before and after (absent: null;
/// secrets read "(secret)").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub action: Action,
    /// The document's section: `monitors`, `channels`…
    pub section: &'static str,
    pub id: String,
    /// Its name, title or slug, for people.
    pub name: String,
    /// For an update, the fields that change; empty for create and delete.
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub changes: Vec<Change>,
    pub creates: usize,
    pub updates: usize,
    pub deletes: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// What turns `before` into `after`, section by section in the document's order.
pub fn diff(before: &Document, after: &Document) -> Plan {
    let mut plan = Plan::default();
    for section in SECTIONS {
        let (old, new) = (before.section(section), after.section(section));
        for entry in new {
            match old.iter().find(|o| o.id == entry.id) {
                None => plan
                    .changes
                    .push(change(Action::Create, section, entry, vec![])),
                Some(o) => {
                    let mut fields = Vec::new();
                    fields_of(&o.body, &entry.body, "", &mut fields);
                    if !fields.is_empty() {
                        plan.changes
                            .push(change(Action::Update, section, entry, fields));
                    }
                }
            }
        }
        for entry in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
            plan.changes
                .push(change(Action::Delete, section, entry, vec![]));
        }
    }
    let count = |a| plan.changes.iter().filter(|c| c.action == a).count();
    (plan.creates, plan.updates, plan.deletes) = (
        count(Action::Create),
        count(Action::Update),
        count(Action::Delete),
    );
    plan
}

fn change(
    action: Action,
    section: &'static str,
    entry: &Entry,
    fields: Vec<FieldChange>,
) -> Change {
    let name = ["name", "title", "slug"]
        .iter()
        .find_map(|k| entry.body.get(*k).and_then(Value::as_str))
        .unwrap_or(&entry.id);
    Change {
        action,
        section,
        id: entry.id.clone(),
        name: name.to_owned(),
        fields,
    }
}

/// Leaf changes between two objects; lists are compared whole.
fn fields_of(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    prefix: &str,
    out: &mut Vec<FieldChange>,
) {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let path = super::lines::join(prefix, key);
        let (a, b) = (
            old.get(key).unwrap_or(&Value::Null),
            new.get(key).unwrap_or(&Value::Null),
        );
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => fields_of(a, b, &path, out),
            (a, b) if a != b => out.push(FieldChange {
                field: path,
                before: hide(a),
                after: hide(b),
            }),
            _ => {}
        }
    }
}

fn hide(value: &Value) -> Value {
    match value {
        Value::String(s) if s.starts_with(SECRET_MARK) => Value::String("(secret)".into()),
        other => other.clone(),
    }
}

/// `+ create monitors[…] "API"`, `~ update tasks[nightly]` with a line per field, `- delete …`,
/// then the counts.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for c in &self.changes {
            let (sign, word) = match c.action {
                Action::Create => ('+', "create"),
                Action::Update => ('~', "update"),
                Action::Delete => ('-', "delete"),
            };
            writeln!(f, "{sign} {word} {}[{}] {:?}", c.section, c.id, c.name)?;
            for field in &c.fields {
                if field.before == Value::String("(secret)".into())
                    || field.after == Value::String("(secret)".into())
                {
                    writeln!(f, "    {}: (secret changed)", field.field)?;
                } else {
                    writeln!(f, "    {}: {} → {}", field.field, field.before, field.after)?;
                }
            }
        }
        if self.is_empty() {
            writeln!(f, "No changes.")
        } else {
            writeln!(
                f,
                "Plan: {} to create, {} to update, {} to delete.",
                self.creates, self.updates, self.deletes
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str, body: Value) -> Entry {
        let Value::Object(body) = body else {
            unreachable!()
        };
        Entry::new(id, body)
    }

    #[test]
    fn a_plan_lists_creates_field_changes_and_deletes() {
        let mut before = Document::new();
        before.tasks = vec![
            entry(
                "nightly",
                json!({"name": "nightly", "cronSchedule": "30 2 * * *"}),
            ),
            entry("old", json!({"name": "old"})),
        ];
        before.channels = vec![entry(
            "c1",
            json!({"name": "Ops", "config": {"secret": format!("{SECRET_MARK}ab")}}),
        )];
        let mut after = before.clone();
        after.tasks[0]
            .body
            .insert("cronSchedule".into(), json!("0 3 * * *"));
        after.tasks.remove(1);
        after.channels[0].body["config"]["secret"] = json!(format!("{SECRET_MARK}cd"));
        after.monitors = vec![entry("m1", json!({"name": "API"}))];
        let plan = diff(&before, &after);
        assert_eq!(
            plan.to_string(),
            "~ update channels[c1] \"Ops\"\n    config.secret: (secret changed)\n\
             + create monitors[m1] \"API\"\n\
             ~ update tasks[nightly] \"nightly\"\n    cronSchedule: \"30 2 * * *\" → \"0 3 * * *\"\n\
             - delete tasks[old] \"old\"\n\
             Plan: 1 to create, 2 to update, 1 to delete.\n"
        );
        assert_eq!(diff(&after, &after).to_string(), "No changes.\n");
    }
}
