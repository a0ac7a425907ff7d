//! The probe's requests: clock skew from `X-Probe-Time`, "last seen" written at most every
//! 5 s besides results, the results batch's cap.

use super::{add, poll, probe_request, shown};
use super::{time, whole_second_now};
use crate::common::{TestServer, code};
use chrono::Duration;
use dutyduck::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn ms(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn skew_is_measured_and_last_seen_written_at_most_every_five_seconds() {
    let t0 = whole_second_now();
    let server = TestServer::start_with_clock(Clock::manual(t0)).await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    let s = Duration::seconds;

    // The probe's clock is 1.5 s ahead.
    let (status, answer) = poll(
        &server,
        &probe.token,
        Some(t0 + Duration::milliseconds(1500)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(time(&answer["serverTime"]), t0);
    let seen = shown(&server, &admin, &probe.id).await;
    assert_eq!(ms(&seen["clockSkewMs"]), 1500);
    assert_eq!(time(&seen["lastSeenAt"]), t0);
    assert_eq!(seen["status"], "up");

    // 2 s later, 3 s behind: not written (at most one write every 5 s).
    server.clock.advance(s(2));
    poll(&server, &probe.token, Some(t0 + s(2) - s(3))).await;
    let seen = shown(&server, &admin, &probe.id).await;
    assert_eq!(time(&seen["lastSeenAt"]), t0);
    assert_eq!(ms(&seen["clockSkewMs"]), 1500);

    // 6 s after the first: written.
    server.clock.advance(s(4));
    poll(&server, &probe.token, Some(t0 + s(6) - s(3))).await;
    let seen = shown(&server, &admin, &probe.id).await;
    assert_eq!(time(&seen["lastSeenAt"]), t0 + s(6));
    assert_eq!(ms(&seen["clockSkewMs"]), -3000);

    // A results batch notes it in its own write, whenever it comes; no header keeps the skew.
    server.clock.advance(s(1));
    let resp = probe_request(&server, Method::POST, "/probe/results", &probe.token, None)
        .json(&json!({"results": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let recorded: Value = resp.json().await.unwrap();
    assert_eq!(recorded, json!({"accepted": 0, "late": 0, "ignored": 0}));
    let seen = shown(&server, &admin, &probe.id).await;
    assert_eq!(time(&seen["lastSeenAt"]), t0 + s(7));
    assert_eq!(ms(&seen["clockSkewMs"]), -3000);

    // A malformed header is a 400 naming it.
    for bad in ["yesterday", "2030-01-01 12:00:00"] {
        let resp = probe_request(
            &server,
            Method::GET,
            "/probe/assignments?waitSeconds=0",
            &probe.token,
            None,
        )
        .header("X-Probe-Time", bad)
        .send()
        .await
        .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), "invalid_probe_time");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("X-Probe-Time")
        );
    }
    let resp = probe_request(
        &server,
        Method::GET,
        "/probe/assignments?waitSeconds=61",
        &probe.token,
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_results_batch_holds_at_most_5000_results() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;
    let result = json!({"monitorId": "0190a0a0-0000-7000-8000-000000000000",
        "due": "2030-01-01T12:00:00Z", "checkedAt": "2030-01-01T12:00:01Z",
        "errorKind": "none", "responseTimeMs": 12, "answered": true});
    let post = |n: usize| {
        probe_request(&server, Method::POST, "/probe/results", &probe.token, None)
            .json(&json!({"results": vec![result.clone(); n]}))
            .send()
    };
    let resp = post(5001).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("results"),
        "{body}"
    );
    // A monitor that does not select the probe: ignored, not an error.
    let resp = post(2).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({"accepted": 0, "late": 0, "ignored": 2}));
}
