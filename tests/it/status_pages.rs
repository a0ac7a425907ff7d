//! Status pages end to end: the `/status-pages` API and its refusals, what visitors read at
//! `/status/<slug>` (HTML, JSON, Atom) with the right statuses and no monitor name or URL,
//! private pages behind membership or share links, announcements in order, maintenance, and
//! live updates over server-sent events.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::common::{TestServer, Token};

mod announcements_in_order;
mod crud_and_refusals;
mod live_updates;
mod maintenance_shows;
mod private_pages;
mod visitors_see_statuses_not_urls;

/// Creates a page; returns its JSON.
pub(crate) async fn page(server: &TestServer, token: &Token, body: Value) -> Value {
    server.as_(token).create("/status-pages", body).await
}

/// A visitor's GET: status, headers and body text.
pub(crate) async fn visit(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut request = server.request(reqwest::Method::GET, path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// A visitor's JSON of the page.
pub(crate) async fn public_json(server: &TestServer, slug: &str) -> Value {
    let (status, _, body) = visit(server, &format!("/status/{slug}.json"), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// One group named "Services" with these components (`[sourceType, sourceId, publicName]`).
pub(crate) fn services(components: &[(&str, &str, &str)]) -> Value {
    let components: Vec<Value> = components
        .iter()
        .map(|(kind, id, name)| json!({"sourceType": kind, "sourceId": id, "publicName": name}))
        .collect();
    json!([{"name": "Services", "components": components}])
}

/// Page "acme" showing one monitor (against a closed port) as "API"; returns the page's JSON.
pub(crate) async fn page_of_one_monitor(server: &TestServer, token: &Token) -> Value {
    let body = json!({"name": "api", "url": "http://127.0.0.1:9/x"});
    let api = crate::monitors::create(server, token, body).await;
    let groups = services(&[("monitor", &api, "API")]);
    page(
        server,
        token,
        json!({"slug": "acme", "title": "Acme", "groups": groups}),
    )
    .await
}
