//! Reading a document from YAML or JSON text (JSON is YAML 1.2, so one parser reads both):
//! saphyr gives each node its position, kept in `Lines` by path; the tree becomes JSON values
//! and then a `Document`, whose errors name the path (`serde_path_to_error`) and line.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::{Map, Number, Value};

use super::document::{Document, VERSION};
use super::lines::{Lines, join};
use crate::error::{Error, Result};

/// A document from its text, YAML or JSON. Errors: 400 `malformed_document` for text that is
/// not YAML, 422 naming the line and path for a value the format refuses.
pub fn parse(text: &str) -> Result<Document> {
    let text = join_surrogate_escapes(text);
    let docs = MarkedYaml::load_from_str(&text).map_err(|e| {
        Error::bad_request(
            "malformed_document",
            format!("line {}: {}", e.marker().line(), e.info()),
        )
    })?;
    let Some(root) = docs.first() else {
        return Err(Error::bad_request(
            "malformed_document",
            "the document is empty",
        ));
    };
    let mut lines = Lines::default();
    let value = to_json(root, "", &mut lines)?;
    let mut document: Document = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let problem = e.inner().to_string();
        lines.at(
            if path.is_empty() { "version" } else { &path },
            Error::invalid_field("document", &problem),
            &problem,
        )
    })?;
    if document.version != VERSION {
        return Err(lines.at(
            "version",
            Error::invalid_field("version", "must be 1"),
            &format!("must be {VERSION}"),
        ));
    }
    document.lines = lines;
    Ok(document)
}

fn to_json(node: &MarkedYaml, path: &str, lines: &mut Lines) -> Result<Value> {
    lines.insert(path.to_owned(), node.span.start.line());
    Ok(match &node.data {
        YamlData::Value(scalar) => scalar_json(scalar, path, lines)?,
        YamlData::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &join(path, &format!("[{i}]")), lines))
                .collect::<Result<_>>()?,
        ),
        YamlData::Mapping(map) => {
            let mut object = Map::new();
            for (key, value) in map {
                let Some(key_text) = key_text(key) else {
                    return Err(malformed(path, lines, "keys must be text"));
                };
                let child = join(path, &key_text);
                lines.insert(child.clone(), key.span.start.line());
                object.insert(key_text, to_json(value, &child, lines)?);
            }
            Value::Object(object)
        }
        YamlData::Tagged(_, inner) => to_json(inner, path, lines)?,
        YamlData::Representation(text, _, _) => Value::String(text.to_string()),
        YamlData::Alias(_) | YamlData::BadValue => {
            return Err(malformed(
                path,
                lines,
                "anchors and aliases are not supported",
            ));
        }
    })
}

fn key_text(key: &MarkedYaml) -> Option<String> {
    match &key.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn scalar_json(scalar: &Scalar, path: &str, lines: &Lines) -> Result<Value> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => Value::Number(
            Number::from_f64(f.into_inner())
                .ok_or_else(|| malformed(path, lines, "not a finite number"))?,
        ),
        Scalar::String(s) => Value::String(s.to_string()),
    })
}

fn malformed(path: &str, lines: &Lines, problem: &str) -> Error {
    let path = if path.is_empty() { "document" } else { path };
    lines.at(
        path,
        Error::bad_request("malformed_document", problem),
        problem,
    )
}

/// `text` with each JSON surrogate pair escape (`"\ud83d\ude80"`, as Python's `json.dumps` writes
/// a character beyond the BMP) replaced by the character itself, on the same line. YAML's `\u`
/// names a whole code point, so its parser refuses half of one; a lone or malformed escape is
/// left for it to refuse.
fn join_surrogate_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\u") && !text.contains("\\U") {
        return text.into();
    }
    let hex_at = |i: usize| -> Option<u32> {
        let digits = text.get(i..i + 4)?;
        u32::from_str_radix(digits, 16).ok()
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if c == '\\' && text[i + 1..].starts_with('\\') {
            out.push_str("\\\\");
            i += 2;
            continue;
        }
        let low_follows = text.get(i + 6..).is_some_and(|t| t.starts_with("\\u"));
        if c == '\\' && text[i + 1..].starts_with('u') && low_follows {
            let pair = hex_at(i + 2).zip(hex_at(i + 8));
            if let Some((high @ 0xD800..=0xDBFF, low @ 0xDC00..=0xDFFF)) = pair
                && let Some(joined) =
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            {
                out.push(joined);
                i += 12;
                continue;
            }
        }
        out.push(c);
        i += c.len_utf8();
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_read_alike_and_remember_lines() {
        let yaml = "version: 1\nmonitors:\n  - id: m1\n    url: https://example.com\n    intervalSeconds: 30\n";
        let doc = parse(yaml).unwrap();
        assert_eq!(doc.monitors[0].body["intervalSeconds"], 30);
        assert_eq!(doc.lines.of("monitors[0].intervalSeconds"), Some(5));
        let json = r#"{"version": 1, "monitors": [{"id": "m1", "url": "https://example.com", "intervalSeconds": 30}]}"#;
        assert_eq!(parse(json).unwrap().monitors, doc.monitors);
    }

    #[test]
    fn json_surrogate_pairs_read_as_their_character() {
        let json = r#"{"version": 1, "tasks": [{"id": "t", "name": "\ud83d\ude80 \\ud83d \u00e9\u20ac"}]}"#;
        let doc = parse(json).unwrap();
        assert_eq!(doc.tasks[0].body["name"], "\u{1f680} \\ud83d é€");
        // Half a pair, or an escape cut short, stays for the parser to refuse; no panic.
        for bad in [
            r#"{"version": 1, "x": "\ud83d"}"#,
            "\\u\u{e9}\u{e9}\u{e9}\\ud8",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_name_the_line_and_path() {
        let e = parse("version: 1\ntasks:\n  - name: x\n").unwrap_err();
        assert_eq!(e.message, "line 3: tasks[0]: missing field `id`");
        let e = parse("version: 2\n").unwrap_err();
        assert_eq!(e.message, "line 1: version: must be 1");
        let e = parse("version: 1\nmonitor: []\n").unwrap_err();
        assert!(
            e.message.starts_with("line 2: monitor: unknown field"),
            "{}",
            e.message
        );
        let e = parse("version: 1\nmonitors: [\n").unwrap_err();
        assert_eq!(e.code, "malformed_document");
        assert!(e.message.starts_with("line "), "{}", e.message);
    }
}
