//! The long poll of `GET /probe/assignments`: it answers when what the probe is told changes
//! (a monitor's locations, the probe's labels), at `waitSeconds` otherwise, and at once when
//! the server stops.
//!
//! The first test needs `monitors::locations` (monitors' `locations` selecting probes): ignored
//! until it is there; run it with `cargo test --test it probes::long_poll -- --ignored`.

use std::time::{Duration, Instant};

use super::{add, poll, probe_request};
use crate::common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_poll_answers_when_a_monitor_starts_or_stops_selecting_the_probe() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let (status, first) = poll(&server, &probe.token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["monitors"], json!([]));
    let version = first["version"].as_str().unwrap().to_owned();

    let wait = |version: String| {
        probe_request(
            &server,
            Method::GET,
            &format!("/probe/assignments?version={version}&waitSeconds=30"),
            &probe.token,
            None,
        )
        .send()
    };
    let started = Instant::now();
    let waiting = wait(version.clone());
    let create = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        server
            .as_(&admin)
            .create(
                "/monitors",
                json!({"name": "Shop", "url": "https://example.com", "intervalSeconds": 60,
                       "locations": ["local", "region=eu-west"]}),
            )
            .await
    };
    let (answer, monitor) = tokio::join!(waiting, create);
    let answer: Value = answer.unwrap().json().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered on the change"
    );
    assert_ne!(answer["version"], version.as_str());
    assert_eq!(answer["monitors"][0]["id"], monitor["id"]);
    assert_eq!(answer["monitors"][0]["intervalSeconds"], 60);
    assert_eq!(
        server
            .as_(&admin)
            .get_ok(&format!("/probes/{}", probe.id))
            .await["monitors"],
        1
    );

    // Back to local only: the next wait answers with nothing assigned.
    let version = answer["version"].as_str().unwrap().to_owned();
    let id = monitor["id"].as_str().unwrap().to_owned();
    let waiting = wait(version);
    let change = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        server
            .as_(&admin)
            .patch(&format!("/monitors/{id}"), json!({"locations": ["local"]}))
            .await
    };
    let (answer, (status, _)) = tokio::join!(waiting, change);
    assert_eq!(status, StatusCode::OK);
    let answer: Value = answer.unwrap().json().await.unwrap();
    assert_eq!(answer["monitors"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_with_the_current_version_waits_then_answers_the_same() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    let (_, first) = poll(&server, &probe.token, None).await;
    let version = first["version"].as_str().unwrap();
    let started = Instant::now();
    let resp = probe_request(
        &server,
        Method::GET,
        &format!("/probe/assignments?version={version}&waitSeconds=1"),
        &probe.token,
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(900), "it waited");
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["version"], version);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_poll_answers_when_the_probe_gets_new_labels() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let (_, first) = poll(&server, &probe.token, None).await;
    let version = first["version"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let waiting = probe_request(
        &server,
        Method::GET,
        &format!("/probe/assignments?version={version}&waitSeconds=30"),
        &probe.token,
        None,
    )
    .send();
    let relabel = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        server
            .as_(&admin)
            .patch(
                &format!("/probes/{}", probe.id),
                json!({"labels": {"region": "eu-central"}}),
            )
            .await
    };
    let (answer, (status, _)) = tokio::join!(waiting, relabel);
    assert_eq!(status, StatusCode::OK);
    let answer: Value = answer.unwrap().json().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered on the change"
    );
    assert_ne!(answer["version"], version.as_str());
    assert_eq!(answer["probe"]["labels"], json!({"region": "eu-central"}));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_poll_answers_at_once_when_the_server_stops() {
    let mut server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    let (_, first) = poll(&server, &probe.token, None).await;
    let url = format!(
        "{}/probe/assignments?version={}&waitSeconds=60",
        server.base,
        first["version"].as_str().unwrap()
    );
    let waiting = tokio::spawn(
        crate::common::client()
            .get(url)
            .header("Authorization", format!("Bearer {}", probe.token))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the stop waited {:?} for the poll",
        started.elapsed()
    );
    let answer = waiting.await.unwrap().unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}
