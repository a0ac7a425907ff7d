//! API access tokens end to end: through the API and the CLI, against the real server.

use crate::common::{TestServer, Token, code};
use chrono::{Months, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn token_lifecycle_through_the_api() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");

    let expires = (Utc::now() + chrono::Duration::days(90)).to_rfc3339();
    let (status, created) = server
        .as_(&admin)
        .post(
            "/api-tokens",
            json!({"label": "deploys", "expiresAt": expires}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secretKey"].as_str().unwrap();
    assert_eq!(secret.len(), 64);
    assert!(
        secret
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(created["label"], "deploys");
    assert_eq!(created["scopes"], json!([]));
    let new = Token {
        id: created["id"].as_str().unwrap().into(),
        secret: secret.into(),
    };

    // The new token works on behalf of the same user.
    let (status, me) = server.as_(&new).get("/users/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["email"], "ada@example.com");

    // Listed without any secret, with lastUsedAt set by that request.
    let (status, list) = server.as_(&admin).get("/api-tokens").await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<&Value> = list["apiTokens"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 2);
    let entry = listed.iter().find(|t| t["id"] == new.id.as_str()).unwrap();
    assert!(entry["lastUsedAt"].is_string(), "{entry}");
    assert!(entry.get("secretKey").is_none() && !list.to_string().contains(&new.secret));

    // Delete: 204, then the token is refused and a second delete is 404.
    let (status, _) = server
        .as_(&admin)
        .delete(&format!("/api-tokens/{}", new.id))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server.as_(&new).get("/users/me").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    let (status, _) = server
        .as_(&admin)
        .delete(&format!("/api-tokens/{}", new.id))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn expiry_is_at_most_the_same_day_next_year() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let today = Utc::now().date_naive();
    let next_year = today.checked_add_months(Months::new(12)).unwrap();
    let cases = [
        (format!("{next_year}T23:59:59Z"), StatusCode::CREATED),
        (format!("{next_year}T00:00:00Z"), StatusCode::CREATED),
        (
            format!("{}T00:00:00Z", next_year.succ_opt().unwrap()),
            StatusCode::BAD_REQUEST,
        ),
        (
            (Utc::now() - chrono::Duration::minutes(1)).to_rfc3339(),
            StatusCode::BAD_REQUEST,
        ),
        ("not a date".to_owned(), StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (expires_at, expected) in cases {
        let (status, body) = server
            .as_(&admin)
            .post(
                "/api-tokens",
                json!({"label": "x", "expiresAt": expires_at}),
            )
            .await;
        assert_eq!(status, expected, "{expires_at}: {body}");
        if status == StatusCode::BAD_REQUEST
            && expires_at.starts_with(&next_year.succ_opt().unwrap().to_string())
        {
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("one year") && message.contains(&next_year.to_string()),
                "{message}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn labels_are_validated() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let expires = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    for (label, expected) in [
        ("", 422),
        ("x", 201),
        (&"x".repeat(100) as &str, 201),
        (&"x".repeat(101), 422),
    ] {
        let (status, body) = server
            .as_(&admin)
            .post("/api-tokens", json!({"label": label, "expiresAt": expires}))
            .await;
        assert_eq!(
            status.as_u16(),
            expected,
            "label of {} chars: {body}",
            label.len()
        );
        if expected == 422 {
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("label"),
                "{body}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_authentication_failure_has_its_status() {
    let server = TestServer::start().await;
    let good = server.user_with_token("ada@example.com", "Acme");
    let expired = {
        // Created valid, then its expiry moved into the past directly in the database.
        let t = server.create_token("ada@example.com", &[]);
        let conn = rusqlite::Connection::open(server.data_dir.join("dutyduck.db")).unwrap();
        conn.execute(
            "UPDATE api_tokens SET expires_at = 0 WHERE id = ?1",
            [&t.id],
        )
        .unwrap();
        t
    };
    let unknown_id = uuid::Uuid::new_v4().to_string();
    let wrong_secret = "0".repeat(64);
    let upper_secret = good.secret.to_uppercase();
    let cases: Vec<(Vec<(&str, &str)>, u16, &str)> = vec![
        (vec![], 401, "missing_credentials"),
        (
            vec![("X-Api-Token-Secret-Key", &good.secret)],
            401,
            "missing_credentials",
        ),
        (
            vec![("X-Api-Token-Id", &good.id)],
            401,
            "missing_credentials",
        ),
        (
            vec![
                ("X-Api-Token-Id", "1234567890"),
                ("X-Api-Token-Secret-Key", &good.secret),
            ],
            400,
            "invalid_token_id",
        ),
        (
            vec![
                ("X-Api-Token-Id", &good.id),
                ("X-Api-Token-Secret-Key", "xyz"),
            ],
            400,
            "invalid_token_secret",
        ),
        (
            vec![
                ("X-Api-Token-Id", &good.id),
                ("X-Api-Token-Secret-Key", "abc"),
            ],
            400,
            "invalid_token_secret",
        ),
        (
            vec![
                ("X-Api-Token-Id", &unknown_id),
                ("X-Api-Token-Secret-Key", &good.secret),
            ],
            401,
            "invalid_token",
        ),
        (
            vec![
                ("X-Api-Token-Id", &good.id),
                ("X-Api-Token-Secret-Key", &wrong_secret),
            ],
            401,
            "invalid_token",
        ),
        (
            vec![
                ("X-Api-Token-Id", &expired.id),
                ("X-Api-Token-Secret-Key", &expired.secret),
            ],
            401,
            "token_expired",
        ),
        (
            vec![
                ("X-Api-Token-Id", &good.id),
                ("X-Api-Token-Secret-Key", &good.secret),
            ],
            200,
            "",
        ),
        // Secrets are hex: either case is accepted.
        (
            vec![
                ("X-Api-Token-Id", &good.id),
                ("X-Api-Token-Secret-Key", &upper_secret),
            ],
            200,
            "",
        ),
    ];
    for (headers, status, expected_code) in cases {
        let mut req = server.request(Method::GET, "/users/me");
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{headers:?}");
        let body: Value = resp.json().await.unwrap();
        if status != 200 {
            assert_eq!(code(&body), expected_code, "{headers:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_revoke_applies_to_the_very_next_request() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let (status, _) = server.as_(&token).get("/users/me").await;
    assert_eq!(status, StatusCode::OK);

    let out = server.cli(&["token", "revoke", &token.id]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Revoked"));

    let (status, body) = server.as_(&token).get("/users/me").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );

    let again = server.cli(&["token", "revoke", &token.id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not found"));
    let garbage = server.cli(&["token", "revoke", "not-a-uuid"]);
    assert!(!garbage.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_token_create_and_list() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let next_year = Utc::now()
        .date_naive()
        .checked_add_months(Months::new(12))
        .unwrap();
    let token = server.create_token("ada@example.com", &["--expires-at", &next_year.to_string()]);
    let (status, _) = server.as_(&token).get("/users/me").await;
    assert_eq!(status, StatusCode::OK);

    let too_far = next_year.succ_opt().unwrap().to_string();
    let out = server.cli(&[
        "token",
        "create",
        "--user",
        "ada@example.com",
        "--label",
        "x",
        "--expires-at",
        &too_far,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("one year"));
    let out = server.cli(&[
        "token",
        "create",
        "--user",
        "ada@example.com",
        "--label",
        "x",
        "--expires-in",
        "366d",
    ]);
    assert!(!out.status.success());
    let out = server.cli(&[
        "token",
        "create",
        "--user",
        "nobody@example.com",
        "--label",
        "x",
        "--expires-in",
        "1d",
    ]);
    assert!(!out.status.success());

    let out = server.cli(&["token", "list", "--json"]);
    assert!(out.status.success());
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], token.id.as_str());
    assert_eq!(listed[0]["userEmail"], "ada@example.com");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token.secret));
    let table = server.cli(&["token", "list", "--user", "ada@example.com"]);
    assert!(String::from_utf8_lossy(&table.stdout).contains(&token.id));
}

#[tokio::test(flavor = "multi_thread")]
async fn scopes_restrict_a_token() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let owner = server.create_token("ada@example.com", &[]);
    let scoped = server.create_token("ada@example.com", &["--scope", "readTasks"]);
    let reporter = server.create_token("rita@example.com", &[]);

    let (_, me) = server.as_(&scoped).get("/users/me").await;
    assert_eq!(me["permissions"], json!(["readTasks"]));
    assert_eq!(me["organization_roles"], json!(["Owner"]));

    let expires = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let create = |scopes: Value| json!({"label": "x", "expiresAt": expires, "scopes": scopes});
    // A reporter cannot grant what they do not hold; a scoped token cannot widen itself.
    let (status, _) = server
        .as_(&reporter)
        .post("/api-tokens", create(json!(["writeTasks"])))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .as_(&scoped)
        .post("/api-tokens", create(json!(["writeTasks"])))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, minted) = server
        .as_(&scoped)
        .post("/api-tokens", create(json!([])))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(minted["scopes"], json!(["readTasks"]));
    let (status, body) = server
        .as_(&owner)
        .post("/api-tokens", create(json!(["nonsense"])))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
    );

    // A scoped token cannot touch the account or the user's other tokens, but can revoke itself.
    let (status, _) = server
        .as_(&scoped)
        .put("/users/me", json!({"email": "evil@example.com"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .as_(&scoped)
        .delete(&format!("/api-tokens/{}", owner.id))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .as_(&scoped)
        .delete(&format!("/api-tokens/{}", scoped.id))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.as_(&owner).get("/users/me").await;
    assert_eq!(status, StatusCode::OK);

    // CLI: a scope the user lacks is refused.
    let out = server.cli(&[
        "token",
        "create",
        "--user",
        "rita@example.com",
        "--label",
        "x",
        "--expires-in",
        "1d",
        "--scope",
        "writeTasks",
    ]);
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_of_one_organization_cannot_see_another_s_tokens() {
    let server = TestServer::start().await;
    let a = server.user_with_token("ada@example.com", "Org A");
    let b = server.user_with_token("bob@example.com", "Org B");
    let (status, _) = server
        .as_(&a)
        .delete(&format!("/api-tokens/{}", b.id))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = server.as_(&a).get("/api-tokens").await;
    assert!(!list.to_string().contains(&b.id));
    let (status, _) = server.as_(&b).get("/users/me").await;
    assert_eq!(status, StatusCode::OK, "B's token still works");
    let (_, me) = server.as_(&b).get("/users/me").await;
    assert_eq!(me["active_organization"]["displayName"], "Org B");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_never_holds_a_secret() {
    let mut server = TestServer::start().await;
    let cli_token = server.user_with_token("ada@example.com", "Acme");
    let expires = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (_, api_token) = server
        .as_(&cli_token)
        .post("/api-tokens", json!({"label": "x", "expiresAt": expires}))
        .await;
    let api_secret = api_token["secretKey"].as_str().unwrap().to_owned();
    server.stop().await;

    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for secret in [&cli_token.secret, &api_secret] {
        let raw = hex::decode(secret).unwrap();
        assert!(
            !contains(&bytes, secret.as_bytes()),
            "hex secret found in the data dir"
        );
        assert!(
            !contains(&bytes, &raw),
            "raw secret bytes found in the data dir"
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
