//! Webhook templates: the method, content type and body the user wrote, each placeholder
//! replaced by the payload field it names and escaped for where it lands; a title full of
//! quotes, ampersands and angle brackets, and a text with line breaks, cannot break the JSON,
//! the form or the XML. Unknown placeholders are refused when the channel is saved.

use serde_json::{Value, json};

use super::provider::{Provider, Request};
use super::{link, refused};
use crate::common::receivers::verify_signature;
use crate::notifications::{channel, nine_o_clock, run, setup, task};

const TITLE: &str = r#"Tom's "db" & <backup>"#;
const SECRET: &str = "whsec_0123456789abcdef";

fn template(method: &str, content_type: &str, body: &str) -> Value {
    json!({"method": method, "contentType": content_type, "body": body})
}

#[tokio::test(flavor = "multi_thread")]
async fn each_content_type_gets_its_values_escaped() {
    let api = Provider::accepting().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let json_body = r#"{"title": "{{incident.title}}", "text": "{{text}}", "url": "{{incident.url}}", "event": "{{event}}", "who": "{{incident.acknowledgedBy}}"}"#;
    let hooks = [
        (
            "/json",
            template("PUT", "application/json", json_body),
            Some(SECRET),
        ),
        (
            "/form",
            template(
                "POST",
                "application/x-www-form-urlencoded",
                "title={{incident.title}}&text={{ text }}&p={{incident.priority}}",
            ),
            None,
        ),
        (
            "/xml",
            template(
                "PATCH",
                "application/xml",
                "<alert><title>{{incident.title}}</title><link>{{incident.url}}</link></alert>",
            ),
            None,
        ),
        (
            "/text",
            template(
                "POST",
                "text/plain",
                "{{subject}} ({{source.type}}, {{source.name}}) {{incident.url}}",
            ),
            None,
        ),
    ];
    for (path, template, secret) in &hooks {
        let config = json!({"url": api.url(path), "template": template, "secret": secret});
        let created = channel(
            &server,
            &ada,
            json!({"name": path, "kind": "webhook", "config": config}),
        )
        .await;
        let shown = server
            .as_(&ada)
            .get_ok(&format!("/notification-channels/{created}"))
            .await;
        assert_eq!(&shown["config"]["template"], template, "kept as written");
    }
    task(&server, &ada, json!({"id": "hostile", "name": TITLE})).await;
    let incident = run(&server, &ada, "hostile", "failure").await;
    api.wait_for(4).await;
    let one = |path: &str| -> Request {
        let mut at = api.at(path);
        assert_eq!(at.len(), 1, "{path}");
        let r = at.remove(0);
        assert_eq!(r.header("x-dutyduck-event"), Some("opened"), "{path}");
        assert!(r.header("idempotency-key").is_some(), "{path}");
        r
    };

    let r = one("/json");
    assert_eq!(
        (r.method.as_str(), r.header("content-type")),
        ("PUT", Some("application/json"))
    );
    let signature = r.header("x-dutyduck-signature").unwrap();
    verify_signature(SECRET, signature, &r.body, chrono::Utc::now().timestamp())
        .expect("signed as sent");
    let body = r.json();
    assert_eq!(body["title"], TITLE);
    assert_eq!(
        (&body["url"], &body["event"], &body["who"]),
        (
            &json!(link(&incident)),
            &json!("incident.opened"),
            &json!("")
        )
    );
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with("Incident opened: Tom's") && text.contains('\n'),
        "{text}"
    );

    let r = one("/form");
    assert_eq!(
        (r.method.as_str(), r.header("content-type")),
        ("POST", Some("application/x-www-form-urlencoded"))
    );
    let form = Request::pairs(&r.body);
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["title", "text", "p"], "{}", r.text());
    assert_eq!((form[0].1.as_str(), form[2].1.as_str()), (TITLE, "major"));
    assert_eq!(form[1].1, text, "the same text, line breaks and all");

    let r = one("/xml");
    assert_eq!(
        (r.method.as_str(), r.header("content-type")),
        ("PATCH", Some("application/xml; charset=utf-8"))
    );
    let expected = format!(
        "<alert><title>Tom&apos;s &quot;db&quot; &amp; &lt;backup&gt;</title><link>{}</link></alert>",
        link(&incident)
    );
    assert_eq!(r.text(), expected);

    let r = one("/text");
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    let subject = format!("[dutyduck] Incident opened: {TITLE}");
    assert_eq!(
        r.text(),
        format!("{subject} (task, {TITLE}) {}", link(&incident))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_naming_an_unknown_field_or_method_is_refused() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let url = "https://hooks.example.com/in";
    let cases = [
        (
            template("POST", "text/plain", "{{incident.name}} is down"),
            "config.template.body",
            "{{incident.name}}",
        ),
        (
            template("POST", "text/plain", "{{subject"),
            "config.template.body",
            "without its }}",
        ),
        (
            template("GET", "text/plain", "x"),
            "config.template.method",
            "GET",
        ),
        (
            template("POST", "text/html", "x"),
            "config.template.contentType",
            "text/html",
        ),
        (
            json!({"body": "x", "headers": {}}),
            "config.template.headers",
            "",
        ),
        (
            template("POST", "text/plain", &"x".repeat(16_385)),
            "config.template.body",
            "16384",
        ),
    ];
    for (template, field, says) in cases {
        let body =
            json!({"name": "x", "kind": "webhook", "config": {"url": url, "template": template}});
        let message = refused(&server, &ada, body).await;
        assert!(message.starts_with(field), "{message}");
        assert!(message.contains(says), "{message}");
    }
    // Only a body: POST as JSON.
    let body =
        json!({"name": "x", "kind": "webhook", "config": {"url": url, "template": {"body": "{}"}}});
    let created = server
        .as_(&ada)
        .create("/notification-channels", body)
        .await;
    assert_eq!(
        created["config"]["template"],
        template("POST", "application/json", "{}")
    );
}
