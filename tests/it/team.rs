//! Teams end to end: invitations accepted by new and existing users, what the role given allows
//! on the very next request, and (submodules) invitation lifecycles, the role rules, several
//! organizations and the invitation e-mail.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestServer, Token, code};

mod email;
mod invitations;
mod organizations;
mod rules;

/// Calls as the dashboard does: the session cookie and our own Origin (cookie writes need it).
/// Returns the status, the JSON body and the session cookie set, if any.
pub(crate) async fn browser(
    server: &TestServer,
    cookie: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>) {
    let mut req = server.request(method, path).header("origin", &server.base);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let set = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let body = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null);
    (status, body, set)
}

/// The current organization's id of the holder of `token`.
pub(crate) async fn org_of(server: &TestServer, token: &Token) -> String {
    let me = server.as_(token).get_ok("/users/me").await;
    me["active_organization"]["id"].as_str().unwrap().to_owned()
}

/// Invites `email` as `role` into `org` as the holder of `token`; returns the 201 body.
pub(crate) async fn invite(
    server: &TestServer,
    token: &Token,
    org: &str,
    email: &str,
    role: &str,
) -> Value {
    server
        .as_(token)
        .create(
            &format!("/organizations/{org}/members/invite"),
            json!({"email": email, "role": role}),
        )
        .await
}

/// The API path of an invitation link's (`…/dashboard/invitation?organizationId=…`) and its
/// secret.
pub(crate) fn from_link(link: &str) -> (String, String) {
    let query = link.split_once('?').unwrap().1;
    let value = |key: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
            .unwrap()
            .to_owned()
    };
    (
        format!(
            "/organizations/{}/invitations/{}",
            value("organizationId"),
            value("invitationId")
        ),
        value("token"),
    )
}

pub(crate) fn new_user() -> Value {
    json!({"firstName": "Bob", "lastName": "Martin", "password": PASSWORD})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_user_accepts_and_gets_exactly_the_invited_role() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let org = org_of(&server, &ada).await;
    let monitor = crate::monitors::create(
        &server,
        &ada,
        json!({"name": "Shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60}),
    )
    .await;

    let invited = invite(&server, &ada, &org, "bob@example.com", "Reporter").await;
    assert_eq!(invited["emailSent"], false, "{invited}");
    assert!(
        invited["emailError"]
            .as_str()
            .unwrap()
            .contains("--smtp-url")
    );
    assert_eq!(invited["invitation"]["roles"], json!(["Reporter"]));
    let link = invited["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/dashboard/invitation?", server.base)),
        "{link}"
    );
    let (path, secret) = from_link(link);

    // The link's holder sees what is offered; the id alone, or a wrong secret, shows nothing.
    let shown = server
        .anonymous()
        .get_ok(&format!("{path}?token={secret}"))
        .await;
    assert_eq!(shown["organization"]["displayName"], "Acme");
    assert_eq!(shown["inviter"]["email"], "ada@example.com");
    assert_eq!(shown["inviteeHasAccount"], false);
    for wrong in [String::new(), "00".repeat(32), "zz".into()] {
        let (status, _) = server
            .anonymous()
            .get(&format!("{path}?token={wrong}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "token {wrong:?}");
    }

    // Accepting without details is refused (no account has this e-mail), a weak password too.
    let accept = format!("{path}/accept");
    let (status, body, _) = browser(
        &server,
        None,
        Method::POST,
        &accept,
        Some(json!({"token": secret, "userDetails": null})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let weak = json!({"token": secret, "userDetails": {"firstName": "Bob", "lastName": "Martin", "password": "bob"}});
    let (status, _, _) = browser(&server, None, Method::POST, &accept, Some(weak)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, profile, cookie) = accept_new(&server, &path, &secret).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["organization_roles"], json!(["Reporter"]));
    let bob = cookie.expect("a session cookie for the new user");

    // Bob reads Acme's monitors, and cannot do what a Reporter may not.
    let listed = server.session(&bob).items("/monitors").await;
    assert_eq!(listed[0]["id"], monitor.as_str());
    let (status, _, _) = browser(
        &server,
        Some(&bob),
        Method::POST,
        "/monitors",
        Some(json!({"name": "Mine", "url": "http://127.0.0.1:9/"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The link is used up; Bob can also sign in with his password.
    let (status, body, _) = accept_new(&server, &path, &secret).await;
    assert_eq!((status, code(&body)), (StatusCode::GONE, "invitation_used"));
    server.session_cookie("bob@example.com").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_user_accepts_signed_in_as_the_invited_address_only() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("carol@example.com", "Beta", None);
    server.create_user("dave@example.com", "Gamma", None);
    let org = org_of(&server, &ada).await;
    let invited = invite(&server, &ada, &org, "Carol@Example.com", "Editor").await;
    let (path, secret) = from_link(invited["link"].as_str().unwrap());
    let shown = server
        .anonymous()
        .get_ok(&format!("{path}?token={secret}"))
        .await;
    assert_eq!(shown["inviteeHasAccount"], true);

    let accept = format!("{path}/accept");
    let body = json!({"token": secret, "userDetails": null});
    let (status, answer, _) =
        browser(&server, None, Method::POST, &accept, Some(body.clone())).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::UNAUTHORIZED, "sign_in_required")
    );
    let (status, answer, _) = accept_new(&server, &path, &secret).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::CONFLICT, "user_exists")
    );
    let dave = server.session_cookie("dave@example.com").await;
    let (status, _, _) = browser(
        &server,
        Some(&dave),
        Method::POST,
        &accept,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Carol, signed in, joins as Editor and her session lands in Acme; Beta stays hers.
    let carol = server.session_cookie("carol@example.com").await;
    let (status, profile, _) =
        browser(&server, Some(&carol), Method::POST, &accept, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["active_organization"]["displayName"], "Acme");
    assert_eq!(profile["organization_roles"], json!(["Editor"]));
    let me = server.session(&carol).get_ok("/users/me").await;
    assert_eq!(me["active_organization"]["id"], org.as_str());
    let mine = server.session(&carol).get_ok("/organizations").await;
    let names: Vec<&str> = mine["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Beta", "Acme"]);
}

/// What the invitation at `path` answers its link's holder: the status and the error code.
pub(crate) async fn link_state(
    server: &TestServer,
    path: &str,
    secret: &str,
) -> (StatusCode, String) {
    let (status, body) = server
        .anonymous()
        .get(&format!("{path}?token={secret}"))
        .await;
    (status, code(&body).to_owned())
}

/// Accepts the invitation at `path` as a new user, Bob Martin.
pub(crate) async fn accept_new(
    server: &TestServer,
    path: &str,
    secret: &str,
) -> (StatusCode, Value, Option<String>) {
    let body = json!({"token": secret, "userDetails": new_user()});
    browser(
        server,
        None,
        Method::POST,
        &format!("{path}/accept"),
        Some(body),
    )
    .await
}
