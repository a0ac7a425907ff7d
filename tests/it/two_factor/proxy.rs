//! Sign-in by a reverse proxy's header (`--auth-proxy-header`), believed from `--trusted-proxy`
//! addresses only. The tests connect from 127.0.0.1: trusted or not depending on the list.

use dutyduck::accounts::proxy::AuthProxy;
use dutyduck::clock::Clock;
use dutyduck::http::client_addr::TrustedProxies;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::enrol;
use crate::common::{TestServer, at, code};

async fn behind_proxy(trusted: &str, create_users: bool) -> TestServer {
    TestServer::start_configured(Clock::manual(at("2026-03-02T10:00:05Z")), |config| {
        config.trusted_proxies = TrustedProxies::new(vec![trusted.parse().unwrap()]);
        config.auth_proxy = Some(AuthProxy {
            header: "remote-user".into(),
            create_users,
        });
    })
    .await
}

/// `GET /auth/session` as the proxy sends it: the status, the cookie pair set, the body.
async fn session_as(
    server: &TestServer,
    user: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = server
        .request(Method::GET, "/auth/session")
        .header("Remote-User", user);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    super::outcome(req.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trusted_proxy_signs_known_users_in_and_refuses_others() {
    let server = behind_proxy("127.0.0.1/32", false).await;
    server.create_user("ada@example.com", "Acme", None);
    server.create_user("bob@example.com", "Acme", Some("Editor"));

    let (status, cookie, body) = session_as(&server, "ada@example.com", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profile"]["user"]["email"], "ada@example.com");
    let ada = cookie.expect("the proxy's user gets a session cookie");
    assert_eq!(
        server.session(&ada).get("/monitors").await.0,
        StatusCode::OK
    );

    // No two-factor behind the proxy, even where the organization requires it.
    let org = body["profile"]["active_organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let policy = format!("/organizations/{org}/two-factor-policy");
    // Ada requires it through the proxy (which asks no second factor of her either).
    let status = server
        .request(Method::PUT, &policy)
        .header("cookie", &ada)
        .header("sec-fetch-site", "same-origin")
        .header("Remote-User", "ada@example.com")
        .json(&json!({"required": true}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
    let via_proxy = |path: &str| {
        server
            .request(Method::GET, path)
            .header("cookie", &ada)
            .header("Remote-User", "ada@example.com")
    };
    assert_eq!(
        via_proxy("/monitors").send().await.unwrap().status(),
        StatusCode::OK
    );
    // Straight to the server (no proxy header), the session is an ordinary one.
    let (status, body) = server.session(&ada).get("/monitors").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "two_factor_enrolment_required")
    );

    // The proxy's sign-in changed hands: Ada's cookie is not Bob's session.
    let as_bob = server
        .request(Method::GET, "/users/me")
        .header("cookie", &ada)
        .header("Remote-User", "bob@example.com");
    assert_eq!(
        as_bob.send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, bob, body) = session_as(&server, "bob@example.com", Some(&ada)).await;
    assert_eq!((status, bob.is_some()), (StatusCode::OK, true));
    assert_eq!(body["profile"]["user"]["email"], "bob@example.com");

    let (status, cookie, body) = session_as(&server, "eve@example.com", None).await;
    assert_eq!(
        (status, cookie, code(&body)),
        (StatusCode::FORBIDDEN, None, "auth_proxy_user_refused")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_header_from_an_untrusted_address_is_ignored() {
    let server = behind_proxy("192.0.2.1/32", true).await;
    server.create_user("ada@example.com", "Acme", None);
    let (status, cookie, body) = session_as(&server, "ada@example.com", None).await;
    assert_eq!(
        (status, cookie, body),
        (StatusCode::OK, None, json!({"profile": null}))
    );
    // And a 2FA user's own sign-in is not skipped by sending the header.
    let session = server.session_cookie("ada@example.com").await;
    enrol(&server, &session).await;
    let (status, cookie, body) = super::login(&server, "ada@example.com").await;
    assert_eq!(
        (status, cookie.is_none(), &body["twoFactorRequired"]),
        (StatusCode::OK, true, &json!(true))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_users_are_created_as_reporters_of_the_only_organization() {
    let server = behind_proxy("127.0.0.1/32", true).await;
    server.create_user("ada@example.com", "Acme", None);
    let resp = server
        .request(Method::GET, "/auth/session")
        .header("Remote-User", "carol@example.com")
        // Another header a client might slip past a proxy that does not set it: not believed.
        .header("Remote-Email", "ada@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["profile"]["user"]["email"], "carol@example.com");
    assert_eq!(body["profile"]["user"]["firstName"], "carol");
    assert_eq!(body["profile"]["organization_roles"], json!(["Reporter"]));
    // No password: only the proxy signs Carol in.
    let (status, _, _) = super::login(&server, "carol@example.com").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    server.create_user("dan@example.com", "Globex", None);
    let (status, _, body) = session_as(&server, "erin@example.com", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "auth_proxy_user_refused")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 organizations"),
        "{body}"
    );
}

#[test]
fn the_header_without_a_trusted_proxy_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = crate::common::cli(
        tmp.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--auth-proxy-header",
            "Remote-User",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--trusted-proxy 127.0.0.1/32"), "{stderr}");
}
