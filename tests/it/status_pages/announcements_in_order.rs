//! An announcement and its updates, oldest first, in the page's HTML, its JSON and its Atom
//! feed (parsed as XML); Markdown rendered with raw HTML escaped; refusals.

use reqwest::StatusCode;
use serde_json::json;

use super::{public_json, visit};
use crate::common::TestServer;

#[tokio::test(flavor = "multi_thread")]
async fn updates_show_in_order_in_html_json_and_atom() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let created = super::page_of_one_monitor(&server, &ada).await;
    let component = created["groups"][0]["components"][0]["id"].clone();
    let base = format!(
        "/status-pages/{}/announcements",
        created["id"].as_str().unwrap()
    );
    let a = server
        .as_(&ada)
        .create(
            &base,
            json!({"title": "Slow API", "impact": "major", "status": "investigating",
                   "body": "We are **looking** into it. <script>alert(1)</script>", "componentIds": [component]}),
        )
        .await;
    let updates = format!("{base}/{}/updates", a["id"].as_str().unwrap());
    for (status, body) in [
        ("identified", "Found a bad deploy."),
        ("monitoring", "Rolled back."),
        ("resolved", "All good."),
    ] {
        let (code, _) = server
            .as_(&ada)
            .post(&updates, json!({"status": status, "body": body}))
            .await;
        assert_eq!(code, StatusCode::CREATED);
    }
    let stored = server
        .as_(&ada)
        .get_ok(&format!("{base}/{}", a["id"].as_str().unwrap()))
        .await;
    assert_eq!(stored["status"], "resolved");
    assert!(stored["resolvedAt"].is_string());
    let order = ["investigating", "identified", "monitoring", "resolved"];
    let statuses: Vec<&str> = stored["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, order);

    let (_, _, html) = visit(&server, "/status/acme", &[("accept-language", "en")]).await;
    let at = |text: &str| {
        html.find(text)
            .unwrap_or_else(|| panic!("no {text} in {html}"))
    };
    assert!(
        at("looking") < at("Found a bad deploy")
            && at("Found a bad deploy") < at("Rolled back")
            && at("Rolled back") < at("All good")
    );
    assert!(html.contains("<strong>looking</strong>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert")
    );
    assert!(html.contains("Affects API"));

    let json = public_json(&server, "acme").await;
    let shown: Vec<&str> = json["announcements"][0]["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(shown, order);

    let (status, headers, feed) = visit(&server, "/status/acme/feed.atom", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let doc = roxmltree::Document::parse(&feed).expect("the feed is XML");
    let atom = "http://www.w3.org/2005/Atom";
    assert_eq!(doc.root_element().tag_name().namespace(), Some(atom));
    let entry = doc
        .descendants()
        .find(|n| n.has_tag_name((atom, "entry")))
        .expect("an entry");
    let title = entry
        .children()
        .find(|n| n.has_tag_name((atom, "title")))
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(title, "Slow API (Resolved)");
    let content = entry
        .children()
        .find(|n| n.has_tag_name((atom, "content")))
        .unwrap()
        .text()
        .unwrap();
    let at = |text: &str| {
        content
            .find(text)
            .unwrap_or_else(|| panic!("no {text} in {content}"))
    };
    assert!(
        at("Investigating") < at("Identified")
            && at("Identified") < at("Monitoring")
            && at("Monitoring") < at("All good")
    );

    // Refusals.
    let (status, error) = server
        .as_(&ada)
        .post(
            &base,
            json!({"title": "x", "impact": "minor", "status": "investigating", "body": "b",
                            "componentIds": ["00000000-0000-4000-8000-000000000000"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("componentIds[0]")
    );
    let (status, _) = server
        .as_(&ada)
        .post(
            &base,
            json!({"title": "x", "impact": "huge", "status": "investigating", "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = server
        .as_(&ada)
        .post(&updates, json!({"status": "resolved", "body": "  "}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let eve = server.user_with_token("eve@example.com", "Evil");
    assert_eq!(server.as_(&eve).get(&base).await.0, StatusCode::NOT_FOUND);

    let path = format!("{base}/{}", a["id"].as_str().unwrap());
    assert_eq!(
        server.as_(&ada).delete(&path).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(server.as_(&ada).get(&path).await.0, StatusCode::NOT_FOUND);
}
