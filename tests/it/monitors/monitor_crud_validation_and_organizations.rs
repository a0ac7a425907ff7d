//! Monitors through the API, one step per test: validation, roles and organizations, the
//! original clients' path, edits and search, pages, then toggle, archive and delete.

use reqwest::StatusCode;
use serde_json::json;

use super::create;
use crate::common::{TestServer, Token, code};

/// A server and Ada's token (Owner of Acme).
async fn start() -> (TestServer, Token) {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    (server, token)
}

/// The monitor these steps work on: paused, with metadata and a credential in a header.
async fn home(server: &TestServer, token: &Token) -> String {
    create(
        server,
        token,
        json!({"url": "https://example.com/health", "metadata": {"env": "prod"}, "isActive": false,
               "requestHeaders": {"Authorization": "Bearer s3cret"}}),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn each_invalid_field_is_a_422_whose_message_names_it() {
    let (server, token) = start().await;
    for (body, field) in [
        (json!({}), "url"),
        (json!({"url": "ftp://x"}), "url"),
        (
            json!({"url": "http://x", "intervalSeconds": 1}),
            "intervalSeconds",
        ),
        (
            json!({"url": "http://x", "requestTimeoutMs": 120000}),
            "requestTimeoutMs",
        ),
        (
            json!({"url": "http://x", "acceptedStatusCodes": "200-"}),
            "acceptedStatusCodes",
        ),
        (
            json!({"url": "http://x", "assertion": {"kind": "jsonPointer", "pointer": "a", "value": 1}}),
            "assertion",
        ),
        (
            json!({"url": "http://x", "intervalSeconds": "60"}),
            "intervalSeconds",
        ),
    ] {
        let (status, reply) = server.as_(&token).post("/monitors", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{body}: {reply}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reporter_cannot_create_and_sees_credentials_hidden() {
    let (server, token) = start().await;
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let reporter = server.create_token("rita@example.com", &[]);
    let id = home(&server, &token).await;

    let (status, _) = server
        .as_(&reporter)
        .post("/monitors", json!({"url": "http://x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, seen) = server.as_(&reporter).get(&format!("/monitors/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        seen["monitor"]["requestHeaders"],
        json!({"Authorization": "(hidden)"}),
        "credentials stay with editors"
    );
    let (_, own) = server.as_(&token).get(&format!("/monitors/{id}")).await;
    assert_eq!(
        own["monitor"]["requestHeaders"],
        json!({"Authorization": "Bearer s3cret"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organization_gets_404() {
    let (server, token) = start().await;
    let other = server.user_with_token("bob@example.com", "Other");
    let id = home(&server, &token).await;

    let (status, body) = server.as_(&other).get(&format!("/monitors/{id}")).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_clients_path_answers_the_same_way() {
    let (server, token) = start().await;
    let id = home(&server, &token).await;

    let (status, via_original) = server
        .as_(&token)
        .get(&format!("/http-monitors/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(via_original["monitor"]["id"], id.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_monitor_is_found_by_name_and_metadata() {
    let (server, token) = start().await;
    let id = home(&server, &token).await;

    let (_, patched) = server
        .as_(&token)
        .patch(&format!("/monitors/{id}"), json!({"name": "Home page"}))
        .await;
    assert_eq!(
        (patched["name"].as_str(), patched["status"].as_str()),
        (Some("Home page"), Some("inactive"))
    );
    let (_, list) = server.as_(&token).get("/monitors?query=home&metadataFilter=%7B%22items%22%3A%7B%22env%22%3A%5B%22prod%22%5D%7D%7D").await;
    assert_eq!(list["totalNumberOfFilteredResults"], 1, "{list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_come_in_pages_and_a_bad_page_number_is_400() {
    let (server, token) = start().await;
    home(&server, &token).await;
    for n in 0..11 {
        let body = json!({"url": format!("https://example.com/{n}"), "name": format!("item {n:02}"), "isActive": false});
        create(&server, &token, body).await;
    }

    let (status, page2) = server
        .as_(&token)
        .get("/monitors?pageNumber=2&itemsPerPage=5&query=item")
        .await;
    assert_eq!(status, StatusCode::OK, "{page2}");
    let names: Vec<&str> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["item 05", "item 06", "item 07", "item 08", "item 09"]
    );
    assert_eq!(page2["totalNumberOfFilteredResults"], 11);
    let (status, _) = server
        .as_(&token)
        .get("/incidents?pageNumber=2&itemsPerPage=5")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, bad) = server.as_(&token).get("/monitors?pageNumber=two").await;
    assert_eq!(
        (status, code(&bad)),
        (StatusCode::BAD_REQUEST, "invalid_query")
    );
    // Paused monitors are neither up nor down.
    let (_, list) = server
        .as_(&token)
        .get("/monitors?include=up&include=down")
        .await;
    assert_eq!(list["totalNumberOfFilteredResults"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn toggle_resumes_archive_freezes_and_delete_removes_a_monitor() {
    let (server, token) = start().await;
    let id = home(&server, &token).await;

    let (_, toggled) = server
        .as_(&token)
        .post_empty(&format!("/monitors/{id}/toggle"))
        .await;
    assert_eq!(toggled["status"], "unknown");
    assert!(toggled["nextCheckAt"].is_string());
    let (_, archived) = server
        .as_(&token)
        .post_empty(&format!("/monitors/{id}/archive"))
        .await;
    assert_eq!(archived["status"], "archived");
    assert!(archived["nextCheckAt"].is_null());
    let (status, _) = server
        .as_(&token)
        .patch(&format!("/monitors/{id}"), json!({"name": "x"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = server.as_(&token).delete(&format!("/monitors/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.as_(&token).get(&format!("/monitors/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
