//! What HTTP monitors gained beside the new kinds: Basic and Bearer credentials (kept from
//! readers) and "upside down" (up while the check fails), through the API on the manual clock.

use std::net::SocketAddr;

use reqwest::StatusCode;
use serde_json::json;
use warp::Filter;

use super::lifecycle::Watched;
use crate::common::target::Target;

/// A server answering 200 to `Authorization: <expected>` and 401 otherwise.
async fn protected(expected: &'static str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let routes =
        warp::header::optional::<String>("authorization").map(move |auth: Option<String>| {
            let status = if auth.as_deref() == Some(expected) {
                200
            } else {
                401
            };
            warp::reply::with_status("private", warp::http::StatusCode::from_u16(status).unwrap())
        });
    tokio::spawn(warp::serve(routes).incoming(listener).run());
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_and_bearer_credentials_are_sent_and_hidden_from_readers() {
    // "ops:s3cret" in base64.
    let basic = protected("Basic b3BzOnMzY3JldA==").await;
    let mut watched = Watched::start(json!({
        "url": format!("http://{basic}/private"),
        "auth": {"kind": "basic", "username": "ops", "password": "s3cret"}}))
    .await;
    assert_eq!(watched.get().await["monitor"]["status"], "up");

    let path = format!("/monitors/{}", watched.id);
    let api = || watched.server.as_(&watched.token);
    let (status, patched) = api()
        .patch(
            &path,
            json!({"auth": {"kind": "basic", "username": "ops", "password": "wrong"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let down = watched.goes_down("httpcode").await;
    assert_eq!(down["monitor"]["lastHttpCode"], 401);

    // A Bearer token, on another server.
    let bearer = protected("Bearer t0ken").await;
    let (status, patched) = watched
        .server
        .as_(&watched.token)
        .patch(
            &path,
            json!({"url": format!("http://{bearer}/private"), "auth": {"kind": "bearer", "token": "t0ken"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    watched.comes_back().await;

    // Editors see the token; a Reporter sees that there is one, not what it is.
    let editor = watched.server.as_(&watched.token).get_ok(&path).await;
    assert_eq!(
        editor["monitor"]["auth"],
        json!({"kind": "bearer", "token": "t0ken"})
    );
    watched
        .server
        .create_user("rita@example.com", "Acme", Some("reporter"));
    let rita = watched.server.create_token("rita@example.com", &[]);
    let reader = watched.server.as_(&rita).get_ok(&path).await;
    assert_eq!(
        reader["monitor"]["auth"],
        json!({"kind": "bearer", "token": "(hidden)"})
    );

    // Checked field by field.
    let api = || watched.server.as_(&watched.token);
    for body in [
        json!({"auth": {"kind": "basic", "username": "a:b", "password": "x"}}),
        json!({"auth": {"kind": "bearer", "token": ""}}),
        json!({"auth": {"kind": "bearer", "token": "x"}, "requestHeaders": {"Authorization": "Basic eA=="}}),
    ] {
        let (status, error) = api().patch(&path, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("auth"),
            "{error}"
        );
    }
    let (status, cleared) = api().patch(&path, json!({"auth": null})).await;
    assert_eq!((status, &cleared["auth"]), (StatusCode::OK, &json!(null)));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upside_down_monitor_is_up_while_its_target_is_unreachable() {
    let mut target = Target::start().await;
    target.down().await;
    let mut watched = Watched::start(json!({"url": target.url(), "upsideDown": true})).await;
    let m = watched.get().await;
    assert_eq!(m["monitor"]["status"], "up", "{m}");
    assert_eq!(m["monitor"]["upsideDown"], true);
    assert_eq!(
        m["monitor"]["lastCheckDetails"],
        json!({"upsideDown": true, "failure": "connection refused"})
    );

    target.up().await;
    let down = watched.goes_down("assertion").await;
    assert_eq!(
        down["monitor"]["lastError"],
        "answered HTTP 200, but this monitor is upside down: it is up only while the check fails"
    );
    target.down().await;
    watched.comes_back().await;
}
