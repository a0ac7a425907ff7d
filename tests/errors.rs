//! Bad input of every kind gets a 4xx with {"error": {"code", "message"}} and changes nothing.

mod common;

use common::{TestServer, code};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_precise_json_errors() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let big = vec![b'x'; 1024 * 1024 + 1];
    // (method, path, content type, body, expected status, expected code, message fragment)
    let cases: Vec<(Method, &str, Option<&str>, Vec<u8>, u16, &str, &str)> = vec![
        (
            Method::GET,
            "/no/such/route",
            None,
            vec![],
            404,
            "route_not_found",
            "GET /no/such/route",
        ),
        (
            Method::PATCH,
            "/api-tokens",
            None,
            vec![],
            405,
            "method_not_allowed",
            "GET, POST",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("text/plain"),
            b"{}".to_vec(),
            415,
            "unsupported_media_type",
            "application/json",
        ),
        (
            Method::POST,
            "/api-tokens",
            None,
            b"{}".to_vec(),
            415,
            "unsupported_media_type",
            "no Content-Type",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("application/json"),
            b"{\"label\": ".to_vec(),
            400,
            "malformed_json",
            "line 1 column",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("application/json"),
            b"".to_vec(),
            400,
            "malformed_json",
            "empty",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("application/json"),
            b"[1, 2]".to_vec(),
            422,
            "invalid_field",
            "body",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("application/json"),
            b"{\"label\": \"x\"}".to_vec(),
            422,
            "invalid_field",
            "expiresAt",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("application/json"),
            b"{\"label\": 7, \"expiresAt\": \"2030-01-01T00:00:00Z\"}".to_vec(),
            422,
            "invalid_field",
            "label",
        ),
        (
            Method::POST,
            "/api-tokens",
            Some("application/json"),
            big,
            413,
            "payload_too_large",
            "bytes",
        ),
        (
            Method::DELETE,
            "/api-tokens/not-a-uuid",
            None,
            vec![],
            400,
            "invalid_path_parameter",
            "id",
        ),
        (
            Method::DELETE,
            "/api-tokens/00000000-0000-0000-0000-000000000000",
            None,
            vec![],
            404,
            "not_found",
            "API token",
        ),
    ];
    for (method, path, content_type, body, status, expected_code, fragment) in cases {
        let mut req = server
            .request(method.clone(), path)
            .header("X-Api-Token-Id", &token.id)
            .header("X-Api-Token-Secret-Key", &token.secret)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{method} {path}");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), expected_code, "{method} {path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(fragment), "{method} {path}: {message}");
    }
    let (_, list) = server
        .call(Method::GET, "/api-tokens", Some(&token), None)
        .await;
    assert_eq!(
        list["apiTokens"].as_array().unwrap().len(),
        1,
        "no bad request stored anything"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_chunked_body_is_refused_while_streaming() {
    let server = TestServer::start().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let resp = server
        .request(Method::POST, "/auth/login")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread")]
async fn non_utf8_and_odd_headers_do_not_break_anything() {
    let server = TestServer::start().await;
    server.user_with_token("ada@example.com", "Acme");
    let weird = reqwest::header::HeaderValue::from_bytes(b"\xff\xfe").unwrap();
    let resp = server
        .request(Method::GET, "/users/me")
        .header("X-Api-Token-Id", weird.clone())
        .header("X-Api-Token-Secret-Key", weird)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = server
        .request(Method::GET, "/users/me")
        .header("cookie", "dd_session=zz; other=1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = server
        .request(Method::GET, "/healthz")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}
