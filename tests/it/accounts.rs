//! Dashboard sessions, login throttling and profile changes against the real server.

use crate::common;

use crate::common::{PASSWORD, TestServer, code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Logs in and returns the session cookie ("dd_session=...").
async fn login(
    server: &TestServer,
    email: &str,
    password: &str,
) -> (StatusCode, Option<String>, Value) {
    let resp = server
        .request(Method::POST, "/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, cookie, resp.json().await.unwrap_or(Value::Null))
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn login_me_logout() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);

    let (status, set_cookie, profile) = login(&server, "ADA@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    let set_cookie = set_cookie.unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "plain http must not get a Secure cookie"
    );
    assert_eq!(profile["user"]["email"], "ada@example.com");

    let cookie = cookie_pair(&set_cookie);
    let (status, me) = server.session(&cookie).get("/users/me").await;
    assert_eq!(status, StatusCode::OK);
    // The original CLI parses these snake_case keys.
    for key in [
        "user",
        "permissions",
        "active_organization",
        "organization_roles",
    ] {
        assert!(me.get(key).is_some(), "missing {key}: {me}");
    }
    assert_eq!(me["organization_roles"], json!(["Owner"]));
    assert_eq!(me["active_organization"]["displayName"], "Acme");

    let out = server
        .request(Method::POST, "/auth/logout")
        .header("cookie", &cookie)
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, body) = server.session(&cookie).get("/users/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "session_expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn https_behind_a_proxy_gets_a_secure_cookie() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let resp = server
        .request(Method::POST, "/auth/login")
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_credentials_then_throttling() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let (status, _, body) = login(&server, "nobody@example.com", PASSWORD).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );

    // Five free failures on the account, then it must wait.
    for attempt in 1..=5 {
        let (status, _, body) = login(&server, "ada@example.com", "wrong password!").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {body}"
        );
    }
    let resp = server
        .request(Method::POST, "/auth/login")
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn password_change_needs_the_current_one_and_ends_other_sessions() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let (_, first, _) = login(&server, "ada@example.com", PASSWORD).await;
    let (_, second, _) = login(&server, "ada@example.com", PASSWORD).await;
    let (first, second) = (cookie_pair(&first.unwrap()), cookie_pair(&second.unwrap()));

    let put = |cookie: String, body: Value| {
        server
            .request(Method::PUT, "/users/me")
            .header("cookie", cookie)
            .header("origin", &server.base)
            .json(&body)
            .send()
    };
    let resp = put(
        first.clone(),
        json!({"password": "une autre tarte aux pommes"}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = put(
        first.clone(),
        json!({"password": "une autre tarte", "currentPassword": "wrong"}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = put(
        first.clone(),
        json!({"password": "short", "currentPassword": PASSWORD}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = put(first.clone(), json!({"password": "une autre tarte aux pommes", "currentPassword": PASSWORD, "firstName": "Augusta"}))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["newUser"]["firstName"], "Augusta");

    let (still, _) = server.session(&first).get("/users/me").await;
    assert_eq!(
        still,
        StatusCode::OK,
        "the session that changed the password stays"
    );
    let (ended, _) = server.session(&second).get("/users/me").await;
    assert_eq!(ended, StatusCode::UNAUTHORIZED, "other sessions end");
    let (status, _, _) = login(&server, "ada@example.com", "une autre tarte aux pommes").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_updates_are_validated() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("bob@example.com", "Acme", None);
    let cases = [
        (json!({"email": "not-an-email"}), 422, "email"),
        (
            json!({"email": "BOB@example.com", "currentPassword": PASSWORD}),
            409,
            "",
        ),
        (json!({"firstName": ""}), 422, "firstName"),
        (json!({"firstName": 5}), 422, "firstName"),
        // A new e-mail is where reset links go: a session alone cannot move it.
        (json!({"email": "ada@lovelace.org"}), 422, "currentPassword"),
        (
            json!({"email": "ada@lovelace.org", "currentPassword": "not it"}),
            422,
            "currentPassword",
        ),
        (
            json!({"lastName": "Byron", "email": "ada@lovelace.org", "currentPassword": PASSWORD}),
            200,
            "",
        ),
    ];
    for (body, expected, field) in cases {
        let (status, reply) = server.as_(&ada).put("/users/me", body.clone()).await;
        assert_eq!(status.as_u16(), expected, "{body}: {reply}");
        if !field.is_empty() {
            assert!(
                reply["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(field),
                "{reply}"
            );
        }
    }
    let (_, me) = server.as_(&ada).get("/users/me").await;
    assert_eq!(
        (
            me["user"]["lastName"].as_str(),
            me["user"]["email"].as_str()
        ),
        (Some("Byron"), Some("ada@lovelace.org"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cookie_writes_must_come_from_the_same_origin() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let (_, cookie, _) = login(&server, "ada@example.com", PASSWORD).await;
    let cookie = cookie_pair(&cookie.unwrap());
    let expires = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let body = json!({"label": "x", "expiresAt": expires});
    let host = server.base.trim_start_matches("http://").to_owned();
    let cases: [(Option<&str>, Option<&str>, u16); 4] = [
        (None, None, 403),
        (Some("https://evil.example"), None, 403),
        (Some(&server.base), None, 201),
        (None, Some("same-origin"), 201),
    ];
    for (origin, fetch_site, expected) in cases {
        let mut req = server
            .request(Method::POST, "/api-tokens")
            .header("cookie", &cookie)
            .header("host", &host)
            .json(&body);
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            req = req.header("sec-fetch-site", site);
        }
        let status = req.send().await.unwrap().status();
        assert_eq!(
            status.as_u16(),
            expected,
            "origin {origin:?}, sec-fetch-site {fetch_site:?}"
        );
    }
    // Reads by cookie need no origin.
    let (read, _) = server.session(&cookie).get("/api-tokens").await;
    assert_eq!(read, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_user_commands() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    server.create_user("eve@example.com", "Acme", Some("editor"));

    let dup = common::cli(
        &server.data_dir,
        &[
            "user",
            "create",
            "--email",
            "ADA@example.com",
            "--first-name",
            "A",
            "--last-name",
            "L",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let weak = common::cli(
        &server.data_dir,
        &[
            "user",
            "create",
            "--email",
            "x@example.com",
            "--first-name",
            "A",
            "--last-name",
            "L",
            "--password-stdin",
        ],
        Some("short"),
    );
    assert!(!weak.status.success());
    let no_tty = server.cli(&[
        "user",
        "create",
        "--email",
        "y@example.com",
        "--first-name",
        "A",
        "--last-name",
        "L",
    ]);
    assert!(String::from_utf8_lossy(&no_tty.stderr).contains("--password-stdin"));

    let list = server.cli(&["user", "list", "--json"]);
    let users: Value = serde_json::from_slice(&list.stdout).unwrap();
    let roles: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["Owner", "Editor"]);

    let set = common::cli(
        &server.data_dir,
        &[
            "user",
            "set-password",
            "--email",
            "eve@example.com",
            "--password-stdin",
        ],
        Some("un nouveau mot de passe"),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let (status, _, _) = login(&server, "eve@example.com", "un nouveau mot de passe").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_setup_succeeds_once_even_when_raced() {
    let server = TestServer::start().await;
    let (_, status) = server.anonymous().get("/setup").await;
    assert_eq!(status, json!({"needed": true}));
    let (_, session) = server.anonymous().get("/auth/session").await;
    assert_eq!(session, json!({"profile": null}));

    let attempt = |email: &'static str| {
        let req = server.request(Method::POST, "/setup").json(&json!({
            "organizationName": "Acme", "firstName": "Ada", "lastName": "Lovelace", "email": email, "password": PASSWORD
        }));
        async move { req.send().await.unwrap() }
    };
    let (a, b) = tokio::join!(attempt("ada@example.com"), attempt("eve@example.com"));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "exactly one setup wins");
    let winner = if a.status() == 200 { a } else { b };
    let cookie = cookie_pair(winner.headers()["set-cookie"].to_str().unwrap());

    let (_, status) = server.anonymous().get("/setup").await;
    assert_eq!(status, json!({"needed": false}));
    let users = server.cli(&["user", "list", "--json"]);
    let users: Value = serde_json::from_slice(&users.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["role"], "Owner");

    // The winner is logged in.
    let (_, session) = server.session(&cookie).get("/auth/session").await;
    assert_eq!(session["profile"]["organization_roles"], json!(["Owner"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_validates_its_fields() {
    let server = TestServer::start().await;
    let base = json!({"organizationName": "Acme", "firstName": "Ada", "lastName": "L", "email": "ada@example.com", "password": PASSWORD});
    for (field, value, expected) in [
        ("email", json!("nope"), "email"),
        ("password", json!("short"), "password"),
        ("organizationName", json!(""), "organizationName"),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let (status, reply) = server.anonymous().post("/setup", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(expected),
            "{reply}"
        );
    }
    let (_, status) = server.anonymous().get("/setup").await;
    assert_eq!(status, json!({"needed": true}), "nothing was created");
}
