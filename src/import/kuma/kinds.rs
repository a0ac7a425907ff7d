//! An Uptime Kuma monitor's own columns as the fields of a dutyduck kind. Each type keeps the
//! defaults of every other type in its row (a port monitor has `url = 'https://'`, a DNS one
//! `method = 'GET'`), so each mapping reads only its own type's columns.

use serde_json::{Map, Value, json};

use super::model::Monitor;
use crate::monitors::kinds::dns::RECORD_TYPES;
use crate::monitors::kinds::http::METHODS;
use crate::monitors::settings::StatusRanges;

/// The kind and its fields, and notes on what was approximated; Err: why it cannot be brought.
pub struct Mapped {
    pub kind: &'static str,
    pub fields: Map<String, Value>,
    pub notes: Vec<String>,
}

pub fn map(m: &Monitor) -> Result<Mapped, String> {
    let mut out = Mapped {
        kind: "http",
        fields: Map::new(),
        notes: Vec::new(),
    };
    let row = &m.row;
    let host = || row.text("hostname").ok_or("it has no hostname".to_owned());
    let http_like = matches!(m.kind.as_str(), "http" | "keyword" | "json-query");
    if !http_like && row.flag("upside_down", false) {
        // Only dutyduck's HTTP checks can be inverted: imported as is, it would alert
        // exactly when Uptime Kuma says all is well.
        return Err(format!(
            "upside-down mode (up when the check fails): dutyduck's {} checks cannot be \
             inverted, so it would alert the opposite way",
            m.kind
        ));
    }
    match m.kind.as_str() {
        "http" | "keyword" | "json-query" => http(m, &mut out)?,
        "port" => {
            out.kind = "tcp";
            let port = row.int("port").ok_or("it has no port")?;
            out.fields.insert("host".into(), host()?.into());
            out.fields.insert("port".into(), port.into());
        }
        "ping" => {
            out.kind = "icmp";
            out.fields.insert("pingHost".into(), host()?.into());
            if let Some(count) = row.int("ping_count") {
                out.fields
                    .insert("packetCount".into(), count.clamp(1, 20).into());
            }
            if let Some(s) = row.real("ping_per_request_timeout") {
                let ms = (s * 1000.0).round() as i64;
                out.fields
                    .insert("packetTimeoutMs".into(), ms.clamp(100, 10_000).into());
            }
        }
        "dns" => dns(m, &mut out)?,
        "tls" => {
            out.kind = "tls";
            out.fields.insert("tlsHost".into(), host()?.into());
            out.fields
                .insert("tlsPort".into(), row.int("port").unwrap_or(443).into());
            out.fields.insert(
                "verifyChain".into(),
                (!row.flag("ignore_tls", false)).into(),
            );
            if let Some(alert) = row.text("expected_tls_alert").filter(|a| a != "none") {
                return Err(format!(
                    "it expects the TLS alert {alert:?}; dutyduck's TLS checks expect a handshake"
                ));
            }
        }
        other => {
            return Err(format!(
                "dutyduck has no {other:?} check (it checks http, keyword, json-query, port, \
                 ping, dns, tls; push monitors become tasks)"
            ));
        }
    }
    unkept(m, &mut out.notes);
    Ok(out)
}

/// Settings of the monitor dutyduck has no place for, said rather than dropped.
fn unkept(m: &Monitor, notes: &mut Vec<String>) {
    let row = &m.row;
    if row.int("proxy_id").is_some() {
        notes.push("its proxy not kept: dutyduck checks connect directly".into());
    }
    if m.kind == "ping" && row.int("packet_size").is_some_and(|s| s != 56) {
        notes.push("its packet size not kept: dutyduck sends 56-byte pings".into());
    }
    if let Some(Ok(Value::Array(c))) = row.json("conditions")
        && !c.is_empty()
    {
        notes.push("its conditions not kept: add them as the kind's expected values".into());
    }
}

