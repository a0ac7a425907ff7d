//! CORS against the real server: pages on other origins call the API with token headers, never
//! with the dashboard's session cookie; the dashboard and login stay same-origin.

use crate::common::{PASSWORD, TestServer, code};
use dutyduck::clock::Clock;
use dutyduck::http::cors::CorsOrigins;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const TOOL: &str = "https://tool.example";

async fn preflight(server: &TestServer, path: &str, origin: &str) -> (StatusCode, HeaderMap) {
    let resp = server
        .request(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "x-api-token-id,x-api-token-secret-key",
        )
        .send()
        .await
        .unwrap();
    (resp.status(), resp.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

fn methods(headers: &HeaderMap) -> Vec<String> {
    header(headers, "access-control-allow-methods")
        .unwrap_or("")
        .split(',')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_api_route_answers_a_preflight_with_its_methods() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");

    let (status, headers) = preflight(&server, "/monitors/0193", TOOL).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(methods(&headers), ["GET", "PATCH", "DELETE"]);
    let allowed = header(&headers, "access-control-allow-headers").unwrap();
    for name in ["X-Api-Token-Id", "X-Api-Token-Secret-Key", "Content-Type"] {
        assert!(allowed.contains(name), "{allowed}");
    }
    assert!(header(&headers, "access-control-max-age").is_some());
    assert!(header(&headers, "access-control-allow-credentials").is_none());

    // Every path of the OpenAPI document, with its documented methods.
    let (_, doc) = server.anonymous().get("/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() > 20);
    for (template, operations) in paths {
        let path = template
            .split('/')
            // `{slug}.json` keeps its literal suffix: `x1.json`.
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.split_once('}')) {
                    Some((_, suffix)) => format!("x1{suffix}"),
                    None => s.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("/");
        let (status, headers) = preflight(&server, &path, TOOL).await;
        if template.starts_with("/auth/") || template == "/setup" {
            assert_ne!(status, StatusCode::NO_CONTENT, "{template}");
            assert!(header(&headers, "access-control-allow-origin").is_none());
            continue;
        }
        assert_eq!(status, StatusCode::NO_CONTENT, "{template}");
        let allowed = methods(&headers);
        for method in operations.as_object().unwrap().keys() {
            assert!(
                allowed.contains(&method.to_uppercase()),
                "{template}: {method} not in {allowed:?}"
            );
        }
    }

    // The actual request: readable by the page, errors too.
    for (secret, expected) in [
        (&token.secret, StatusCode::OK),
        (&"00".repeat(32), StatusCode::UNAUTHORIZED),
    ] {
        let resp = server
            .request(Method::GET, "/monitors")
            .header("origin", TOOL)
            .header("x-api-token-id", &token.id)
            .header("x-api-token-secret-key", secret.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), expected);
        let headers = resp.headers();
        assert_eq!(header(headers, "access-control-allow-origin"), Some("*"));
        assert_eq!(
            header(headers, "access-control-expose-headers"),
            Some("Retry-After")
        );
        assert!(header(headers, "access-control-allow-credentials").is_none());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_and_login_are_never_cross_origin() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    for path in [
        "/auth/login",
        "/auth/logout",
        "/auth/session",
        "/setup",
        "/dashboard/",
        "/docs",
    ] {
        let (status, headers) = preflight(&server, path, TOOL).await;
        assert_ne!(status, StatusCode::NO_CONTENT, "{path}");
        assert!(
            header(&headers, "access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    let resp = server
        .request(Method::POST, "/auth/login")
        .header("origin", TOOL)
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let cookie = server.session_cookie("ada@example.com").await;

    // A cross-origin write carrying the session cookie is still refused.
    let expires = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let resp = server
        .request(Method::POST, "/api-tokens")
        .header("origin", TOOL)
        .header("cookie", &cookie)
        .json(&json!({"label": "stolen", "expiresAt": expires}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        resp.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let (_, tokens) = server.session(&cookie).get("/api-tokens").await;
    assert!(!tokens.to_string().contains("stolen"), "{tokens}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_of_origins_refuses_the_others() {
    let server = TestServer::start_configured(Clock::system(), |config| {
        config.cors_origins = CorsOrigins::parse("https://a.example").unwrap();
    })
    .await;
    let token = server.user_with_token("ada@example.com", "Acme");

    let (status, headers) = preflight(&server, "/monitors", "https://a.example").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(header(&headers, "vary"), Some("Origin"));

    let resp = server
        .request(Method::OPTIONS, "/monitors")
        .header("origin", "https://b.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), "origin_not_allowed");

    // Without a preflight (a simple request), the browser gets no header and hides the answer.
    let resp = server
        .request(Method::GET, "/monitors")
        .header("origin", "https://b.example")
        .header("x-api-token-id", &token.id)
        .header("x-api-token-secret-key", &token.secret)
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}
