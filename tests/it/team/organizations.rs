//! Several organizations: creating one, switching the session between them (each shows its own
//! data only; a token stays bound to its own), renaming, and deleting with everything in it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{browser, org_of};
use crate::common::{TestServer, code};

/// The session (`cookie`) moves to the organization `id`: the status and the profile.
async fn switch_to(server: &TestServer, cookie: &str, id: &str) -> (StatusCode, Value) {
    let body = json!({"organizationId": id});
    let (status, profile, _) = browser(
        server,
        Some(cookie),
        Method::PUT,
        "/auth/session/organization",
        Some(body),
    )
    .await;
    (status, profile)
}

fn names(list: &Value) -> Vec<(String, String, bool)> {
    list["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["displayName"].as_str().unwrap().to_owned(),
                o["role"].as_str().unwrap().to_owned(),
                o["current"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_in_two_organizations_switches_and_sees_each_ones_data_only() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let acme = org_of(&server, &ada).await;
    crate::monitors::create(
        &server,
        &ada,
        json!({"name": "Acme shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60}),
    )
    .await;
    let cookie = server.session_cookie("ada@example.com").await;

    let (status, beta, _) = browser(
        &server,
        Some(&cookie),
        Method::POST,
        "/organizations",
        Some(json!({"displayName": "Acme"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{beta}");
    // The same display name is allowed; the short name gets a suffix.
    assert_eq!(beta["name"], "acme-2");
    let beta_id = beta["id"].as_str().unwrap().to_owned();
    let listed = server.session(&cookie).get_ok("/organizations").await;
    assert_eq!(
        names(&listed),
        [
            ("Acme".into(), "Owner".into(), true),
            ("Acme".into(), "Owner".into(), false),
        ]
    );

    let switch = |id: &str| json!({"organizationId": id});
    let (status, profile) = switch_to(&server, &cookie, &beta_id).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["active_organization"]["id"], beta_id.as_str());
    assert!(server.session(&cookie).items("/monitors").await.is_empty());
    let (status, _, _) = browser(
        &server,
        Some(&cookie),
        Method::POST,
        "/monitors",
        Some(json!({"name": "Beta shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // The token stays in Acme, and cannot switch; an organization I am not in is a 404.
    let as_token = server.as_(&ada).get_ok("/organizations").await;
    assert_eq!(names(&as_token), [("Acme".into(), "Owner".into(), true)]);
    let acme_monitors = server.as_(&ada).items("/monitors").await;
    assert_eq!(acme_monitors.len(), 1);
    assert_eq!(acme_monitors[0]["name"], "Acme shop");
    let (status, body) = server
        .as_(&ada)
        .put("/auth/session/organization", switch(&beta_id))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "session_only")
    );
    server.create_user("zed@example.com", "Zeta", None);
    let zed = server.create_token("zed@example.com", &[]);
    let zeta = org_of(&server, &zed).await;
    let (status, _) = switch_to(&server, &cookie, &zeta).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = switch_to(&server, &cookie, &acme).await;
    assert_eq!(status, StatusCode::OK);
    let back = server.session(&cookie).items("/monitors").await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["name"], "Acme shop");
}

#[tokio::test(flavor = "multi_thread")]
async fn renaming_and_deleting_an_organization() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("alan@example.com", "Acme", Some("Administrator"));
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let (alan, rita) = (
        server.create_token("alan@example.com", &[]),
        server.create_token("rita@example.com", &[]),
    );
    let acme = org_of(&server, &ada).await;
    let path = format!("/organizations/{acme}");
    let rename = json!({"displayName": "Acme Inc."});
    assert_eq!(
        server.as_(&rita).patch(&path, rename.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, renamed) = server.as_(&alan).patch(&path, rename).await;
    assert_eq!(
        (status, &renamed["displayName"]),
        (StatusCode::OK, &json!("Acme Inc."))
    );
    let (status, _) = server
        .as_(&alan)
        .patch(&path, json!({"displayName": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Deleting: Owners only, with the name typed; not one's only organization.
    let cookie = server.session_cookie("ada@example.com").await;
    let (status, _, _) = browser(
        &server,
        Some(&cookie),
        Method::DELETE,
        &format!("{path}?confirm=Acme%20Inc."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, other, _) = browser(
        &server,
        Some(&cookie),
        Method::POST,
        "/organizations",
        Some(json!({"displayName": "Spare"})),
    )
    .await;
    crate::monitors::create(
        &server,
        &ada,
        json!({"name": "Shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60}),
    )
    .await;
    assert_eq!(
        server
            .as_(&alan)
            .delete(&format!("{path}?confirm=acme"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, body, _) = browser(
        &server,
        Some(&cookie),
        Method::DELETE,
        &format!("{path}?confirm=Acme"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, _) = browser(
        &server,
        Some(&cookie),
        Method::DELETE,
        &format!("{path}?confirm=Acme%20Inc."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Gone with everything in it: its members' tokens, its monitors; Ada's session moved on.
    assert_eq!(
        server.as_(&alan).get("/monitors").await.0,
        StatusCode::UNAUTHORIZED
    );
    let me = server.session(&cookie).get_ok("/users/me").await;
    assert_eq!(me["active_organization"]["id"], other["id"]);
    assert!(server.session(&cookie).items("/monitors").await.is_empty());
}
