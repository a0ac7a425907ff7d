//! What stops with a probe: a deleted probe's or a relabelled one's results leave its monitors'
//! locations (pages and quorums stop counting them), and a long poll waiting with a replaced
//! token is refused, not told the monitors' assignments.

use super::{add, probe_request};
use crate::common::{TestServer, Token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A monitor selecting `region=eu-west`; returns its id.
async fn monitor(server: &TestServer, admin: &Token) -> String {
    let created = server
        .as_(admin)
        .create(
            "/monitors",
            json!({"name": "Shop", "url": "https://example.com", "intervalSeconds": 60,
                   "locations": ["local", "region=eu-west"]}),
        )
        .await;
    created["id"].as_str().unwrap().to_owned()
}

/// Posts one passing result of `token`'s probe for monitor `id`, for the slot now.
async fn report(server: &TestServer, token: &str, id: &str) {
    let now = chrono::Utc::now().to_rfc3339();
    let result = json!({"monitorId": id, "due": now, "checkedAt": now,
        "errorKind": "none", "responseTimeMs": 12, "answered": true});
    let resp = probe_request(server, Method::POST, "/probe/results", token, None)
        .json(&json!({"results": [result]}))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["accepted"], 1, "{body}");
}

/// The probe ids `GET /monitors/{id}/locations` lists.
async fn listed(server: &TestServer, admin: &Token, id: &str) -> Vec<Value> {
    let view = server
        .as_(admin)
        .get_ok(&format!("/monitors/{id}/locations"))
        .await;
    view["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.get("location").cloned())
        .filter(|l| l != "local")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_probe_leaves_its_monitors_locations() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let id = monitor(&server, &admin).await;
    report(&server, &probe.token, &id).await;
    assert_eq!(listed(&server, &admin, &id).await, vec![json!(probe.id)]);

    let (status, _) = server
        .as_(&admin)
        .delete(&format!("/probes/{}", probe.id))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(listed(&server, &admin, &id).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relabelled_probe_leaves_the_locations_its_old_labels_chose() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let id = monitor(&server, &admin).await;
    report(&server, &probe.token, &id).await;
    let path = format!("/probes/{}", probe.id);

    // A new name alone keeps its results.
    let (status, _) = server
        .as_(&admin)
        .patch(&path, json!({"name": "eu-1"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed(&server, &admin, &id).await, vec![json!(probe.id)]);

    let (status, _) = server
        .as_(&admin)
        .patch(&path, json!({"labels": {"region": "us-east"}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed(&server, &admin, &id).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_waiting_with_a_replaced_token_is_refused_at_the_next_monitor_change() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;
    let id = monitor(&server, &admin).await;
    let (_, first) = super::poll(&server, &probe.token, None).await;
    let version = first["version"].as_str().unwrap();
    let waiting = tokio::spawn(super::wait(&server, &probe.token, version, 60));
    // Whether the poll is waiting already or arrives after the new token, the old token gets
    // nothing more: 401, never the monitors' assignments.
    let (status, _) = server
        .as_(&admin)
        .post_empty(&format!("/probes/{}/token", probe.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .as_(&admin)
        .patch(&format!("/monitors/{id}"), json!({"intervalSeconds": 120}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer = waiting.await.unwrap().unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}
