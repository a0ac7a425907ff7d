//! A forgotten password: the link arrives by e-mail (a real SMTP receiver), works once, for an
//! hour (the manual clock), ends every session; unknown addresses get the very same answer.

use super::post_public;
use crate::common::receivers::{Mail, SmtpReceiver};
use crate::common::{PASSWORD, TestServer, at, code};
use chrono::Duration;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::json;

const PUBLIC_URL: &str = "https://duck.example.com";
const NEW_PASSWORD: &str = "une tarte aux poires";

async fn server_with(smtp: Option<&SmtpReceiver>, public_url: bool) -> TestServer {
    let clock = Clock::manual(at("2026-12-01T09:00:00Z"));
    let server = TestServer::start_configured(clock, |config| {
        config.smtp = smtp.map(SmtpReceiver::settings);
        config.public_url = public_url.then(|| PUBLIC_URL.to_owned());
    })
    .await;
    server.create_user("ada@example.com", "Acme", None);
    server
}

/// The token of the link in a reset e-mail.
fn token_in(mail: &Mail) -> String {
    let body = mail.body();
    let prefix = format!("{PUBLIC_URL}/dashboard/reset-password?token=");
    let start = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link in {body}"))
        + prefix.len();
    body[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn ask(server: &TestServer, email: &str) -> serde_json::Value {
    let (status, _, body) =
        post_public(server, "/auth/password-reset", json!({"email": email})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body
}

async fn confirm(server: &TestServer, token: &str, password: &str) -> (StatusCode, String) {
    let body = json!({"token": token, "password": password});
    let (status, _, body) = post_public(server, "/auth/password-reset/confirm", body).await;
    (status, code(&body).to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_e_mailed_link_sets_the_password_once_and_ends_every_session() {
    let smtp = SmtpReceiver::start().await;
    let server = server_with(Some(&smtp), true).await;
    let before = server.session_cookie("ada@example.com").await;
    assert_eq!(
        server.anonymous().get_ok("/auth/signup-policy").await["passwordResetByEmail"],
        true
    );

    let answer = ask(&server, "Ada@Example.com ").await;
    assert_eq!(answer["byEmail"], true);
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Reset your dutyduck password")
    );
    let token = token_in(&mail);
    assert_eq!(token.len(), 64, "a 256-bit secret");

    // The password rules hold; a refused password leaves the link usable.
    let (status, _) = confirm(&server, &token, "ada").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        confirm(&server, &token, NEW_PASSWORD).await.0,
        StatusCode::NO_CONTENT
    );

    let (status, _) = server.session(&before).get("/users/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "sessions end with the reset"
    );
    let login = |password: &'static str| {
        post_public(
            &server,
            "/auth/login",
            json!({"email": "ada@example.com", "password": password}),
        )
    };
    assert_eq!(login(PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login(NEW_PASSWORD).await.0, StatusCode::OK);

    // Once only.
    assert_eq!(
        confirm(&server, &token, "encore une autre tarte").await,
        (StatusCode::BAD_REQUEST, "reset_link_invalid".into())
    );
    let made_up = "ab".repeat(32);
    assert_eq!(
        confirm(&server, &made_up, NEW_PASSWORD).await,
        (StatusCode::BAD_REQUEST, "reset_link_invalid".into())
    );
    assert_eq!(
        confirm(&server, "not hex", NEW_PASSWORD).await,
        (StatusCode::BAD_REQUEST, "reset_link_invalid".into())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_expires_after_an_hour_and_a_newer_one_replaces_it() {
    let smtp = SmtpReceiver::start().await;
    let server = server_with(Some(&smtp), true).await;
    ask(&server, "ada@example.com").await;
    let first = token_in(&smtp.wait_for(1).await[0]);
    ask(&server, "ada@example.com").await;
    let second = token_in(&smtp.wait_for(2).await[1]);
    assert_ne!(first, second);
    assert_eq!(
        confirm(&server, &first, NEW_PASSWORD).await.1,
        "reset_link_invalid",
        "the newer e-mail is the one to use"
    );

    server.clock.advance(Duration::minutes(61));
    assert_eq!(
        confirm(&server, &second, NEW_PASSWORD).await,
        (StatusCode::BAD_REQUEST, "reset_link_expired".into())
    );
    let (status, _, _) = post_public(
        &server,
        "/auth/login",
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the password is unchanged");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_addresses_get_the_same_answer_and_no_mail() {
    let smtp = SmtpReceiver::start().await;
    let server = server_with(Some(&smtp), true).await;
    server.create_user("grace@example.com", "Acme", None);
    let unknown = ask(&server, "nobody@example.com").await;
    let malformed = ask(&server, "not an e-mail").await;
    let known = ask(&server, "ada@example.com").await;
    assert_eq!(unknown, known);
    assert_eq!(malformed, known);
    ask(&server, "grace@example.com").await;
    let mails = smtp.wait_for(2).await;
    // Each e-mail is sent after its answer, so they may arrive in either order.
    let mut to: Vec<_> = mails.iter().map(|m| m.to.join(",")).collect();
    to.sort();
    assert_eq!(to, ["ada@example.com", "grace@example.com"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_relay_or_a_public_url_the_answer_points_to_the_administrator() {
    let smtp = SmtpReceiver::start().await;
    for server in [
        server_with(None, true).await,
        server_with(Some(&smtp), false).await,
    ] {
        let answer = ask(&server, "ada@example.com").await;
        assert_eq!(answer["byEmail"], false);
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .contains("dutyduck user set-password"),
            "{answer}"
        );
        let policy = server.anonymous().get_ok("/auth/signup-policy").await;
        assert_eq!(policy["passwordResetByEmail"], false);
    }
    assert!(
        smtp.mails().is_empty(),
        "no link without a public URL to point it at"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_requests_are_throttled_like_logins() {
    let smtp = SmtpReceiver::start().await;
    let server = server_with(Some(&smtp), true).await;
    for _ in 0..5 {
        ask(&server, "nobody@example.com").await;
    }
    let (status, _, body) = post_public(
        &server,
        "/auth/password-reset",
        json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // The login throttle is apart: Ada still signs in.
    server.session_cookie("ada@example.com").await;
}
