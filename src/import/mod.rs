//! Importers from other monitoring tools: Uptime Kuma's SQLite database (`kuma/`) and
//! Healthchecks' API exports (`healthchecks/`). Each reads its source into typed rows, maps
//! them to a configuration document (the format `config` applies: the create bodies of each
//! feature, with ids), and says in a `Report` what it brought, approximated or left behind.
//! Nothing here writes: the document goes through `config::plan` / `config::apply`, so a dry
//! run is that plan, and a second import, finding the same ids, plans nothing.

pub mod healthchecks;
pub mod kuma;
pub mod ping_keys;
pub mod report;
pub mod task_ids;
mod validate;

use serde_json::{Map, Value};

pub use report::{Entity, Report};

use crate::ids::OrgId;

/// A document to apply and what the import made of its source.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `{version: 1, channels, monitors, tasks, maintenanceWindows, statusPages}`.
    pub document: Value,
    pub report: Report,
}

/// The document's lists, filled by a mapping, in the order the document writes them.
#[derive(Debug, Default)]
pub struct Lists {
    pub channels: Vec<Value>,
    pub monitors: Vec<Value>,
    pub tasks: Vec<Value>,
    pub maintenance_windows: Vec<Value>,
    pub status_pages: Vec<Value>,
}

impl Lists {
    pub fn document(self) -> Value {
        let mut doc = Map::new();
        doc.insert("version".into(), 1.into());
        for (key, list) in [
            ("channels", self.channels),
            ("monitors", self.monitors),
            ("tasks", self.tasks),
            ("maintenanceWindows", self.maintenance_windows),
            ("statusPages", self.status_pages),
        ] {
            doc.insert(key.into(), Value::Array(list));
        }
        Value::Object(doc)
    }
}

/// Names the imported ids of dutyduck (a fixed random UUID): `origin_id` is a UUIDv5 in it.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5d0c_4f1e_8b6a_4c27_9e3d_71a2_b8f0_c644);

/// The id of what an import brings, derived from where it came from (`uptime-kuma/monitor/7`)
/// and the organization it goes to: importing the same source again finds the same rows, and
/// two organizations importing one source get rows of their own.
pub fn origin_id(org: OrgId, origin: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&NAMESPACE, format!("{}/{origin}", org.0).as_bytes())
}

/// A task id from a name: lowercase letters, digits and dashes ("Nightly cron (push)" →
/// "nightly-cron-push"); `fallback` when nothing of the name is left.
pub fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(100).collect();
    if out.is_empty() || crate::tasks::settings::check_not_reserved(&out).is_err() {
        fallback.to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_ids_are_stable_and_per_organization() {
        let (a, b) = (OrgId(uuid::Uuid::nil()), OrgId(uuid::Uuid::max()));
        assert_eq!(origin_id(a, "x/1"), origin_id(a, "x/1"));
        assert_ne!(origin_id(a, "x/1"), origin_id(a, "x/2"));
        assert_ne!(origin_id(a, "x/1"), origin_id(b, "x/1"));
    }

    #[test]
    fn slugs_keep_letters_and_digits() {
        assert_eq!(slug("Nightly cron (push)", "f"), "nightly-cron-push");
        assert_eq!(slug("  ?? ", "kuma-push-3"), "kuma-push-3");
        assert_eq!(slug("New", "kuma-push-3"), "kuma-push-3");
        assert_eq!(slug("Éa--b", "f"), "a-b");
    }
}
