//! A visitor reads the public page: each component's status under its public name, the
//! ongoing incident of the one down, uptime and response times as chosen; never a monitor's
//! own name or URL. In English or French, cached briefly, with an ETag.

use base64::Engine;
use chrono::Utc;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::json;

use super::{page, public_json, visit};
use crate::common::TestServer;
use crate::common::target::Target;
use crate::monitors::{create, tick};

#[tokio::test(flavor = "multi_thread")]
async fn the_public_page_shows_statuses_and_incidents_and_hides_names_and_urls() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let (up, mut down) = (Target::start().await, Target::start().await);
    let settings = |name: &str, url: String| json!({"name": name, "url": url, "intervalSeconds": 60, "downtimeConfirmationThreshold": 2});
    let api = create(&server, &ada, settings("api-prod-eu-1", up.url())).await;
    let db = create(&server, &ada, settings("db-primary-secret", down.url())).await;
    server
        .as_(&ada)
        .create(
            "/tasks",
            json!({"id": "backup", "name": "nightly-backup-job"}),
        )
        .await;
    page(
        &server,
        &ada,
        json!({"slug": "acme", "title": "Acme", "noindex": true, "groups": [
            {"name": "Web", "components": [
                {"sourceType": "monitor", "sourceId": api, "publicName": "Website", "show": "uptime"},
                {"sourceType": "monitor", "sourceId": db, "publicName": "Database", "show": "responseTime"}]},
            {"name": "Jobs", "components": [
                {"sourceType": "task", "sourceId": "backup", "publicName": "Backups", "show": "status"}]}]}),
    )
    .await;
    tick(&server, &ada, &[&api, &db], 5).await;
    down.down().await;
    tick(&server, &ada, &[&api, &db], 60).await;
    tick(&server, &ada, &[&api, &db], 60).await;

    let (status, headers, html) =
        visit(&server, "/status/acme", &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    for secret in [
        "api-prod-eu-1",
        "db-primary-secret",
        "nightly-backup-job",
        "127.0.0.1",
        "/health",
        &api,
        &db,
    ] {
        assert!(!html.contains(secret), "the page shows {secret}");
    }
    for shown in [
        "Website",
        "Database",
        "Backups",
        "Major outage",
        "Incident affecting Database",
        "Down",
        "Operational",
    ] {
        assert!(html.contains(shown), "the page misses {shown}: {html}");
    }
    assert!(html.contains("data-status=\"down\""));
    assert!(
        html.contains("class=\"sp-bars\""),
        "90 days of bars for the website"
    );
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert_eq!(headers["x-robots-tag"], "noindex");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public, max-age=")
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(
        !html.contains("style=\""),
        "no inline style: the CSP forbids it"
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = visit(
        &server,
        "/status/acme",
        &[("accept-language", "en"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);

    let json = public_json(&server, "acme").await;
    let text = json.to_string();
    for secret in [
        "api-prod-eu-1",
        "db-primary-secret",
        "nightly-backup-job",
        "127.0.0.1",
    ] {
        assert!(!text.contains(secret), "the JSON shows {secret}");
    }
    assert_eq!(json["status"], "down");
    let statuses: Vec<(&str, &str)> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["components"].as_array().unwrap())
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [("Website", "up"), ("Database", "down"), ("Backups", "up")]
    );
    let website = &json["groups"][0]["components"][0];
    assert_eq!(website["uptime90d"], 100.0);
    assert_eq!(website["days"].as_array().unwrap().len(), 90);
    assert!(json["groups"][0]["components"][1]["responseTime"].is_object());
    assert_eq!(json["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(json["incidents"][0]["title"], "Incident affecting Database");

    // French, by the visitor's preference.
    let (_, headers, html) = visit(
        &server,
        "/status/acme",
        &[("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")],
    )
    .await;
    assert!(html.contains("<html lang=\"fr\""));
    assert!(
        html.contains("Panne majeure") && html.contains("En panne"),
        "{html}"
    );
    assert_eq!(headers["vary"], "Accept-Language");

    // The page's own assets.
    for (path, mime) in [
        ("/status/_/status.css", "text/css"),
        ("/status/_/status.js", "text/javascript"),
    ] {
        let (status, headers, _) = visit(&server, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(headers["content-type"].to_str().unwrap().starts_with(mime));
    }
    for missing in [
        "/status/nope",
        "/status/nope.json",
        "/status/nope/feed.atom",
        "/status/acme/logo",
    ] {
        let (status, _, _) = visit(&server, missing, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_svg_logo_is_served_with_a_policy_that_forbids_scripts() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let logo = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    );
    page(
        &server,
        &ada,
        json!({"slug": "acme", "title": "Acme", "logo": logo}),
    )
    .await;
    let (_, _, html) = visit(&server, "/status/acme", &[]).await;
    let start = html
        .find("src=\"/status/acme/logo?v=")
        .expect("the logo's address");
    let src = &html[start + 5..];
    let src = src[..src.find('"').unwrap()].to_owned();
    let (status, headers, body) = visit(&server, &src, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert_eq!(body, svg);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_component_has_badges_for_whoever_may_read_the_page() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let created = super::page_of_one_monitor(&server, &ada).await;
    let component = created["groups"][0]["components"][0]["id"]
        .as_str()
        .unwrap();
    let base = format!("/status/acme/components/{component}/badge");
    let (status, headers, svg) = visit(&server, &format!("{base}/status.svg"), &[]).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    roxmltree::Document::parse(&svg).expect("the badge is XML");
    let (status, _, body) = visit(&server, &format!("{base}/uptime-7d.json"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let endpoint: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(endpoint["schemaVersion"], 1);
    for missing in [
        format!("{base}/nonsense.svg"),
        "/status/acme/components/00000000-0000-4000-8000-000000000000/badge/status.svg".to_owned(),
    ] {
        assert_eq!(
            visit(&server, &missing, &[]).await.0,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    let path = format!("/status-pages/{}", created["id"].as_str().unwrap());
    server
        .as_(&ada)
        .patch(&path, json!({"visibility": "private"}))
        .await;
    let (status, _, _) = visit(&server, &format!("{base}/status.svg"), &[]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a private page's badges are private too"
    );
}
