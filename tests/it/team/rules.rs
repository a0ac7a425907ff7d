//! The role rules over HTTP: the last Owner stays, only Owners make Owners, a set of roles
//! reduces to one, a role change or a removal applies to the member's very next request.

use reqwest::StatusCode;
use serde_json::json;

use super::org_of;
use crate::common::{TestServer, code};

async fn user_id(server: &TestServer, token: &crate::common::Token) -> String {
    let me = server.as_(token).get_ok("/users/me").await;
    me["user"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_owner_stays_and_only_owners_make_owners() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("alan@example.com", "Acme", Some("Administrator"));
    let alan = server.create_token("alan@example.com", &[]);
    let org = org_of(&server, &ada).await;
    let (ada_id, alan_id) = (user_id(&server, &ada).await, user_id(&server, &alan).await);
    let member = |id: &str| format!("/organizations/{org}/members/{id}");
    let roles = |id: &str| format!("/organizations/{org}/members/{id}/roles");

    // Ada is the only Owner: she cannot leave, be demoted or removed.
    let (status, body) = server
        .as_(&ada)
        .put(&roles(&ada_id), json!({"roles": ["Administrator"]}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "last_owner"),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at least one Owner")
    );
    let (status, body) = server.as_(&ada).delete(&member(&ada_id)).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "last_owner"));
    // An Administrator can neither make himself Owner nor touch the Owner.
    let (status, _) = server
        .as_(&alan)
        .put(&roles(&alan_id), json!({"roles": ["Owner"]}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server.as_(&alan).delete(&member(&ada_id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Ada makes Alan Owner (a set reduced by containment); then she may step down.
    let (status, body) = server
        .as_(&ada)
        .put(
            &roles(&alan_id),
            json!({"roles": ["Editor", "Owner", "Reporter"]}),
        )
        .await;
    assert_eq!(
        (status, &body["organizationRoles"]),
        (StatusCode::OK, &json!(["Owner"]))
    );
    let (status, body) = server
        .as_(&ada)
        .put(
            &roles(&ada_id),
            json!({"roles": ["Editor", "MemberManager"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Administrator covers"),
        "{body}"
    );
    let (status, _) = server
        .as_(&ada)
        .put(&roles(&ada_id), json!({"roles": ["Administrator"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let me = server.as_(&ada).get_ok("/users/me").await;
    assert_eq!(me["organization_roles"], json!(["Administrator"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_role_change_and_a_removal_apply_to_the_next_request() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("ed@example.com", "Acme", Some("Editor"));
    let ed = server.create_token("ed@example.com", &[]);
    let org = org_of(&server, &ada).await;
    let ed_id = user_id(&server, &ed).await;
    let monitor = json!({"name": "Shop", "url": "http://127.0.0.1:9/", "intervalSeconds": 60});

    server.as_(&ed).create("/monitors", monitor.clone()).await;
    let path = format!("/organizations/{org}/members/{ed_id}/roles");
    let (status, _) = server
        .as_(&ada)
        .put(&path, json!({"roles": ["Reporter"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.as_(&ed).post("/monitors", monitor).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(server.as_(&ed).items("/monitors").await.len(), 1);

    // The list: members with their roles and when they joined; a Reporter may not read it.
    let list = server
        .as_(&ada)
        .get_ok(&format!(
            "/organizations/{org}/members?pageNumber=1&itemsPerPage=1"
        ))
        .await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["members"].as_array().unwrap().len(), 1);
    let first = &list["members"][0];
    assert_eq!(
        (&first["email"], &first["organizationRoles"]),
        (&json!("ada@example.com"), &json!(["Owner"]))
    );
    assert!(first["joinedAt"].is_string());
    let (status, _) = server
        .as_(&ed)
        .get(&format!("/organizations/{org}/members"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Removed: his token stops at once (and is deleted, so a new invitation revives nothing).
    let (status, _) = server
        .as_(&ada)
        .delete(&format!("/organizations/{org}/members/{ed_id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.as_(&ed).get("/monitors").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_leaves_but_not_their_only_organization() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("ed@example.com", "Acme", Some("Editor"));
    let org = org_of(&server, &ada).await;
    let ed = server.session_cookie("ed@example.com").await;
    let me = server.session(&ed).get_ok("/users/me").await;
    let ed_id = me["user"]["id"].as_str().unwrap().to_owned();
    let leave = format!("/organizations/{org}/members/{ed_id}");
    // A token narrowed by scopes acts for its user on monitors, not on their memberships.
    let scoped = server.create_token("ed@example.com", &["--scope", "readHttpMonitors"]);
    assert_eq!(
        server.as_(&scoped).delete(&leave).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body, _) =
        super::browser(&server, Some(&ed), reqwest::Method::DELETE, &leave, None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "last_organization")
    );

    // With a second organization of his own, Ed leaves Acme and his session moves there.
    let (status, _, _) = super::browser(
        &server,
        Some(&ed),
        reqwest::Method::POST,
        "/organizations",
        Some(json!({"displayName": "Ed's lab"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) =
        super::browser(&server, Some(&ed), reqwest::Method::DELETE, &leave, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let me = server.session(&ed).get_ok("/users/me").await;
    assert_eq!(me["active_organization"]["displayName"], "Ed's lab");
    assert_eq!(me["organization_roles"], json!(["Owner"]));
}
