//! The document of an organization as it is stored: every section through its feature, in a
//! fixed order, secrets replaced by `${…}` references (`export`) or by digests (`current`, what
//! a plan compares).

use rusqlite::Connection;
use serde_json::Value;

use super::body::{Raw, at_path};
use super::document::Document;
use super::secrets;
use super::sections::ALL;
use crate::error::Result;
use crate::ids::OrgId;

/// The document with its secrets as references, and the names of those references.
pub struct Exported {
    pub document: Document,
    pub secrets: Vec<String>,
}

/// Each section's entities, ordered, with their secrets as stored.
pub fn raw(c: &Connection, org: OrgId) -> Result<Vec<(&'static str, Vec<Raw>)>> {
    ALL.iter()
        .map(|section| {
            let mut raws = (section.export)(c, org)?;
            let key = |r: &Raw| {
                let by = match section.order_by {
                    "id" => r.entry.id.clone(),
                    field => r
                        .entry
                        .body
                        .get(field)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_lowercase(),
                };
                (by, r.entry.id.clone())
            };
            raws.sort_by_key(key);
            Ok((section.name, raws))
        })
        .collect()
}

/// What `dutyduck export` and `GET /config` give.
pub fn export(c: &Connection, org: OrgId) -> Result<Exported> {
    let mut document = Document::new();
    let mut names = Vec::new();
    for (section, raws) in raw(c, org)? {
        let words: Vec<String> = raws
            .iter()
            .map(|r| {
                secrets::word(
                    r.entry
                        .body
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                )
            })
            .collect();
        for raw in &raws {
            let mut entry = raw.entry.clone();
            let own = secrets::word(entry.body.get("name").and_then(Value::as_str).unwrap_or(""));
            let unique = words.iter().filter(|w| **w == own).count() == 1;
            for path in &raw.secrets {
                let name = secrets::name(section, raw, path, unique);
                if let Some(slot) = at_path(&mut entry.body, path) {
                    *slot = Value::String(format!("${{{name}}}"));
                    names.push(name);
                }
            }
            document.section_mut(section).push(entry);
        }
    }
    Ok(Exported {
        document,
        secrets: names,
    })
}

/// The document as a plan compares it: secrets as digests.
pub fn current(raws: &[(&'static str, Vec<Raw>)]) -> Document {
    let mut document = Document::new();
    for (section, raws) in raws {
        for raw in raws {
            let mut entry = raw.entry.clone();
            for path in &raw.secrets {
                if let Some(slot) = at_path(&mut entry.body, path) {
                    *slot = secrets::digest(slot);
                }
            }
            document.section_mut(section).push(entry);
        }
    }
    document
}
