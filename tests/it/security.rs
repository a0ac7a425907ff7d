//! Authentication and secrets against the real server: the login throttle behind a reverse
//! proxy, credentials in monitor URLs hidden from readers and from notification receivers,
//! logout refusing foreign pages, and the optional /metrics token.

use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::common::target::{Mode, Target};
use crate::common::{PASSWORD, TestServer, code};
use chrono::{DateTime, Duration};
use dutyduck::clock::Clock;
use dutyduck::http::client_addr::TrustedProxies;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn clock() -> Clock {
    Clock::manual(
        DateTime::parse_from_rfc3339("2026-11-30T09:00:00Z")
            .unwrap()
            .to_utc(),
    )
}

/// A server on a manual clock; behind a proxy on loopback when `behind_proxy`.
async fn server(behind_proxy: bool) -> TestServer {
    TestServer::start_configured(clock(), |config| {
        if behind_proxy {
            config.trusted_proxies =
                TrustedProxies::new(vec![TrustedProxies::parse_one("127.0.0.0/8").unwrap()]);
        }
    })
    .await
}

/// A login as seen through the proxy for `client` (None: no X-Forwarded-For); the status.
async fn login_from(
    server: &TestServer,
    client: Option<&str>,
    email: &str,
    password: &str,
) -> StatusCode {
    let mut req = server
        .request(Method::POST, "/auth/login")
        .json(&json!({"email": email, "password": password}));
    if let Some(client) = client {
        req = req.header("x-forwarded-for", format!("198.51.100.200, {client}"));
    }
    req.send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_an_attackers_failures_do_not_lock_out_the_victim() {
    let server = server(true).await;
    server.create_user("victim@example.com", "Acme", None);
    let attacker = Some("203.0.113.66");
    let victim = Some("192.0.2.10");

    // The attacker guesses the victim's password and sprays other accounts until refused.
    let mut refused = 0;
    for i in 0..40 {
        let email = if i % 2 == 0 {
            "victim@example.com".to_owned()
        } else {
            format!("user{i}@example.com")
        };
        if login_from(&server, attacker, &email, "wrong password!").await
            == StatusCode::TOO_MANY_REQUESTS
        {
            refused += 1;
        }
    }
    assert!(refused > 0, "the attacker must be slowed down");

    // The victim, behind the same proxy, logs in at once with the right password.
    let status = login_from(&server, victim, "victim@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    // The attacker is still refused, even with the right password.
    let status = login_from(&server, attacker, "victim@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    for (behind_proxy, expected) in [
        (false, StatusCode::TOO_MANY_REQUESTS),
        (true, StatusCode::UNAUTHORIZED),
    ] {
        let server = server(behind_proxy).await;
        server.create_user("ada@example.com", "Acme", None);
        for _ in 0..5 {
            let status = login_from(
                &server,
                Some("192.0.2.1"),
                "ada@example.com",
                "wrong password!",
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        // Another claimed address: a new client only if the proxy is trusted.
        let status = login_from(
            &server,
            Some("192.0.2.2"),
            "ada@example.com",
            "wrong password!",
        )
        .await;
        assert_eq!(status, expected, "behind a trusted proxy: {behind_proxy}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_attempt_is_not_counted() {
    let server = server(false).await;
    server.create_user("ada@example.com", "Acme", None);
    for _ in 0..5 {
        let status = login_from(&server, None, "ada@example.com", "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Hammering while refused (30 more tries) does not lengthen the wait…
    for _ in 0..30 {
        let status = login_from(&server, None, "ada@example.com", "wrong password!").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
    // …which was one second after five failures.
    server.clock.advance(Duration::seconds(1));
    let status = login_from(&server, None, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

const USER: &str = "admin";
const PASS: &str = "hunter2pass";
const QUERY_SECRET: &str = "QSECRETVALUE";

fn assert_hidden(what: &str, body: &Value) {
    let text = body.to_string();
    for secret in [PASS, QUERY_SECRET] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_in_a_monitor_url_are_hidden_from_readers_and_receivers() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let target = Target::start().await;
    target.set(Mode::Status(503));
    let server = server(false).await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("rex@example.com", "Acme", Some("Reporter"));
    let rex = server.create_token("rex@example.com", &[]);

    let (status, channel) = server
        .as_(&ada)
        .post(
            "/notification-channels",
            json!({"name": "Ops", "kind": "webhook", "config": {"url": hook.url("/in")}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let url = format!(
        "http://{USER}:{PASS}@{}/health?token={QUERY_SECRET}&page=2",
        target.addr
    );
    let masked = format!(
        "http://(hidden)@{}/health?token=(hidden)&page=2",
        target.addr
    );
    let (status, created) = server
        .as_(&ada)
        .post(
            "/monitors",
            json!({"name": "Shop", "url": url, "intervalSeconds": 60,
                        "downtimeConfirmationThreshold": 1,
                        "notificationChannels": [channel["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    server.clock.advance(Duration::seconds(5));
    let opened = hook.wait_for(1).await[0].json();

    // Receivers are outside: the payload and its text never carry the credentials.
    assert_eq!(opened["source"]["url"], masked.as_str());
    assert_hidden("the webhook payload", &opened);
    let incident = opened["incident"]["id"].as_str().unwrap().to_owned();

    // Every view a reporter has.
    let monitors = server.as_(&rex).get_ok("/monitors").await;
    assert_eq!(monitors["items"][0]["url"], masked.as_str());
    let views = [
        "/monitors".to_owned(),
        format!("/monitors/{id}"),
        format!("/monitors/{id}/incidents"),
        "/incidents".to_owned(),
        format!("/incidents/{incident}"),
        format!("/incidents/{incident}/events"),
    ];
    for path in &views {
        let body = server.as_(&rex).get_ok(path).await;
        assert_hidden(path, &body);
    }
    let detail = server
        .as_(&rex)
        .get_ok(&format!("/incidents/{incident}"))
        .await;
    assert_eq!(detail["source"]["url"], masked.as_str());
    assert_eq!(detail["incident"]["metadata"]["url"], masked.as_str());
    let one = server.as_(&rex).get_ok(&format!("/monitors/{id}")).await;
    assert_eq!(one["monitor"]["url"], masked.as_str());
    assert_eq!(one["ongoingIncident"]["metadata"]["url"], masked.as_str());

    // Searching cannot find the hidden parts one character at a time.
    for (query, found) in [
        ("Shop", 1),
        ("health", 1),
        (&PASS[..4], 0),
        (&QUERY_SECRET[..4], 0),
    ] {
        let body = server
            .as_(&rex)
            .get_ok(&format!("/monitors?query={query}"))
            .await;
        assert_eq!(body["items"].as_array().unwrap().len(), found, "{query}");
    }

    // Nor can a metadata filter confirm a guessed URL.
    let filter = |url: &str| {
        let filter = json!({"items": {"url": [url]}}).to_string();
        format!(
            "/incidents?metadataFilter={}",
            url::form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>()
        )
    };
    let found = |body: Value| body["items"].as_array().unwrap().len();
    assert_eq!(found(server.as_(&rex).get_ok(&filter(&url)).await), 0);
    assert_eq!(found(server.as_(&ada).get_ok(&filter(&url)).await), 1);

    // The editor sees the real URL, searches it and keeps it when saving other changes.
    let mine = server.as_(&ada).get_ok(&format!("/monitors/{id}")).await;
    assert_eq!(mine["monitor"]["url"], url.as_str());
    let body = server
        .as_(&ada)
        .get_ok(&format!("/monitors?query={PASS}"))
        .await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    let detail = server
        .as_(&ada)
        .get_ok(&format!("/incidents/{incident}"))
        .await;
    assert_eq!(detail["source"]["url"], url.as_str());
    let mut edited = mine["monitor"].clone();
    edited["name"] = json!("Shop (edited)");
    let (status, saved) = server
        .as_(&ada)
        .patch(
            &format!("/monitors/{id}"),
            json!({"name": edited["name"], "url": edited["url"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["url"], url.as_str());
}

async fn me_status(server: &TestServer, cookie: &str) -> StatusCode {
    server.session(cookie).get("/users/me").await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_page_cannot_log_the_user_out() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let cookie = server.session_cookie("ada@example.com").await;

    let resp = server
        .request(Method::POST, "/auth/logout")
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("set-cookie").is_none());
    assert_eq!(me_status(&server, &cookie).await, StatusCode::OK);

    // From the dashboard itself it works.
    let resp = server
        .request(Method::POST, "/auth/logout")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(me_status(&server, &cookie).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_need_the_token_when_one_is_configured() {
    const METRICS_TOKEN: &str = "0123456789abcdef0123456789abcdef";
    let open = TestServer::start().await;
    let resp = open.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "open by default");

    let server = TestServer::start_configured(clock(), |config| {
        config.metrics_token = Some(METRICS_TOKEN.into());
    })
    .await;
    for (authorization, expected, error) in [
        (None, StatusCode::UNAUTHORIZED, Some("missing_credentials")),
        (
            Some("Bearer not-the-token"),
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
        ),
        (
            Some(METRICS_TOKEN),
            StatusCode::UNAUTHORIZED,
            Some("missing_credentials"),
        ),
        (
            Some(&*format!("Bearer {METRICS_TOKEN}")),
            StatusCode::OK,
            None,
        ),
    ] {
        let mut req = server.request(Method::GET, "/metrics");
        if let Some(value) = authorization {
            req = req.header("authorization", value);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), expected, "{authorization:?}");
        let text = resp.text().await.unwrap();
        match error {
            Some(error) => {
                let body: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(code(&body), error);
            }
            None => assert!(text.contains("dutyduck_checks_total"), "{text}"),
        }
    }
}

#[test]
fn serve_refuses_malformed_security_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[(&str, &str)], &str); 5] = [
        (&["--trusted-proxy", "10.0.0.0/33"], &[], "10.0.0.0/33"),
        (&["--trusted-proxy", "proxy.lan"], &[], "proxy.lan"),
        (
            &[],
            &[("DUTYDUCK_TRUSTED_PROXY", "10.0.0.0/8,nope")],
            "nope",
        ),
        (&["--metrics-token", "short"], &[], "at least 16"),
        (
            &["--cors-origins", "https://a.example/path"],
            &[],
            "not an origin",
        ),
    ];
    for (args, env, message) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dutyduck"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(tmp.path().join("data"))
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} {env:?} started");
        assert!(stderr.contains(message), "{args:?} {env:?}: {stderr}");
    }
    assert!(!tmp.path().join("data").exists());
}
