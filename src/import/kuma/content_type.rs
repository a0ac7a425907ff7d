//! The `Content-Type` Uptime Kuma sends with a body it encodes (its `http_body_encoding`),
//! when the monitor's own headers set none. dutyduck sends the body as written, with only the
//! headers given, so the import writes the implied one down.

use serde_json::{Map, Value};

/// The header Kuma adds: JSON (its default encoding) only when the body parses as JSON.
fn implied(encoding: Option<&str>, body: &str) -> Option<&'static str> {
    match encoding {
        None | Some("json") => serde_json::from_str::<Value>(body)
            .is_ok()
            .then_some("application/json"),
        Some("xml") => Some("text/xml; charset=utf-8"),
        Some("form") => Some("application/x-www-form-urlencoded"),
        Some(_) => None,
    }
}

/// Adds to `fields` (a monitor's) the `Content-Type` the body implies, when none is there.
pub fn add_implied(fields: &mut Map<String, Value>, encoding: Option<&str>, body: &str) {
    let Some(value) = implied(encoding, body) else {
        return;
    };
    let headers = fields
        .entry("requestHeaders")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(h) = headers
        && !h.keys().any(|k| k.eq_ignore_ascii_case("content-type"))
    {
        h.insert("Content-Type".into(), value.into());
    }
}
