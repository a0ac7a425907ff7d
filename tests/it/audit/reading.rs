//! Reading the log: filters, pages newest first, the CSV export, who may read it, retention.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{entries, rename, start};
use crate::common::{TestServer, Token, code, eventually};

/// Five tasks made by Ada's token, one an hour, and one by Ben's (an Administrator).
async fn history(server: &TestServer, ada: &Token) -> Token {
    server.create_user("ben@example.com", "Acme", Some("Administrator"));
    let ben = server.create_token("ben@example.com", &[]);
    for i in 0..5 {
        server
            .as_(ada)
            .create("/tasks", json!({"id": format!("t{i}")}))
            .await;
        server.clock.advance(Duration::hours(1));
    }
    server
        .as_(&ben)
        .create("/tasks", json!({"id": "bens"}))
        .await;
    ben
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_and_pages_newest_first() {
    let (server, ada) = start().await;
    let ben = history(&server, &ada).await;
    let ids = |log: &[serde_json::Value]| -> Vec<String> {
        log.iter()
            .map(|e| e["resourceId"].as_str().unwrap().to_owned())
            .collect()
    };

    let all = entries(&server, &ada, "resourceType=task").await;
    assert_eq!(ids(&all), ["bens", "t4", "t3", "t2", "t1", "t0"]);
    // Pages of two: no repeat, no gap, the totals.
    let mut paged = Vec::new();
    for page in 1..=3 {
        let body = server
            .as_(&ada)
            .get_ok(&format!(
                "/audit-log?resourceType=task&itemsPerPage=2&pageNumber={page}"
            ))
            .await;
        assert_eq!(body["totalNumberOfFilteredResults"], 6);
        paged.extend(body["items"].as_array().unwrap().clone());
    }
    assert_eq!(ids(&paged), ids(&all));

    let ben_id = server.as_(&ben).get_ok("/users/me").await["user"]["id"].clone();
    let filtered = [
        (format!("userId={}", ben_id.as_str().unwrap()), vec!["bens"]),
        (
            format!("tokenId={}", ada.id),
            vec!["t4", "t3", "t2", "t1", "t0"],
        ),
        ("resourceId=t2".to_owned(), vec!["t2"]),
        (
            "action=create&resourceType=task&from=2026-11-20T11:00:00Z&to=2026-11-20T13:00:00Z"
                .to_owned(),
            vec!["t2", "t1"],
        ),
        ("action=delete".to_owned(), vec![]),
    ];
    for (query, expected) in filtered {
        assert_eq!(
            ids(&entries(&server, &ada, &query).await),
            expected,
            "{query}"
        );
    }
    let (status, body) = server.as_(&ada).get("/audit-log?from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = server.as_(&ada).get("/audit-log/export?format=xml").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_export_has_a_header_and_escaped_values() {
    let (server, ada) = start().await;
    server.create_user("cy@example.com", "Acme", Some("Administrator"));
    let cy = server.create_token("cy@example.com", &[]);
    history(&server, &ada).await;
    // A name with a comma, quotes and a formula, typed by a user, shown in every entry of theirs.
    rename(&server, "cy@example.com", "=Cy, \"the\"", "Admin").await;

    let resp = server
        .as_(&cy)
        .request(Method::GET, "/audit-log/export?format=csv")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit-log.csv")
    );
    let rows = parse_csv(&resp.text().await.unwrap());
    assert_eq!(rows[0][..4], ["id", "at", "actorKind", "userId"]);
    let listed = entries(&server, &cy, "").await;
    assert_eq!(rows.len() - 1, listed.len());
    for row in &rows {
        assert_eq!(row.len(), 12, "{row:?}");
    }
    let cys = rows.iter().find(|r| r[9] == "update").unwrap();
    assert_eq!(cys[4], "'=Cy, \"the\" Admin", "defused and whole");
    assert_eq!(cys[0], listed[0]["id"].to_string());
}

/// RFC 4180, enough for the test: quoted fields with doubled quotes, CRLF rows.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn only_administrators_and_owners_read_it() {
    let (server, ada) = start().await;
    for (role, status) in [
        ("Reporter", StatusCode::FORBIDDEN),
        ("Editor", StatusCode::FORBIDDEN),
        ("MemberManager", StatusCode::FORBIDDEN),
        ("Administrator", StatusCode::OK),
    ] {
        let email = format!("{}@example.com", role.to_lowercase());
        server.create_user(&email, "Acme", Some(role));
        let token = server.create_token(&email, &[]);
        for path in ["/audit-log", "/audit-log/export?format=json"] {
            assert_eq!(
                server.as_(&token).get(path).await.0,
                status,
                "{role} {path}"
            );
        }
    }
    // Another organization's log is not Ada's.
    let zed = server.user_with_token("zed@example.com", "Zenith");
    server
        .as_(&zed)
        .create("/tasks", json!({"id": "zeds"}))
        .await;
    assert!(entries(&server, &ada, "resourceId=zeds").await.is_empty());
    assert_eq!(entries(&server, &zed, "resourceId=zeds").await.len(), 1);
}

/// Entries older than `--audit-retention` go, at the server's next purge (one runs at start).
#[tokio::test(flavor = "multi_thread")]
async fn entries_past_the_retention_are_purged() {
    let (mut server, ada) = start().await;
    server.config.audit_retention = std::time::Duration::from_secs(30 * 86_400);
    server
        .as_(&ada)
        .create("/tasks", json!({"id": "old"}))
        .await;
    server.clock.advance(Duration::days(20));
    server
        .as_(&ada)
        .create("/tasks", json!({"id": "recent"}))
        .await;
    server.clock.advance(Duration::days(11));
    server.restart().await;
    eventually("the old entry purged", || async {
        let left = entries(&server, &ada, "resourceType=task").await;
        let ids: Vec<&str> = left
            .iter()
            .map(|e| e["resourceId"].as_str().unwrap())
            .collect();
        (ids == ["recent"]).then_some(())
    })
    .await;
}
