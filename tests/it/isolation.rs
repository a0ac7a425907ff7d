//! The cross-organization isolation matrix: every route of the route table with an id in its
//! path, called by organization B (its Owner, by session cookie and by API token) with the ids
//! of organization A's resources, answers 404 — never 200, 403 or 500, and never with A's data
//! in the body. Then A still reads each of them: the ids were real, and nothing B sent changed
//! them. A route the fixtures cannot fill fails the test by name (see `fixtures.rs`).

use crate::common::{TestServer, Token, at};
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};

mod fixtures;

use fixtures::{MARKER, PUBLIC};

enum Caller<'a> {
    Token(&'a Token),
    Cookie(&'a str),
}

/// One request as B; the status and the body's text.
async fn call(
    server: &TestServer,
    caller: &Caller<'_>,
    method: &Method,
    path: &str,
    body: serde_json::Value,
) -> (StatusCode, String) {
    let mut req = server.request(method.clone(), path);
    req = match caller {
        Caller::Token(t) => req
            .header("X-Api-Token-Id", &t.id)
            .header("X-Api-Token-Secret-Key", &t.secret),
        Caller::Cookie(c) => req.header("cookie", *c).header("origin", &server.base),
    };
    if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn organization_b_gets_404_for_every_id_of_organization_a() {
    let server = TestServer::start_with_clock(Clock::manual(at("2026-12-01T09:00:00Z"))).await;
    let ada = server.user_with_token("ada@example.com", "Alpha");
    let ada_session = server.session_cookie("ada@example.com").await;
    let fixture = fixtures::organization_a(&server, &ada, &ada_session).await;
    let bob = server.user_with_token("bob@example.com", "Beta");
    let bob_session = server.session_cookie("bob@example.com").await;
    let callers = [Caller::Token(&bob), Caller::Cookie(&bob_session)];

    let (mut unfilled, mut leaks, mut a_reads) = (vec![], vec![], vec![]);
    for route in dutyduck::routes::all() {
        if route.param_names().next().is_none() {
            continue;
        }
        if route.doc.public && PUBLIC.iter().any(|(p, _)| route.path.starts_with(p)) {
            continue;
        }
        let path = match fixture.fill(route.path) {
            Ok(path) => path,
            Err(upto) => {
                unfilled.push(format!(
                    "{} {}: nothing fills {upto}",
                    route.method, route.path
                ));
                continue;
            }
        };
        for caller in &callers {
            let sent = fixtures::body(route.method.as_str(), route.path);
            let (status, body) = call(&server, caller, &route.method, &path, sent).await;
            if status != StatusCode::NOT_FOUND || body.contains(MARKER) {
                leaks.push(format!("{} {path}: {status} {body}", route.method));
            }
        }
        // A public route by id reads with its secret (an invitation's token), which only the
        // invitee holds: A checks the list of those instead.
        if route.method == Method::GET && !route.doc.public {
            a_reads.push(path);
        }
    }
    // Guards against a table that silently fills nothing: today 21 readable routes have an id.
    assert!(
        a_reads.len() >= 21,
        "only {} readable routes checked",
        a_reads.len()
    );
    assert!(
        unfilled.is_empty(),
        "routes the isolation fixtures cannot fill (add a row to fixtures.rs, or to PUBLIC with why):\n{}",
        unfilled.join("\n")
    );
    assert!(
        leaks.is_empty(),
        "organization B reached A's resources:\n{}",
        leaks.join("\n")
    );

    for path in a_reads {
        let (status, body) = server.as_(&ada).get(&path).await;
        assert_eq!(status, StatusCode::OK, "A reads {path}: {body}");
    }
    let (status, _) = server.session(&ada_session).get("/users/me").await;
    assert_eq!(status, StatusCode::OK, "A's session was not ended by B");
}
