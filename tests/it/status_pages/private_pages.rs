//! A private page: a 404 to anyone but members of its organization and holders of a share link
//! not revoked; the link's secret, given once in the query, rides in a cookie for the page's
//! JSON and feed; a revoked link, or another organization's member, gets the 404 again.

use reqwest::StatusCode;
use serde_json::json;

use super::{page, visit};
use crate::common::TestServer;

const PATHS: [&str; 3] = [
    "/status/internal",
    "/status/internal.json",
    "/status/internal/feed.atom",
];

#[tokio::test(flavor = "multi_thread")]
async fn a_private_page_opens_to_members_and_share_links_until_revoked() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.user_with_token("eve@example.com", "Evil");
    let created = page(
        &server,
        &ada,
        json!({"slug": "internal", "title": "Internal", "visibility": "private"}),
    )
    .await;
    let links = format!(
        "/status-pages/{}/share-links",
        created["id"].as_str().unwrap()
    );

    for path in PATHS {
        let (status, _, body) = visit(&server, path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(!body.contains("Internal"));
    }
    // Members, signed in.
    let member = server.session_cookie("ada@example.com").await;
    for path in PATHS {
        let (status, headers, _) = visit(&server, path, &[("cookie", &member)]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers["cache-control"], "private, no-store");
    }
    let outsider = server.session_cookie("eve@example.com").await;
    let (status, _, _) = visit(&server, "/status/internal", &[("cookie", &outsider)]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organization's member"
    );

    // A share link: its secret once, then the cookie it sets.
    let link = server
        .as_(&ada)
        .create(&links, json!({"label": "Customer Acme"}))
        .await;
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with("/status/internal?share="), "{url}");
    let (status, headers, html) = visit(&server, url, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Internal</h1>"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let set_cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        set_cookie.contains("Path=/status") && set_cookie.contains("HttpOnly"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    for path in PATHS {
        let (status, _, _) = visit(&server, path, &[("cookie", &cookie)]).await;
        assert_eq!(status, StatusCode::OK, "{path} with the share cookie");
    }
    let listed = server.as_(&ada).get_ok(&links).await;
    assert_eq!(listed["items"][0]["label"], "Customer Acme");
    assert!(listed["items"][0]["lastUsedAt"].is_string());
    assert!(
        listed["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let (status, _, _) = visit(&server, "/status/internal?share=00ff", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a wrong secret");

    // Revoked: neither the URL nor the cookie opens it any more.
    let revoke = format!("{links}/{}", link["id"].as_str().unwrap());
    assert_eq!(
        server.as_(&ada).delete(&revoke).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, _, _) = visit(&server, url, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for path in PATHS {
        let (status, _, _) = visit(&server, path, &[("cookie", &cookie)]).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{path} with a revoked link's cookie"
        );
    }
    let listed = server.as_(&ada).get_ok(&links).await;
    assert!(listed["items"][0]["revokedAt"].is_string());
    assert_eq!(
        server
            .as_(&ada)
            .delete(&format!("{links}/{}", created["id"].as_str().unwrap()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = server.as_(&ada).post(&links, json!({"label": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Made public, it opens to anyone.
    let path = format!("/status-pages/{}", created["id"].as_str().unwrap());
    server
        .as_(&ada)
        .patch(&path, json!({"visibility": "public"}))
        .await;
    let (status, _, _) = visit(&server, "/status/internal", &[]).await;
    assert_eq!(status, StatusCode::OK);
}
