//! Writing a document as YAML: block style, `id` first in each entry, other keys sorted, and
//! strings plain only where YAML reads them back as the same string (else JSON-quoted, which
//! YAML reads alike), so `parse(to_yaml(d)) == d`.

use serde_json::Value;

use super::document::{Document, Entry, SECTIONS};

pub fn to_yaml(document: &Document) -> String {
    let mut out = format!("version: {}\n", document.version);
    for section in SECTIONS {
        let entries = document.section(section);
        if entries.is_empty() {
            out.push_str(&format!("{section}: []\n"));
            continue;
        }
        out.push_str(&format!("{section}:\n"));
        for entry in entries {
            entry_yaml(entry, &mut out);
        }
    }
    out
}

fn entry_yaml(entry: &Entry, out: &mut String) {
    out.push_str(&format!(
        "  - id: {}\n",
        scalar(&Value::String(entry.id.clone()))
    ));
    for (key, value) in &entry.body {
        field(key, value, 4, out);
    }
}

fn field(key: &str, value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let key = scalar(&Value::String(key.to_owned()));
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for (k, v) in map {
                field(k, v, indent + 2, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for item in items {
                list_item(item, indent + 2, out);
            }
        }
        other => out.push_str(&format!("{pad}{key}: {}\n", scalar(other))),
    }
}

fn list_item(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut first = true;
            for (k, v) in map {
                let mut line = String::new();
                field(k, v, indent + 2, &mut line);
                if first {
                    // The first field goes on the dash's line.
                    line.replace_range(indent..indent + 2, "- ");
                    first = false;
                }
                out.push_str(&line);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str(&format!("{pad}- {}\n", Value::Array(items.clone())));
        }
        other => out.push_str(&format!("{pad}- {}\n", scalar(other))),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) if plain(s) => s.clone(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        other => other.to_string(),
    }
}

/// Whether `s` written bare reads back as this string: words of safe characters, not a
/// number, boolean or null, no `: ` or ` #`, no leading indicator.
fn plain(s: &str) -> bool {
    let safe = |c: char| c.is_ascii_alphanumeric() || " _-./()+@".contains(c);
    let reserved = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
    ];
    !s.is_empty()
        && s.chars().all(safe)
        && (s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
            || (s.starts_with(|c: char| c.is_ascii_digit())
                && !s.starts_with("0x")
                && !s.starts_with("0o")
                && s.parse::<i64>().is_err()))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
        && s.parse::<f64>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_is_written_reads_back_the_same() {
        let Value::Object(body) = json!({
            "name": "API: main", "kind": "http", "url": "https://x.example/a?b=1#c",
            "intervalSeconds": 60, "metadata": {}, "upstreams": [], "isActive": true,
            "notificationChannels": null, "tags": {"team": "web", "on": "yes"},
            "steps": [{"channels": ["a", "b"], "afterMinutes": 5, "nested": {"x": [1]}}],
            "lists": [[1, 2], []], "text": "line one\nline two", "odd": " lead", "num": "0123", "uuid": "01a24ec9-cbd5-75c3", "hex": "0x1f", "exp": "1e5",
        }) else {
            unreachable!()
        };
        let mut document = Document::new();
        document.monitors.push(Entry::new("m-1", body));
        document.tasks.push(Entry::new("true", Default::default()));
        let text = to_yaml(&document);
        let mut back = super::super::parse(&text).unwrap();
        back.lines = Default::default();
        assert_eq!(back, document, "{text}");
    }
}
