//! Secrets in the document: never exported (a `${NAME}` reference instead, named by a rule
//! people can predict), read from the environment when applied, and kept as stored when the
//! environment does not have them for an entity that exists.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::body::{Raw, at_path};
use super::document::Document;
use super::plan::SECRET_MARK;
use crate::error::{Error, Result};

/// The prefix of the references a section's secrets export as.
pub fn prefix(section: &str) -> Option<&'static str> {
    match section {
        "channels" => Some("CHANNEL"),
        "monitors" => Some("MONITOR"),
        _ => None,
    }
}

/// `Ops webhook` → `OPS_WEBHOOK`: upper case, runs of other characters one `_`.
pub fn word(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// The reference a secret exports as: `CHANNEL_OPS_WEBHOOK_SECRET` (`config.` left out of a
/// channel's field); `unique` false adds the first 8 characters of the id.
pub fn name(section: &str, raw: &Raw, field: &str, unique: bool) -> String {
    let who = raw
        .entry
        .body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut who = word(who);
    if !unique || who.is_empty() {
        let id: String = raw.entry.id.chars().filter(|c| *c != '-').take(8).collect();
        who = [who, id.to_ascii_uppercase()]
            .join("_")
            .trim_matches('_')
            .to_owned();
    }
    let field = field.strip_prefix("config.").unwrap_or(field);
    format!(
        "{}_{who}_{}",
        prefix(section).unwrap_or("SECRET"),
        word(field)
    )
}

/// What a plan compares for a secret: a digest of it, never shown.
pub fn digest(value: &Value) -> Value {
    let hash = Sha256::digest(value.to_string().as_bytes());
    Value::String(format!("{SECRET_MARK}{}", hex::encode(hash)))
}

/// `${NAME}` → `NAME`; `$${…}` is a literal `${…}`.
fn reference(text: &str) -> Option<&str> {
    let name = text.strip_prefix("${")?.strip_suffix('}')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then_some(name)
}

/// The document with every `${NAME}` of the sections holding secrets replaced: by the
/// environment's value, else (an entity that exists) by the stored value at the same place;
/// a new entity's unset reference is an error naming line and field.
pub fn resolve(
    document: &Document,
    stored: &[(&'static str, Vec<Raw>)],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Document> {
    let mut out = document.clone();
    for (section, raws) in stored {
        if prefix(section).is_none() {
            continue;
        }
        for (i, entry) in out.section_mut(section).iter_mut().enumerate() {
            let current = raws.iter().find(|r| r.entry.id == entry.id);
            let at = format!("{section}[{i}]");
            let mut found = Vec::new();
            references(&entry.body, "", &mut found);
            for (path, text) in found {
                let value = match reference(&text) {
                    None => Value::String(text[1..].to_owned()),
                    Some(name) => match (env(name), current) {
                        (Some(v), _) => Value::String(v),
                        (None, Some(raw)) => {
                            let mut body = raw.entry.body.clone();
                            at_path(&mut body, &path)
                                .map(|v| v.clone())
                                .ok_or_else(|| not_set(document, &at, &path, name))?
                        }
                        (None, None) => return Err(not_set(document, &at, &path, name)),
                    },
                };
                if let Some(slot) = at_path(&mut entry.body, &path) {
                    *slot = value;
                }
            }
        }
    }
    Ok(out)
}

fn not_set(document: &Document, at: &str, path: &str, name: &str) -> Error {
    let field = super::lines::join(at, path);
    let problem = format!("${{{name}}} is not set in the environment");
    document
        .lines
        .at(&field, Error::invalid_field(&field, &problem), &problem)
}

/// Strings that are a `${NAME}` reference or start with the `$${` escape, with their paths.
fn references(body: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, String)>) {
    for (k, v) in body {
        let path = super::lines::join(prefix, k);
        match v {
            Value::String(s) if reference(s).is_some() || s.starts_with("$${") => {
                out.push((path, s.clone()))
            }
            Value::Object(map) => references(map, &path, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_names_follow_the_rule() {
        assert_eq!(word("Ops webhook"), "OPS_WEBHOOK");
        assert_eq!(word("ntfy / phone"), "NTFY_PHONE");
        assert_eq!(reference("${A_1}"), Some("A_1"));
        assert_eq!(reference("${1A}"), None);
        assert_eq!(reference("x${A}"), None);
    }
}
