//! Bad input of every kind gets a 4xx with {"error": {"code", "message"}} and changes nothing.

use crate::common;

use crate::common::{TestServer, code};
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
        let mut req = server.as_(&token).request(method.clone(), path).body(body);
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
    let (_, list) = server.as_(&token).get("/api-tokens").await;
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
    let (status, _) = server
        .session("dd_session=zz; other=1")
        .get("/users/me")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let resp = server
        .request(Method::GET, "/healthz")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Sends `body` as JSON text, byte for byte, with a token.
async fn send_raw(
    server: &TestServer,
    token: &common::Token,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    let resp = server
        .as_(token)
        .request(method, path)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn trailing_bytes_and_unknown_fields_are_refused() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let (status, body) = send_raw(
        &server,
        &token,
        Method::POST,
        "/incidents",
        r#"{"title": "a"} xyz"#,
    )
    .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "malformed_json"),
        "{body}"
    );

    // A typo must not fall back to the default interval silently.
    let (status, body) = send_raw(
        &server,
        &token,
        Method::POST,
        "/monitors",
        r#"{"url": "http://127.0.0.1:9/", "isActive": false, "intervalSecond": 5}"#,
    )
    .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "invalid_field"),
        "{body}"
    );
    assert_eq!(
        body["error"]["message"],
        "intervalSecond: unknown field; did you mean intervalSeconds?"
    );
    // Nested bodies too: the task created by a start, a channel's config.
    let nested = [
        (
            "/tasks/backup/start",
            r#"{"newTask": {"cronSchedul": "@daily"}}"#,
            "newTask.cronSchedul: unknown field",
        ),
        (
            "/notification-channels",
            r#"{"name": "ops", "kind": "webhook", "config": {"url": "http://127.0.0.1:9/", "secrt": "0123456789abcdef"}}"#,
            "config.secrt: unknown field",
        ),
    ];
    for (path, sent, message) in nested {
        let (status, body) = send_raw(&server, &token, Method::POST, path, sent).await;
        assert_eq!(status, 422, "{body}");
        let got = body["error"]["message"].as_str().unwrap();
        assert!(got.starts_with(message), "{path}: {got}");
    }
    let (_, monitors) = server.as_(&token).get("/monitors").await;
    assert_eq!(
        monitors["items"],
        serde_json::json!([]),
        "nothing was created"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_original_clients_send_is_still_accepted() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    // (who sends it, method, path, body, expected status)
    let cases = [
        (
            "the original CLI's start with --create: every field of newTask, explicit nulls",
            Method::POST,
            "/tasks/nightly/start",
            r#"{"newTask": {"name": "backup.sh", "description": null, "cronSchedule": null,
                "startWindowSeconds": null, "latenessWindowSeconds": null,
                "heartbeatTimeoutSeconds": null}, "abortPreviousRunningTask": false}"#,
            201,
        ),
        (
            "the original CLI's finish",
            Method::POST,
            "/tasks/nightly/finish",
            r#"{"status": "success", "exitCode": 0, "errorMessage": null}"#,
            200,
        ),
        (
            "the original dashboard's profile form, with a phone number (ignored)",
            Method::PUT,
            "/users/me",
            r#"{"firstName": "Ada", "phoneNumber": "+33612345678"}"#,
            200,
        ),
        (
            "the original dashboard's monitor form, with one switch per transport (ignored)",
            Method::POST,
            "/monitors",
            r#"{"url": "http://127.0.0.1:9/", "isActive": false, "emailNotificationEnabled": true,
                "pushNotificationEnabled": false, "smsNotificationEnabled": false}"#,
            201,
        ),
    ];
    for (who, method, path, body, expected) in cases {
        let (status, reply) = send_raw(&server, &token, method, path, body).await;
        assert_eq!(status, expected, "{who}: {reply}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn names_refuse_control_and_bidi_characters_and_every_size_has_a_limit() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let many_headers: serde_json::Map<String, Value> = (0..51)
        .map(|i| (format!("x-h{i}"), Value::from("v")))
        .collect();
    let monitor = |extra: Value| {
        let mut body = serde_json::json!({"url": "http://127.0.0.1:9/", "isActive": false});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    // (path, body, field named in the 422)
    let cases = [
        (
            "/monitors",
            monitor(serde_json::json!({"name": "a\u{0}b"})),
            "name",
        ),
        (
            "/monitors",
            monitor(serde_json::json!({"name": "invoice\u{202e}fdp.exe"})),
            "name",
        ),
        (
            "/incidents",
            serde_json::json!({"title": "down\u{0}"}),
            "title",
        ),
        (
            "/incidents",
            serde_json::json!({"title": "\u{2066}pwned"}),
            "title",
        ),
        (
            "/tasks",
            serde_json::json!({"id": "t1", "name": "nightly\u{1b}[31m"}),
            "name",
        ),
        (
            "/tasks",
            serde_json::json!({"id": "t2", "name": "a\u{200f}b"}),
            "name",
        ),
        (
            "/monitors",
            serde_json::json!({"url": format!("http://127.0.0.1:9/{}", "a".repeat(2100)), "isActive": false}),
            "url",
        ),
        (
            "/monitors",
            monitor(serde_json::json!({"requestHeaders": many_headers})),
            "requestHeaders",
        ),
        (
            "/tasks",
            serde_json::json!({"id": "t3", "cronSchedule": format!("* * * * 1{}", ",1".repeat(200))}),
            "cronSchedule",
        ),
        (
            "/notification-channels",
            serde_json::json!({"name": "hook", "kind": "webhook", "config": {"url": "http://127.0.0.1:9/\r\nX-Injected: 1"}}),
            "config.url",
        ),
    ];
    for (path, body, field) in cases {
        let (status, reply) = server.as_(&token).post(path, body.clone()).await;
        assert_eq!(status, 422, "{path} {body}: {reply}");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{path}: {message}"
        );
    }
    // Multi-line text keeps its line breaks and tabs.
    let (status, reply) = server
        .as_(&token)
        .post(
            "/incidents",
            serde_json::json!({"title": "db down", "description": "line 1\n\tline 2"}),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    for path in ["/monitors", "/tasks"] {
        let (_, list) = server.as_(&token).get(path).await;
        assert_eq!(
            list["items"],
            serde_json::json!([]),
            "{path}: nothing refused was stored"
        );
    }
}
