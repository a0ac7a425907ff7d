//! `/users/me/sessions`: a user sees where they are signed in and ends sessions; an ended
//! session's cookie is refused at once.

use super::{cookie_send, login_as};
use crate::common::{PASSWORD, TestServer, at, code};
use chrono::Duration;
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

async fn sessions(server: &TestServer, cookie: &str) -> Vec<Value> {
    server.session(cookie).items("/users/me/sessions").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_lists_their_sessions_and_ends_one_or_all_others() {
    let server = TestServer::start_with_clock(Clock::manual(at("2026-12-01T09:00:00Z"))).await;
    server.create_user("ada@example.com", "Acme", None);
    server.create_user("grace@example.com", "Acme", None);
    let laptop = login_as(&server, "ada@example.com", PASSWORD, FIREFOX).await;
    server.clock.advance(Duration::minutes(1));
    let phone = login_as(&server, "ada@example.com", PASSWORD, SAFARI).await;
    let grace = login_as(&server, "grace@example.com", PASSWORD, FIREFOX).await;

    let listed = sessions(&server, &laptop).await;
    assert_eq!(listed.len(), 2, "Ada's sessions only: {listed:?}");
    let (newest, oldest) = (&listed[0], &listed[1]);
    assert_eq!(newest["browser"], "Safari on iOS");
    assert_eq!(newest["current"], false);
    assert_eq!(oldest["browser"], "Firefox on Linux");
    assert_eq!(oldest["current"], true);
    assert_eq!(oldest["address"], "127.0.0.1");
    assert_eq!(oldest["createdAt"], "2026-12-01T09:00:00Z");
    let phone_id = newest["id"].as_str().unwrap().to_owned();
    assert!(!listed.iter().any(|s| s.to_string().contains(&laptop[11..])));

    // "Last seen" is written at most every ten minutes.
    server.clock.advance(Duration::minutes(5));
    assert_eq!(
        sessions(&server, &laptop).await[1]["lastSeenAt"],
        "2026-12-01T09:00:00Z"
    );
    server.clock.advance(Duration::minutes(6));
    let listed = sessions(&server, &laptop).await;
    assert_eq!(listed[0]["lastSeenAt"], "2026-12-01T09:12:00Z");
    assert_eq!(listed[0]["current"], true);

    // Another user's session is not Ada's to end, nor to see.
    let grace_id = sessions(&server, &grace).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = cookie_send(
        &server,
        &laptop,
        Method::DELETE,
        &format!("/users/me/sessions/{grace_id}"),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, _) =
        cookie_send(&server, &laptop, Method::DELETE, "/users/me/sessions/nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a malformed id");

    // Ending the phone's session: its cookie is refused at the next request.
    let path = format!("/users/me/sessions/{phone_id}");
    let (status, _) = cookie_send(&server, &laptop, Method::DELETE, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server.session(&phone).get("/users/me").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "session_expired")
    );
    let (status, _) = cookie_send(&server, &laptop, Method::DELETE, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already ended");

    // All but this one.
    let tablet = login_as(&server, "ada@example.com", PASSWORD, SAFARI).await;
    let other = login_as(&server, "ada@example.com", PASSWORD, FIREFOX).await;
    let (status, body) = cookie_send(&server, &laptop, Method::DELETE, "/users/me/sessions").await;
    assert_eq!((status, body["ended"].as_u64()), (StatusCode::OK, Some(2)));
    for ended in [&tablet, &other] {
        assert_eq!(
            server.session(ended).get("/users/me").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(sessions(&server, &laptop).await.len(), 1);
    assert_eq!(
        server.session(&grace).get("/users/me").await.0,
        StatusCode::OK
    );

    // Ending one's own session is a logout.
    let me = sessions(&server, &laptop).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = cookie_send(
        &server,
        &laptop,
        Method::DELETE,
        &format!("/users/me/sessions/{me}"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.session(&laptop).get("/users/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_see_the_sessions_but_a_scoped_token_cannot_manage_them() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let cookie = login_as(&server, "ada@example.com", PASSWORD, FIREFOX).await;
    let listed = server.as_(&token).items("/users/me/sessions").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["current"], false, "a token is no session");

    let scoped = server.create_token("ada@example.com", &["--scope", "readHttpMonitors"]);
    let (status, _) = server.as_(&scoped).get("/users/me/sessions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Without the dashboard's origin, a cookie cannot end sessions (a foreign page's request).
    let (status, _) = server.session(&cookie).delete("/users/me/sessions").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = server.as_(&token).delete("/users/me/sessions").await;
    assert_eq!((status, body["ended"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(
        server.session(&cookie).get("/users/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_opened_before_the_upgrade_get_ids_and_keep_working() {
    // The previous release's database, with two sessions of its admin added as it stored them.
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let db = data_dir.join("dutyduck.db");
    std::fs::copy("tests/fixtures/release-v8.sqlite", &db).unwrap();
    let created = at("2026-12-04T17:00:00Z");
    let mut cookies = vec![];
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        for _ in 0..2 {
            let (cookie, digest) = dutyduck::accounts::sessions::new_secret();
            conn.execute(
                "INSERT INTO sessions (digest, user_id, organization_id, created_at, expires_at)
                 SELECT ?1, m.user_id, m.organization_id, ?2, ?3
                 FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE u.email = 'admin@example.com'",
                rusqlite::params![
                    digest,
                    created.timestamp_millis(),
                    (created + Duration::days(14)).timestamp_millis()
                ],
            )
            .unwrap();
            cookies.push(format!("dd_session={cookie}"));
        }
    }
    let clock = Clock::manual(at("2026-12-04T17:19:50Z"));
    let server = TestServer::start_in(data_dir, clock).await;

    let listed = sessions(&server, &cookies[0]).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_ne!(listed[0]["id"], listed[1]["id"]);
    for session in &listed {
        let id = session["id"].as_str().unwrap();
        assert!(id.parse::<uuid::Uuid>().is_ok(), "{id}");
        // Seen at its creation, until this very request (more than ten minutes later).
        let seen = match session["current"].as_bool().unwrap() {
            true => "2026-12-04T17:19:50Z",
            false => "2026-12-04T17:00:00Z",
        };
        assert_eq!(session["lastSeenAt"], seen);
        assert_eq!(session["browser"], "Unknown browser");
        assert_eq!(session["address"], Value::Null);
    }
    let other = listed.iter().find(|s| s["current"] == false).unwrap();
    let path = format!("/users/me/sessions/{}", other["id"].as_str().unwrap());
    let (status, _) = cookie_send(&server, &cookies[0], Method::DELETE, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.session(&cookies[1]).get("/users/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}
