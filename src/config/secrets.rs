//! Secrets in the document: never exported (a `${NAME}` reference instead, named by a rule
//! people can predict), read from the environment when `dutyduck apply` applies them, and kept
//! as stored when the environment does not have them for an entity that exists. Only a secret's
//! place holds a reference: elsewhere `${…}` is text like any other, and the API never reads
//! the server's environment (its organizations' admins must not read the server's secrets).

use serde_json::Value;
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
        "tasks" => Some("TASK"),
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
    if section == "tasks" {
        // A task's id is unique and what people know it by.
        who = word(&raw.entry.id);
    } else if !unique || who.is_empty() {
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

/// Where the references come from: the environment of `dutyduck apply`, or none (the API).
pub type Env<'a> = Option<&'a dyn Fn(&str) -> Option<String>>;

/// The document with every `${NAME}` at a secret's place replaced: by the environment's
/// value, else (an entity that exists) by the stored value at the same place; a new entity's
/// unresolved reference is an error naming line and field. `$${…}` there is a literal `${…}`.
pub fn resolve(
    document: &Document,
    stored: &[(&'static str, Vec<Raw>)],
    env: Env,
) -> Result<Document> {
    let mut out = document.clone();
    for (section, raws) in stored {
        let Some(rules) = super::sections::by_name(section) else {
            continue;
        };
        for (i, entry) in out.section_mut(section).iter_mut().enumerate() {
            let current = raws.iter().find(|r| r.entry.id == entry.id);
            let at = format!("{section}[{i}]");
            let mut paths = (rules.secrets)(entry);
            paths.extend(current.iter().flat_map(|r| r.secrets.iter().cloned()));
            paths.sort();
            paths.dedup();
            for path in paths {
                let Some(Value::String(text)) = at_path(&mut entry.body, &path).cloned() else {
                    continue;
                };
                let value = match reference(&text) {
                    None if text.starts_with("$${") => Value::String(text[1..].to_owned()),
                    None => continue,
                    Some(name) => match (env.and_then(|env| env(name)), current) {
                        (Some(v), _) => Value::String(v),
                        (None, Some(raw)) if raw.secrets.contains(&path) => {
                            let mut body = raw.entry.body.clone();
                            at_path(&mut body, &path)
                                .map(|v| v.clone())
                                .ok_or_else(|| unresolved(document, &at, &path, name, env))?
                        }
                        (None, _) => return Err(unresolved(document, &at, &path, name, env)),
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

fn unresolved(document: &Document, at: &str, path: &str, name: &str, env: Env) -> Error {
    let field = super::lines::join(at, path);
    let problem = if env.is_some() {
        format!("${{{name}}} is not set in the environment")
    } else {
        format!(
            "${{{name}}} can keep only this entity's stored secret; references are replaced \
             by the environment's value by `dutyduck apply` on the server, never by the API: \
             send the secret itself, or apply the document with `dutyduck apply`"
        )
    };
    document
        .lines
        .at(&field, Error::invalid_field(&field, &problem), &problem)
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
