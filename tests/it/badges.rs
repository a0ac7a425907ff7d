//! Badges end to end: real checks of a real local target (and a TLS server), task runs reported
//! through ping URLs, then the public badge URLs read anonymously as XML and as shields.io's
//! endpoint JSON.

use std::time::{Duration, SystemTime};

use crate::common::target::{Mode, Target, https_server};
use crate::common::{TestServer, Token};
use crate::monitors::{create, tick};
use chrono::Utc;
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod keys_and_organizations;

/// A badge as the world fetches it: no credentials.
pub(crate) async fn fetch(
    server: &TestServer,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = server.request(Method::GET, path).send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// The SVG badge at `path`, checked as an XML document drawn as shields.io draws: returns the
/// text its title, aria label and visible text all say ("label: message").
pub(crate) async fn svg_says(server: &TestServer, path: &str) -> String {
    let (status, headers, body) = fetch(server, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(headers["content-type"], "image/svg+xml; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=60");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let doc = roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{path}: {e}\n{body}"));
    let svg = doc.root_element();
    assert_eq!(svg.tag_name().name(), "svg");
    assert_eq!(
        svg.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(svg.attribute("role"), Some("img"));
    let title = svg
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap()
        .to_owned();
    assert_eq!(svg.attribute("aria-label"), Some(title.as_str()));
    // The two boxes fill the badge: label, then message.
    let rects: Vec<u32> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.parent().unwrap().attribute("clip-path").is_some())
        .map(|r| r.attribute("width").unwrap().parse().unwrap())
        .collect();
    let width: u32 = svg.attribute("width").unwrap().parse().unwrap();
    assert_eq!(rects[0] + rects[1], width, "{body}");
    // Visible texts (without their shadows) say the same as the title.
    let visible: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("aria-hidden").is_none())
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(visible.join(": "), title);
    title
}

pub(crate) async fn json_badge(server: &TestServer, path: &str) -> Value {
    let (status, headers, body) = fetch(server, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(headers["cache-control"], "public, max-age=60");
    serde_json::from_str(&body).unwrap()
}

pub(crate) async fn new_key(server: &TestServer, token: &Token, path: &str) -> Value {
    server
        .as_(token)
        .create(&format!("{path}/badge-key"), json!({}))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_monitor_s_badges_show_its_checks() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let target = Target::start().await;
    let id = create(
        &server,
        &token,
        json!({"name": "Shop", "url": target.url(), "intervalSeconds": 60,
               "downtimeConfirmationThreshold": 1, "recoveryConfirmationThreshold": 1}),
    )
    .await;
    let key = new_key(&server, &token, &format!("/monitors/{id}")).await;
    let urls = key["urls"].clone();
    let k = key["key"].as_str().unwrap();
    assert_eq!(k.len(), 64, "256 bits, hex");
    assert_eq!(urls["status"], format!("/badge/{k}/status.svg"));
    assert_eq!(
        urls["responseTime"],
        format!("/badge/{k}/response-time.svg")
    );
    assert_eq!(urls["certificate"], format!("/badge/{k}/certificate.svg"));
    // Before any check.
    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/status.svg")).await,
        "status: pending"
    );
    assert_eq!(
        json_badge(&server, &format!("/badge/{k}/uptime-24h.json")).await,
        json!({"schemaVersion": 1, "label": "uptime 24h", "message": "no data", "color": "lightgrey"})
    );

    // Up, up, a 500, up: three checks in four passed.
    tick(&server, &token, &[&id], 5).await;
    tick(&server, &token, &[&id], 60).await;
    target.set(Mode::Status(500));
    tick(&server, &token, &[&id], 60).await;
    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/status.svg")).await,
        "status: down"
    );
    target.set(Mode::Up);
    tick(&server, &token, &[&id], 60).await;

    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/status.svg")).await,
        "status: up"
    );
    for metric in ["uptime-24h", "uptime-7d", "uptime-30d", "uptime-90d"] {
        let label = metric.replace('-', " ");
        assert_eq!(
            json_badge(&server, &format!("/badge/{k}/{metric}.json")).await,
            json!({"schemaVersion": 1, "label": label, "message": "75%", "color": "red"})
        );
        assert_eq!(
            svg_says(&server, &format!("/badge/{k}/{metric}.svg")).await,
            format!("{label}: 75%")
        );
    }
    let response = json_badge(&server, &format!("/badge/{k}/response-time.json")).await;
    let ms: f64 = response["message"]
        .as_str()
        .unwrap()
        .strip_suffix(" ms")
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.0..1000.0).contains(&ms), "{response}");
    // Plain HTTP: no certificate to count down.
    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/certificate.svg")).await,
        "certificate: no data"
    );
    // The key is shown again to members, with the same URLs.
    let again = server
        .as_(&token)
        .get_ok(&format!("/monitors/{id}/badge-key"))
        .await;
    assert_eq!(again, key);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_badge_counts_the_days_left() {
    let server = TestServer::start_with_clock(Clock::manual(Utc::now())).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let url = https_server(SystemTime::now() + Duration::from_secs(20 * 86_400 + 12 * 3600));
    let id = create(&server, &token, json!({"url": url, "verifyTls": false})).await;
    tick(&server, &token, &[&id], 5).await;
    let k = new_key(&server, &token, &format!("/monitors/{id}")).await["key"].clone();
    let k = k.as_str().unwrap();
    assert_eq!(
        json_badge(&server, &format!("/badge/{k}/certificate.json")).await,
        json!({"schemaVersion": 1, "label": "certificate", "message": "20 days", "color": "yellow"})
    );
    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/certificate.svg")).await,
        "certificate: 20 days"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_s_badges_show_its_runs() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let created = server
        .as_(&token)
        .create(
            "/tasks",
            json!({"id": "nightly-backup", "name": "Nightly backup"}),
        )
        .await;
    let ping = created["pingKey"].as_str().unwrap().to_owned();
    let key = new_key(&server, &token, "/tasks/nightly-backup").await;
    assert!(key["urls"]["responseTime"].is_null() && key["urls"]["certificate"].is_null());
    let k = key["key"].as_str().unwrap();
    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/uptime-7d.svg")).await,
        "uptime 7d: no data"
    );

    // Three runs finish well, one fails, one is aborted (which counts neither way).
    for path in ["", "", "/fail", "", "/start"] {
        let (status, _, _) = fetch(&server, &format!("/ping/{ping}{path}")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = server
        .as_(&token)
        .post("/tasks/nightly-backup/finish", json!({"status": "aborted"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json_badge(&server, &format!("/badge/{k}/uptime-24h.json")).await,
        json!({"schemaVersion": 1, "label": "uptime 24h", "message": "75%", "color": "red"})
    );
    let (_, _, ok) = fetch(&server, &format!("/ping/{ping}")).await;
    assert_eq!(ok, "OK");
    assert_eq!(
        svg_says(&server, &format!("/badge/{k}/status.svg")).await,
        "status: healthy"
    );
    let (_, _, fail) = fetch(&server, &format!("/ping/{ping}/fail")).await;
    assert_eq!(fail, "OK");
    assert_eq!(
        json_badge(&server, &format!("/badge/{k}/status.json")).await,
        json!({"schemaVersion": 1, "label": "status", "message": "failing", "color": "red"})
    );
    // A task has no response time nor certificate.
    for path in ["response-time.svg", "certificate.json"] {
        let (status, _, body) = fetch(&server, &format!("/badge/{k}/{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
}
