//! Templates rendered for each content type with hostile values, refused placeholders, and
//! the list of names checked against the payload.

use super::*;
use crate::notify::channels::shared::fixtures::{envelope, facts, message};
use crate::notify::channels::webhook::payload;
use serde_json::json;

fn hostile() -> Value {
    let (mut m, mut f) = (message(), facts());
    f.title = "Tom's \"shop\" & <api>\nline two".into();
    m.subject = "a+b=c?&d".into();
    payload(&envelope(&m, Some(&f)))
}

fn render(content_type: ContentType, body: &str) -> String {
    let t = Template {
        method: Method::Put,
        content_type,
        body: body.into(),
    };
    t.validate().unwrap();
    String::from_utf8(t.request("http://x", &hostile()).body).unwrap()
}

#[test]
fn json_values_are_string_escaped_and_the_body_stays_json() {
    let body = render(
        ContentType::Json,
        r#"{"title": "{{incident.title}}", "n": "{{ incident.priority }}"}"#,
    );
    let parsed: Value = serde_json::from_str(&body).expect(&body);
    assert_eq!(parsed["title"], "Tom's \"shop\" & <api>\nline two");
    assert_eq!(parsed["n"], "major");
}

#[test]
fn form_values_are_percent_encoded() {
    let body = render(ContentType::Form, "s={{subject}}&t={{incident.title}}");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(form.len(), 2, "{body}");
    assert_eq!(form[0].1, "a+b=c?&d");
    assert_eq!(form[1].1, "Tom's \"shop\" & <api>\nline two");
}

#[test]
fn xml_values_are_escaped_and_text_is_as_is() {
    let body = render(
        ContentType::Xml,
        "<a t='{{incident.title}}'>{{subject}}</a>",
    );
    assert_eq!(
        body,
        "<a t='Tom&apos;s &quot;shop&quot; &amp; &lt;api&gt;\nline two'>a+b=c?&amp;d</a>"
    );
    let text = render(ContentType::Text, "{{incident.title}} / {{digest.count}}.");
    assert_eq!(text, "Tom's \"shop\" & <api>\nline two / .");
}

#[test]
fn unknown_or_unclosed_placeholders_are_refused_naming_them() {
    for (body, says) in [
        ("{{incident.name}}", "{{incident.name}} is not a field"),
        ("{{incident.cause}}", "{{incident.cause}} is not a field"),
        ("x {{subject", "has a {{ without its }}"),
    ] {
        let t = Template {
            method: Method::Post,
            content_type: ContentType::Text,
            body: body.into(),
        };
        let e = t.validate().unwrap_err();
        assert!(
            e.message.starts_with("config.template.body"),
            "{}",
            e.message
        );
        assert!(e.message.contains(says), "{}", e.message);
    }
}

/// The list of names and the payload agree: each name of an incident's notification has a
/// value, and each one-value field of the payload has a name.
#[test]
fn every_field_of_the_payload_has_a_name_and_every_name_a_value() {
    let (m, mut f) = (message(), facts());
    f.resolved_at = Some(chrono::DateTime::UNIX_EPOCH);
    f.acknowledged_by = vec!["ada@example.com".into()];
    let one = payload(&envelope(&m, Some(&f)));
    let items = [f.clone(), f.clone()];
    let mut e = envelope(&m, None);
    e.digest = &items;
    let digest = payload(&e);
    for name in FIELDS {
        let value = match name.starts_with("digest.") {
            true => value_of(&digest, name),
            false => value_of(&one, name),
        };
        assert!(!value.is_empty(), "{name}");
    }
    assert_eq!(value_of(&digest, "digest.titles"), "Shop, Shop");
    let mut leaves = Vec::new();
    for (top, v) in one.as_object().unwrap() {
        match v.as_object() {
            Some(fields) => leaves.extend(fields.keys().map(|k| format!("{top}.{k}"))),
            None => leaves.push(top.clone()),
        }
    }
    leaves.retain(|l| l != "incident.cause");
    for leaf in leaves {
        assert!(FIELDS.contains(&leaf.as_str()), "{leaf} has no name");
    }
    assert_eq!(value_of(&json!({}), "source.url"), "");
}

/// The dashboard's list of fields (the form's buttons) is this one.
#[test]
fn the_dashboard_lists_the_same_fields() {
    let js = include_str!("../../../../assets/app/pages/webhook-template.js");
    for name in FIELDS {
        assert!(js.contains(&format!("'{name}'")), "{name}");
    }
    let list = js.split("TEMPLATE_FIELDS = [").nth(1).unwrap();
    let list = &list[..list.find("];").unwrap()];
    assert_eq!(
        list.matches('\'').count(),
        2 * FIELDS.len(),
        "no other name"
    );
}
