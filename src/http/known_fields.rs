//! A field of a request body that its type does not declare is refused (422 naming it), so a
//! typo such as `intervalSecond` cannot silently leave a setting at its default.
//!
//! One check for every body, read from the JSON Schema of the body's type: the schema that
//! `/openapi.json` publishes (schemars, from the very types serde fills). Why not
//! `#[serde(deny_unknown_fields)]` on each type: serde does not support it together with
//! `#[serde(flatten)]` (the routing fields of monitors and tasks), it would have to be repeated on
//! every body type, and the list of fields the original clients may still send would be spread
//! over them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use schemars::JsonSchema;
use serde_json::Value;

use crate::error::{Error, Result};

/// Fields the original Duty Duck clients send that dutyduck has no use for: accepted and
/// ignored. (type of the body or of the nested object, field, who sends it)
const ORIGINAL_CLIENT_FIELDS: [(&str, &str, &str); 4] = [
    // The original dashboard's profile form; dutyduck sends no SMS, so keeps no phone number.
    ("UpdateProfile", "phoneNumber", "original dashboard"),
    // The original dashboard's monitor form had one switch per transport; dutyduck routes
    // notifications per channel instead (`notificationChannels`).
    (
        "MonitorInput",
        "emailNotificationEnabled",
        "original dashboard",
    ),
    (
        "MonitorInput",
        "pushNotificationEnabled",
        "original dashboard",
    ),
    (
        "MonitorInput",
        "smsNotificationEnabled",
        "original dashboard",
    ),
];

/// The schema of `T` as published, built once per type.
pub fn schema_of<T: JsonSchema>() -> Arc<Value> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Value>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry(T::schema_id().into_owned())
        .or_insert_with(|| {
            let root = super::openapi::generator().into_root_schema_for::<T>();
            Arc::new(root.to_value())
        })
        .clone()
}

/// Refuses the first field of `value` (a body of type `T`) that `T` does not declare;
/// `prefix` is prepended to the field's path in the message (`config.` for a nested document).
pub fn check<T: JsonSchema>(value: &Value, prefix: &str) -> Result<()> {
    let root = schema_of::<T>();
    let walk = Walk { root: &root };
    match walk.unknown(&root, Some(&T::schema_name()), value, prefix) {
        None => Ok(()),
        Some((path, known)) => {
            let field = path.rsplit('.').next().unwrap_or(&path);
            let hint = known
                .iter()
                .map(|k| (strsim::damerau_levenshtein(field, k), k))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, k)| format!("; did you mean {k}?"))
                .unwrap_or_default();
            Err(Error::invalid_field(&path, format!("unknown field{hint}")))
        }
    }
}

struct Walk<'a> {
    root: &'a Value,
}

/// A schema that applies to the value, with the name of the type it describes (if known).
type Branch<'a> = (&'a Value, Option<String>);

impl<'a> Walk<'a> {
    /// The path of the first undeclared field, with the fields declared next to it.
    fn unknown(
        &self,
        schema: &'a Value,
        name: Option<&str>,
        value: &Value,
        path: &str,
    ) -> Option<(String, Vec<String>)> {
        let mut branches = Vec::new();
        self.branches(schema, name.map(str::to_owned), value, &mut branches);
        let join = |key: &str| {
            if path.is_empty() || path.ends_with('.') {
                format!("{path}{key}")
            } else {
                format!("{path}.{key}")
            }
        };
        match value {
            Value::Object(fields) => {
                let describes = |s: &Value| {
                    s.get("properties").is_some() || s.get("additionalProperties").is_some()
                };
                if !branches.iter().any(|(s, _)| describes(s)) {
                    return None; // any JSON, or a type serde will refuse itself
                }
                for (key, v) in fields {
                    let declared = branches
                        .iter()
                        .find_map(|(s, _)| s.get("properties").and_then(|p| p.get(key)));
                    let extra = || {
                        branches.iter().find_map(|(s, _)| {
                            s.get("additionalProperties").filter(|a| **a != false)
                        })
                    };
                    if let Some(sub) = declared.or_else(extra) {
                        if let Some(found) = self.unknown(sub, None, v, &join(key)) {
                            return Some(found);
                        }
                    } else if !branches.iter().any(|(_, n)| {
                        ORIGINAL_CLIENT_FIELDS
                            .iter()
                            .any(|(t, f, _)| n.as_deref() == Some(*t) && f == key)
                    }) {
                        let known = branches
                            .iter()
                            .filter_map(|(s, _)| s.get("properties")?.as_object())
                            .flat_map(|p| p.keys().cloned())
                            .collect();
                        return Some((join(key), known));
                    }
                }
                None
            }
            Value::Array(items) => {
                let sub = branches.iter().find_map(|(s, _)| s.get("items"))?;
                items.iter().enumerate().find_map(|(i, v)| {
                    let at = format!("{}[{i}]", path.trim_end_matches('.'));
                    self.unknown(sub, None, v, &at)
                })
            }
            _ => None,
        }
    }

