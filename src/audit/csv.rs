//! The audit log as CSV (RFC 4180): a header row, every value quoted when it holds a comma, a
//! quote or a line break, and a leading `=`, `+`, `-` or `@` defused with a `'` so a spreadsheet
//! never runs a value as a formula (names are typed by users).

use super::store::Record;

const HEADER: [&str; 12] = [
    "id",
    "at",
    "actorKind",
    "userId",
    "actorName",
    "tokenId",
    "address",
    "resourceType",
    "resourceId",
    "action",
    "fields",
    "details",
];

pub fn render(records: &[Record]) -> String {
    let mut out = String::with_capacity(128 * (records.len() + 1));
    line(&mut out, HEADER.iter().map(|h| h.to_string()));
    for r in records {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        line(
            &mut out,
            [
                r.id.to_string(),
                r.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                r.actor_kind.clone(),
                r.user_id.map(|u| u.to_string()).unwrap_or_default(),
                r.actor_name.clone(),
                r.token_id.map(|t| t.to_string()).unwrap_or_default(),
                text(&r.address),
                r.resource_type.clone(),
                text(&r.resource_id),
                r.action.clone(),
                r.fields.join(" "),
                r.details
                    .as_ref()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ],
        );
    }
    out
}

fn line(out: &mut String, values: impl IntoIterator<Item = String>) {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&escape(&value));
    }
    out.push_str("\r\n");
}

fn escape(value: &str) -> String {
    // What a spreadsheet would run as a formula (OWASP's list, tab and carriage return too).
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn values_are_escaped() {
        let rows = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=cmd()", "'=cmd()"),
            ("\t=cmd()", "'\t=cmd()"),
            ("", ""),
        ];
        for (value, expected) in rows {
            assert_eq!(escape(value), expected, "{value:?}");
        }
    }
}
