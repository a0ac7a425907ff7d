//! `/probes` through the API: register, list, change, remove; validation; who may.

use super::add;
use crate::common::{TestServer, code};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_is_registered_listed_changed_and_removed() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&admin);
    let org = api.get_ok("/users/me").await["active_organization"]["id"].clone();

    let created = api
        .create(
            "/probes",
            json!({"name": " eu-west ", "labels": {"region": "eu-west", "provider": "OVH"}}),
        )
        .await;
    let token = created["token"].as_str().unwrap();
    let id = created["probe"]["id"].as_str().unwrap();
    let hex = id.replace('-', "");
    assert!(token.starts_with(&format!("ddp_{hex}_")), "{token}");
    assert_eq!(token.len(), 4 + 32 + 1 + 64);
    let probe = &created["probe"];
    assert_eq!(probe["name"], "eu-west");
    assert_eq!(probe["organizationId"], org);
    assert_eq!(
        probe["labels"],
        json!({"region": "eu-west", "provider": "OVH"})
    );
    assert_eq!(probe["status"], "waiting");
    assert_eq!(probe["monitors"], 0);
    assert!(probe["lastSeenAt"].is_null() && probe["clockSkewMs"].is_null());

    // Listed and read, never with the token.
    let (status, list) = api.get("/probes").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["probes"].as_array().unwrap().len(), 1);
    assert_eq!(list["probes"][0]["id"], id);
    let one = api.get_ok(&format!("/probes/{id}")).await;
    assert_eq!(one["name"], "eu-west");
    let secret = &token[token.len() - 64..];
    assert!(!list.to_string().contains(secret) && !one.to_string().contains(secret));

    let (status, changed) = api
        .patch(
            &format!("/probes/{id}"),
            json!({"name": "eu-west-2", "labels": {"region": "eu-west"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "eu-west-2");
    assert_eq!(changed["labels"], json!({"region": "eu-west"}));
    let (_, renamed_only) = api
        .patch(&format!("/probes/{id}"), json!({"name": "eu"}))
        .await;
    assert_eq!(
        renamed_only["labels"],
        json!({"region": "eu-west"}),
        "labels kept"
    );

    let (status, _) = api.delete(&format!("/probes/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.get(&format!("/probes/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.delete(&format!("/probes/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(api.get_ok("/probes").await["probes"], json!([]));

    // The audit log names what was done, never the token.
    let log = api.get_ok("/audit-log").await.to_string();
    assert!(log.contains("probe") && !log.contains(secret), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_names_and_labels_are_refused_naming_the_field() {
    let server = TestServer::start().await;
    let admin = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&admin);
    let eleven: serde_json::Map<String, Value> =
        (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases = [
        (json!({"name": ""}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"name": "a\u{202e}b"}), "name"),
        (
            json!({"name": "p", "labels": {"Region": "eu"}}),
            "labels.Region",
        ),
        (
            json!({"name": "p", "labels": {"region": "-eu"}}),
            "labels.region",
        ),
        (
            json!({"name": "p", "labels": {"region": "e u"}}),
            "labels.region",
        ),
        (
            json!({"name": "p", "labels": {"r": "x".repeat(65)}}),
            "labels.r",
        ),
        (json!({"name": "p", "labels": eleven}), "labels"),
    ];
    for (body, field) in cases {
        let (status, answer) = api.post("/probes", body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(field), "{body}: {answer}");
    }
    let probe = add(&server, &admin, "ok", json!({})).await;
    let (status, answer) = api
        .patch(
            &format!("/probes/{}", probe.id),
            json!({"labels": {"A": "b"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(code(&answer), "invalid_field");
    assert_eq!(
        api.get_ok("/probes").await["probes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn editors_see_probes_and_only_administrators_and_owners_change_them() {
    let server = TestServer::start().await;
    let owner = server.user_with_token("ada@example.com", "Acme");
    server.create_user("ed@example.com", "Acme", Some("Editor"));
    let editor = server.create_token("ed@example.com", &[]);
    let probe = add(&server, &owner, "eu-west", json!({})).await;

    let list = server.as_(&editor).get_ok("/probes").await;
    assert_eq!(list["probes"][0]["id"], probe.id.as_str());
    let path = format!("/probes/{}", probe.id);
    for (status, body) in [
        server
            .as_(&editor)
            .post("/probes", json!({"name": "x"}))
            .await,
        server.as_(&editor).patch(&path, json!({"name": "x"})).await,
        server.as_(&editor).delete(&path).await,
        server
            .as_(&editor)
            .post_empty(&format!("{path}/token"))
            .await,
    ] {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
}
