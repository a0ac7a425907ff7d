//! Entries as the features read them: a body typed by the feature's own input type (the API's
//! parsing and its refusal of undeclared fields), and what an export keeps of a stored entity.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// An entity as the document holds it, with the paths (in its body) of its secrets, which
/// the exports replace (`${…}` for people, a digest for plans).
#[derive(Debug, Clone)]
pub struct Raw {
    pub entry: super::Entry,
    pub secrets: Vec<String>,
}

/// `body` read as the feature's input type `T`, exactly as a request body would be.
pub fn typed<T: DeserializeOwned + JsonSchema>(body: &Map<String, Value>) -> Result<T> {
    let bytes = serde_json::to_vec(body).map_err(Error::internal)?;
    crate::http::request::parse_json(&bytes)
}

/// The fields `T` declares (its schema's properties), so an export writes only what the
/// feature's create body takes (fields a server version adds come along by themselves).
pub fn declared<T: JsonSchema>() -> Vec<String> {
    let schema = crate::http::known_fields::schema_of::<T>();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The fields of `shown` (an entity's JSON) that `T` declares, but `id`.
pub fn pick<T: JsonSchema>(shown: &impl Serialize) -> Result<Map<String, Value>> {
    let Value::Object(all) = serde_json::to_value(shown).map_err(Error::internal)? else {
        return Err(Error::internal("an entity serializes to an object"));
    };
    let keys = declared::<T>();
    Ok(all
        .into_iter()
        .filter(|(k, _)| k != "id" && keys.contains(k))
        .collect())
}

/// The paths at which `masked` (what a reader sees) hides a value of `raw`: the secrets.
pub fn secret_paths(raw: &Value, masked: &Value, prefix: &str, out: &mut Vec<String>) {
    match (raw, masked) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let path = super::lines::join(prefix, k);
                match b.get(k) {
                    Some(m) => secret_paths(v, m, &path, out),
                    None if !v.is_null() => out.push(path),
                    None => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, m)) in a.iter().zip(b).enumerate() {
                secret_paths(v, m, &super::lines::join(prefix, &format!("[{i}]")), out);
            }
        }
        (a, b) if a != b => out.push(prefix.to_owned()),
        _ => {}
    }
}

/// The value at a path made by `lines::join` (`config.headers.X-Key`, `steps[0]`).
pub fn at_path<'a>(body: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    let mut parts = split(path).into_iter();
    let mut current = body.get_mut(&parts.next()?)?;
    for part in parts {
        current = match part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            Some(i) => current.get_mut(i.parse::<usize>().ok()?)?,
            None => current.get_mut(&part)?,
        };
    }
    Some(current)
}

fn split(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for dotted in path.split('.') {
        let mut rest = dotted;
        while let Some(i) = rest.find('[') {
            if i > 0 {
                parts.push(rest[..i].to_owned());
            }
            let end = rest[i..].find(']').map_or(rest.len(), |e| i + e + 1);
            parts.push(rest[i..end].to_owned());
            rest = &rest[end..];
        }
        if !rest.is_empty() {
            parts.push(rest.to_owned());
        }
    }
    parts
}
