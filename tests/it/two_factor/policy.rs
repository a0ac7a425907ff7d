//! An Owner requires two-factor sign-in: members without it can only enrol; tokens unaffected.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{dashboard, enrol, server};
use crate::common::code;

#[tokio::test(flavor = "multi_thread")]
async fn a_required_policy_lets_members_only_enrol() {
    let server = server().await;
    server.create_user("owner@example.com", "Acme", None);
    server.create_user("rita@example.com", "Acme", Some("Administrator"));
    let token = server.create_token("rita@example.com", &[]);
    let owner = server.session_cookie("owner@example.com").await;
    let rita = server.session_cookie("rita@example.com").await;
    let org = server.session(&owner).get_ok("/users/me").await["active_organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/organizations/{org}/two-factor-policy");

    // Only the Owner sets it; members read it; another organization's id is a 404.
    let (status, _) = dashboard(
        &server,
        &rita,
        Method::PUT,
        &path,
        Some(json!({"required": true})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = "/organizations/00000000-0000-4000-8000-000000000000/two-factor-policy";
    assert_eq!(
        server.session(&rita).get(other).await.0,
        StatusCode::NOT_FOUND
    );
    // The Owner turns 2FA on first: requiring it without would lock the Owner out at once.
    let (status, body) = dashboard(
        &server,
        &owner,
        Method::PUT,
        &path,
        Some(json!({"required": true})),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "two_factor_disabled")
    );
    enrol(&server, &owner).await;
    let (status, body) = dashboard(
        &server,
        &owner,
        Method::PUT,
        &path,
        Some(json!({"required": true})),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, json!({"required": true})));

    // Rita's session (already open, or new) can only enrol.
    let (status, body) = server.session(&rita).get("/monitors").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "two_factor_enrolment_required")
    );
    let fresh = server.session_cookie("rita@example.com").await;
    assert_eq!(
        server.session(&fresh).get("/users/me").await.0,
        StatusCode::FORBIDDEN
    );
    let status_body = server.session(&fresh).get_ok("/users/me/two-factor").await;
    assert_eq!(status_body["requiredByOrganization"], true);
    assert_eq!(
        server.session(&fresh).get_ok("/auth/session").await["profile"]["user"]["email"],
        "rita@example.com"
    );
    // Her API token is its own credential: unaffected.
    assert_eq!(server.as_(&token).get("/monitors").await.0, StatusCode::OK);
    enrol(&server, &fresh).await;
    assert_eq!(
        server.session(&fresh).get("/monitors").await.0,
        StatusCode::OK
    );

    let (status, _) = dashboard(
        &server,
        &owner,
        Method::PUT,
        &path,
        Some(json!({"required": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.session(&rita).get_ok(&path).await,
        json!({"required": false})
    );
}
