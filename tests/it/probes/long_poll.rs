//! The long poll of `GET /probe/assignments`: it answers when what the probe is told changes
//! (a monitor's locations, the probe's labels), at `waitSeconds` otherwise, at once when the
//! server stops or a newer poll of the same probe starts.
//!
//! No test reads a duration: a poll answers with what changed only if it answered after the
//! change (at its deadline it would answer the version it waited with).

use std::time::Duration;

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
    let waiting = wait(version.clone());
    let create = async {
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
    assert_ne!(
        answer["version"],
        version.as_str(),
        "answered on the change"
    );
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
    let waiting = probe_request(
        &server,
        Method::GET,
        &format!("/probe/assignments?version={version}&waitSeconds=30"),
        &probe.token,
        None,
    )
    .send();
    let relabel = async {
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
    assert_ne!(
        answer["version"],
        version.as_str(),
        "answered on the change"
    );
    assert_eq!(answer["probe"]["labels"], json!({"region": "eu-central"}));
}

/// Starts a poll of `token` waiting `wait_seconds` with the current version, on a server
/// whose manual clock is past the last "last seen" write; returns once the server has seen
/// it (its "last seen" moved, written after the poll's first read): from then on, every change
/// wakes it.
async fn waiting_poll(
    server: &TestServer,
    admin: &crate::common::Token,
    probe: &super::Probe,
    version: &str,
    wait_seconds: u32,
) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    server.clock.advance(chrono::Duration::seconds(10));
    let now = server.clock.now();
    let poll = tokio::spawn(super::wait(server, &probe.token, version, wait_seconds));
    crate::common::eventually("the poll seen by the server", || async {
        let seen = super::shown(server, admin, &probe.id).await;
        (super::time(&seen["lastSeenAt"]) == now).then_some(())
    })
    .await;
    poll
}

/// Far above any answer that comes on an event: only a poll that missed it gets there.
const SAFETY: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_poll_answers_at_once_when_the_server_stops() {
    let mut server =
        TestServer::start_with_clock(dutyduck::clock::Clock::manual(super::whole_second_now()))
            .await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    let (_, first) = poll(&server, &probe.token, None).await;
    let version = first["version"].as_str().unwrap();
    let waiting = waiting_poll(&server, &admin, &probe, version, 60).await;
    // The stop waits for open requests: it ends before the poll's 60 s only if the poll
    // answered on it.
    tokio::time::timeout(SAFETY, server.stop())
        .await
        .expect("the stop waited for the poll");
    let answer = waiting.await.unwrap().unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_poll_of_a_probe_answers_the_one_waiting() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    let (_, first) = poll(&server, &probe.token, None).await;
    let version = first["version"].as_str().unwrap();
    // Whichever the server takes second answers the other, long before its 60 s.
    let a = super::wait(&server, &probe.token, version, 60);
    let b = super::wait(&server, &probe.token, version, 60);
    let answered = tokio::time::timeout(SAFETY, async {
        tokio::select! {
            a = a => a,
            b = b => b,
        }
    })
    .await
    .expect("one of the two polls answered");
    let answered = answered.unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let body: Value = answered.json().await.unwrap();
    assert_eq!(body["version"], version);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storm_of_changes_is_read_once_a_second_on_the_app_clock() {
    let server =
        TestServer::start_with_clock(dutyduck::clock::Clock::manual(super::whole_second_now()))
            .await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let (_, first) = poll(&server, &probe.token, None).await;
    let version = first["version"].as_str().unwrap();
    let waiting = waiting_poll(&server, &admin, &probe, version, 60).await;
    let path = format!("/probes/{}", probe.id);
    for region in ["eu-central", "us-east", "ap-south"] {
        let (status, _) = server
            .as_(&admin)
            .patch(&path, json!({"labels": {"region": region}}))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    // Each change woke the poll, which reads again only a second after its last read: nothing
    // until the clock moves, then one read, and the answer is what the storm left.
    server.clock.advance(chrono::Duration::seconds(1));
    let answer = tokio::time::timeout(SAFETY, waiting)
        .await
        .expect("answered once the clock moved")
        .unwrap()
        .unwrap();
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["probe"]["labels"], json!({"region": "ap-south"}));
}