fn http(m: &Monitor, out: &mut Mapped) -> Result<(), String> {
    let row = &m.row;
    let f = &mut out.fields;
    f.insert("url".into(), row.text("url").ok_or("it has no URL")?.into());
    let method = row
        .text("method")
        .unwrap_or_else(|| "GET".into())
        .to_uppercase();
    if METHODS.contains(&method.as_str()) {
        f.insert("method".into(), method.into());
    } else {
        out.notes.push(format!(
            "method {method} is not one dutyduck sends: GET instead"
        ));
    }
    match row.json("headers") {
        None => {}
        Some(Ok(Value::Object(h))) => {
            let headers: Map<String, Value> =
                h.into_iter().map(|(k, v)| (k, text_of(v).into())).collect();
            f.insert("requestHeaders".into(), headers.into());
        }
        Some(_) => out
            .notes
            .push("its headers are not a JSON object: none sent".into()),
    }
    if let Some(body) = row.text("body") {
        let encoding = row.text("http_body_encoding");
        super::content_type::add_implied(f, encoding.as_deref(), &body);
        f.insert("requestBody".into(), body.into());
    }
    match row.json("accepted_statuscodes_json") {
        None => {}
        Some(Ok(Value::Array(codes))) => {
            let list: Vec<String> = codes.into_iter().map(text_of).collect();
            let joined = list.join(",");
            if StatusRanges::parse(&joined).is_ok() {
                f.insert("acceptedStatusCodes".into(), joined.into());
            } else {
                out.notes.push(format!(
                    "accepted codes {joined:?} unreadable: 200-399 instead"
                ));
            }
        }
        Some(_) => out
            .notes
            .push("accepted codes are not a JSON list: 200-399 instead".into()),
    }
    f.insert(
        "followRedirects".into(),
        (row.int("maxredirects").unwrap_or(10) > 0).into(),
    );
    f.insert("verifyTls".into(), (!row.flag("ignore_tls", false)).into());
    f.insert("upsideDown".into(), row.flag("upside_down", false).into());
    match row.text("auth_method").as_deref() {
        None | Some("basic") if row.text("basic_auth_user").is_some() => {
            let auth = json!({"kind": "basic", "username": row.text("basic_auth_user"),
                              "password": row.text("basic_auth_pass").unwrap_or_default()});
            f.insert("auth".into(), auth);
        }
        _ if row.text("bearer_token").is_some() => {
            f.insert(
                "auth".into(),
                json!({"kind": "bearer", "token": row.text("bearer_token")}),
            );
        }
        None | Some("basic") => {}
        Some(other) => out.notes.push(format!(
            "authentication {other:?} is not one dutyduck has (basic, bearer): sent without"
        )),
    }
    match m.kind.as_str() {
        "keyword" => {
            let value = row.text("keyword").ok_or("it has no keyword")?;
            let kind = if row.flag("invert_keyword", false) {
                "bodyNotContains"
            } else {
                "bodyContains"
            };
            f.insert("assertion".into(), json!({"kind": kind, "value": value}));
        }
        "json-query" => json_query(m, out),
        _ => {}
    }
    Ok(())
}

/// Uptime Kuma evaluates a JSONata expression and compares its text; a plain path (`$.a.b[0]`)
/// with `==` is a JSON pointer assertion, anything else is brought without an assertion.
fn json_query(m: &Monitor, out: &mut Mapped) {
    let row = &m.row;
    let path = row.text("json_path").unwrap_or_default();
    let expected = row.text("expected_value").unwrap_or_default();
    let operator = row
        .text("json_path_operator")
        .unwrap_or_else(|| "==".into());
    let Some(pointer) = pointer(&path).filter(|_| operator == "==") else {
        out.notes.push(format!(
            "query {path:?} {operator} {expected:?} is not a plain path compared with ==: \
             no body assertion"
        ));
        return;
    };
    let value = match serde_json::from_str::<Value>(&expected) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
            out.notes.push(format!(
                "expected value {expected} compared as JSON (Uptime Kuma compares text)"
            ));
            v
        }
        _ => Value::String(expected),
    };
    out.fields.insert(
        "assertion".into(),
        json!({"kind": "jsonPointer", "pointer": pointer, "value": value}),
    );
}

/// `$.a.b[0]`, `a.b` → `/a/b/0`; None for what is more than a path.
pub fn pointer(path: &str) -> Option<String> {
    let path = path.trim();
    let path = path.strip_prefix('$').unwrap_or(path);
    let path = path.strip_prefix('.').unwrap_or(path);
    if path.is_empty() {
        return Some(String::new());
    }
    let mut out = String::new();
    for part in path.replace('[', ".").replace(']', "").split('.') {
        if part.is_empty()
            || !part
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return None;
        }
        out.push('/');
        out.push_str(part);
    }
    Some(out)
}

fn dns(m: &Monitor, out: &mut Mapped) -> Result<(), String> {
    let row = &m.row;
    out.kind = "dns";
    let name = row.text("hostname").ok_or("it has no hostname")?;
    let record = row.text("dns_resolve_type").unwrap_or_else(|| "A".into());
    if !RECORD_TYPES.contains(&record.as_str()) {
        return Err(format!(
            "dutyduck's DNS checks do not query {record} records"
        ));
    }
    out.fields.insert("dnsName".into(), name.into());
    out.fields.insert("recordType".into(), record.into());
    if let Some(servers) = row.text("dns_resolve_server") {
        let mut all = servers.split(',').map(str::trim).filter(|s| !s.is_empty());
        if let Some(first) = all.next() {
            let port = row.int("port").filter(|p| *p != 53);
            let resolver = match port {
                Some(p) if first.contains(':') => format!("[{first}]:{p}"),
                Some(p) => format!("{first}:{p}"),
                None => first.to_owned(),
            };
            out.fields.insert("resolver".into(), resolver.into());
        }
        if all.next().is_some() {
            out.notes.push(format!(
                "resolvers {servers:?}: dutyduck asks the first only"
            ));
        }
    }
    Ok(())
}

/// A JSON value as the text Uptime Kuma would use (strings unquoted).
fn text_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_paths_become_pointers() {
        use super::pointer;
        assert_eq!(pointer("$.status").as_deref(), Some("/status"));
        assert_eq!(
            pointer("data.items[0].ok").as_deref(),
            Some("/data/items/0/ok")
        );
        assert_eq!(pointer("$count(items) > 2"), None);
        assert_eq!(pointer("$").as_deref(), Some(""));
    }
}
