//! `serve --signup`: `open` takes sign-ups (a new account owning a new organization), `invite`
//! and `closed` refuse them with `signup_closed`; `/auth/signup-policy` tells the dashboard.

use super::post_public;
use crate::common::{PASSWORD, TestServer, code};
use dutyduck::accounts::signup::SignupPolicy;
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn server_with(policy: SignupPolicy) -> TestServer {
    TestServer::start_configured(Clock::system(), |config| config.signup = policy).await
}

fn grace(email: &str, org: &str) -> Value {
    json!({
        "organizationName": org,
        "firstName": "Grace",
        "lastName": "Hopper",
        "email": email,
        "password": PASSWORD,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn only_an_open_server_takes_sign_ups() {
    for (policy, word) in [
        (SignupPolicy::Invite, "invite"),
        (SignupPolicy::Closed, "closed"),
    ] {
        let server = server_with(policy).await;
        server.create_user("ada@example.com", "Acme", None);
        let told = server.anonymous().get_ok("/auth/signup-policy").await;
        assert_eq!(told["signup"], word);
        assert_eq!(told["passwordResetByEmail"], false, "no relay configured");
        let (status, cookie, body) =
            post_public(&server, "/users/signup", grace("grace@example.com", "Navy")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{word}: {body}");
        assert_eq!(code(&body), "signup_closed");
        assert!(cookie.is_none());
        let users = server.cli(&["user", "list", "--json"]);
        assert!(!String::from_utf8_lossy(&users.stdout).contains("grace@example.com"));
    }
    // The default is invite.
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    assert_eq!(
        server.anonymous().get_ok("/auth/signup-policy").await["signup"],
        "invite"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_sign_up_creates_an_owner_of_a_new_organization_and_logs_them_in() {
    let server = server_with(SignupPolicy::Open).await;
    server.create_user("ada@example.com", "Acme", None);
    assert_eq!(
        server.anonymous().get_ok("/auth/signup-policy").await["signup"],
        "open"
    );

    let (status, cookie, body) =
        post_public(&server, "/users/signup", grace("grace@example.com", "Navy")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = cookie.expect("a session cookie");
    let me = server.session(&cookie).get_ok("/users/me").await;
    assert_eq!(me["user"]["email"], "grace@example.com");
    assert_eq!(me["active_organization"]["displayName"], "Navy");
    assert_eq!(me["organization_roles"], json!(["Owner"]));
    // Her organization is her own: Acme's monitors are not hers to see.
    let ada = server.create_token("ada@example.com", &[]);
    server
        .as_(&ada)
        .create(
            "/monitors",
            json!({"name": "Acme site", "url": "https://acme.example"}),
        )
        .await;
    let (status, monitors) = server.session(&cookie).get("/monitors").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(monitors["items"], json!([]), "{monitors}");

    // An e-mail already taken, or an existing organization's name: 409, nothing created.
    let (status, _, body) = post_public(
        &server,
        "/users/signup",
        grace("GRACE@example.com", "Other"),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "email_taken"));
    // An existing organization's name makes a new organization of that name (short name
    // suffixed): never joined, and never refused, which would tell who else uses the server.
    let (status, _, body) =
        post_public(&server, "/users/signup", grace("alan@example.com", "acme")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["organization_roles"], json!(["Owner"]));
    assert_ne!(body["active_organization"]["name"], "acme", "{body}");

    // The password rules of every account.
    let mut weak = grace("weak@example.com", "Weak");
    weak["password"] = json!("grace hopper");
    let (status, _, body) = post_public(&server, "/users/signup", weak).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, body) = post_public(&server, "/users/signup", json!({"email": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[test]
fn an_unknown_signup_policy_is_refused_with_the_three_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let out = crate::common::cli(tmp.path(), &["serve", "--signup", "everyone"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("[possible values: closed, invite, open]"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_ups_are_throttled_per_address() {
    // A manual clock: the wait after the free attempts cannot pass while the test runs.
    let clock = Clock::manual(crate::common::at("2026-12-01T09:00:00Z"));
    let server =
        TestServer::start_configured(clock, |config| config.signup = SignupPolicy::Open).await;
    // Five attempts for one e-mail from one address are free (here refused: a weak password).
    for _ in 0..5 {
        let mut weak = grace("grace@example.com", "Navy");
        weak["password"] = json!("short");
        let (status, _, _) = post_public(&server, "/users/signup", weak).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _, body) =
        post_public(&server, "/users/signup", grace("grace@example.com", "Navy")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}