    /// `schema` and the parts of it that may apply to `value`: its `$ref`, every `allOf`, and
    /// the `anyOf`/`oneOf` alternatives of the value's JSON type whose tags (`const`) it carries.
    fn branches(
        &self,
        schema: &'a Value,
        name: Option<String>,
        value: &Value,
        out: &mut Vec<Branch<'a>>,
    ) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
            && let Some(target) = self.root.pointer(reference.trim_start_matches('#'))
        {
            let name = reference.rsplit('/').next().map(str::to_owned);
            self.branches(target, name, value, out);
        }
        if !fits_type(schema, value) {
            return;
        }
        out.push((schema, name.clone()));
        for all in schema.get("allOf").and_then(Value::as_array).into_iter() {
            for s in all {
                self.branches(s, name.clone(), value, out);
            }
        }
        for key in ["anyOf", "oneOf"] {
            for s in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if tags_match(s, value) {
                    self.branches(s, name.clone(), value, out);
                }
            }
        }
    }
}

fn fits_type(schema: &Value, value: &Value) -> bool {
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allows = |t: &str| t == actual || (t == "integer" && actual == "number");
    match schema.get("type") {
        Some(Value::String(t)) => allows(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).any(allows),
        _ => true,
    }
}

/// An alternative of a tagged enum applies only to an object carrying its tag.
fn tags_match(schema: &Value, value: &Value) -> bool {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return true;
    };
    properties.iter().all(|(key, s)| match s.get("const") {
        Some(tag) => value.get(key) == Some(tag),
        None => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        interval_seconds: Option<u32>,
        nested: Option<Vec<Inner>>,
        tags: std::collections::BTreeMap<String, String>,
        any: Option<Value>,
        #[serde(flatten)]
        extra: Flat,
        shape: Option<Shape>,
    }
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Flat {
        flat: Option<bool>,
    }
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    #[serde(tag = "kind", rename_all = "camelCase")]
    enum Shape {
        Circle { radius: u32 },
        Square { side: u32 },
    }

    #[test]
    fn unknown_fields_are_named_wherever_they_are() {
        let cases = [
            (json!({"intervalSeconds": 5, "flat": true}), None),
            (json!({"tags": {"any key": "v"}, "any": {"x": [1]}}), None),
            (json!({"shape": {"kind": "circle", "radius": 1}}), None),
            (
                json!({"intervalSecond": 5}),
                Some("intervalSecond: unknown field; did you mean intervalSeconds?"),
            ),
            (
                json!({"nested": [{"count": 1}, {"cuont": 2}]}),
                Some("nested[1].cuont: unknown field; did you mean count?"),
            ),
            (
                json!({"shape": {"kind": "circle", "side": 1}}),
                Some("shape.side: unknown field"),
            ),
            (json!({"zzz": 1}), Some("zzz: unknown field")),
        ];
        for (body, expected) in cases {
            let got = check::<Body>(&body, "").err().map(|e| e.message);
            assert_eq!(got.as_deref(), expected, "{body}");
        }
    }
}
