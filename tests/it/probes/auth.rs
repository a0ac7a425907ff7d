//! A probe token opens the probe protocol and nothing else; API credentials do not open it; a
//! new token ends the old one at the next request.

use super::{add, poll, probe_request};
use crate::common::{TestServer, code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_new_token_ends_the_old_one_at_the_next_request() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({"region": "eu-west"})).await;

    let (status, answer) = poll(&server, &probe.token, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["probe"]["id"], probe.id.as_str());
    assert_eq!(answer["probe"]["labels"], json!({"region": "eu-west"}));
    assert_eq!(answer["monitors"], json!([]));

    let renewed = server
        .as_(&admin)
        .post_empty(&format!("/probes/{}/token", probe.id))
        .await;
    assert_eq!(renewed.0, StatusCode::OK, "{}", renewed.1);
    let new = renewed.1["token"].as_str().unwrap();
    assert_ne!(new, probe.token);
    let (status, answer) = poll(&server, &probe.token, None).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::UNAUTHORIZED, "invalid_probe_token")
    );
    assert_eq!(poll(&server, new, None).await.0, StatusCode::OK);

    // A token of the right shape with another secret, or of another shape, is no credential.
    let forged = format!(
        "{}{}",
        &new[..new.len() - 1],
        if new.ends_with('0') { '1' } else { '0' }
    );
    assert_eq!(
        poll(&server, &forged, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, answer) = poll(&server, "not-a-probe-token", None).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::UNAUTHORIZED, "probe_token_required")
    );

    // Removed: refused at once.
    server
        .as_(&admin)
        .delete(&format!("/probes/{}", probe.id))
        .await;
    assert_eq!(poll(&server, new, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_token_reads_no_api_route_and_api_credentials_are_no_probe() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let probe = add(&server, &admin, "eu-west", json!({})).await;

    // Every GET of the API that wants credentials, with the probe's token alone: 401.
    let doc = server.as_(&admin).get_ok("/openapi.json").await;
    let some_id = "0190a0a0-0000-7000-8000-000000000000";
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        if get["security"] == json!([]) {
            continue;
        }
        let mut concrete = String::new();
        for segment in path.split('/').skip(1) {
            concrete.push('/');
            concrete.push_str(if segment.starts_with('{') {
                some_id
            } else {
                segment
            });
        }
        let resp = probe_request(&server, Method::GET, &concrete, &probe.token, None)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "GET {concrete}");
        walked += 1;
    }
    assert!(walked > 40, "walked {walked} routes");
    let resp = probe_request(&server, Method::POST, "/monitors", &probe.token, None)
        .json(&json!({"name": "x", "url": "https://example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // The API token and a session are refused on the probe routes, naming the probe token.
    let (status, answer) = server.as_(&admin).get("/probe/assignments").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&answer), "probe_token_required");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("probe")
    );
    let (status, _) = server
        .as_(&admin)
        .post("/probe/results", json!({"results": []}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let cookie = server.session_cookie("ada@example.com").await;
    let (status, answer): (StatusCode, Value) =
        server.session(&cookie).get("/probe/assignments").await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::UNAUTHORIZED, "probe_token_required")
    );
}
