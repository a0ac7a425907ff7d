//! A webPush channel names members of its organization only: a user id of someone else would
//! reach nobody without saying so, so it is refused as not found, as escalation steps do.

use reqwest::StatusCode;
use serde_json::json;

use super::setup;
use crate::common::code;
use crate::notifications::{channel, nine_o_clock};

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_cannot_name_someone_of_another_organization() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[]).await;
    let bob = server.user_with_token("bob@example.com", "Globex");
    let id_of = |me: serde_json::Value| me["user"]["id"].clone();
    let ada_id = id_of(server.as_(&ada).get_ok("/users/me").await);
    let bob_id = id_of(server.as_(&bob).get_ok("/users/me").await);

    let body =
        |members| json!({"name": "Phones", "kind": "webPush", "config": {"members": members}});
    let (status, answer) = server
        .as_(&ada)
        .post("/notification-channels", body(json!([ada_id, bob_id])))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(code(&answer), "not_found");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("config.members[1]: "), "{message}");

    let id = channel(&server, &ada, body(json!([ada_id]))).await;
    let (status, answer) = server
        .as_(&ada)
        .patch(
            &format!("/notification-channels/{id}"),
            json!({"config": {"members": [bob_id]}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("config.members[0]: "), "{message}");
    let saved = server
        .as_(&ada)
        .get_ok(&format!("/notification-channels/{id}"))
        .await;
    assert_eq!(saved["config"]["members"], json!([ada_id]), "unchanged");
}
