//! `/http-monitors` in the original product's shapes: its clients send tags under
//! `metadata.records`, headers under `requestHeaders.headers` and one switch per transport, and
//! read back the same; `/monitors` keeps dutyduck's shape for the same monitor.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::create;
use crate::common::{TestServer, Token, code};

/// What the original dashboard sends for a new monitor: every field.
fn original_body() -> Value {
    json!({
        "url": "https://shop.example.com/health",
        "intervalSeconds": 30,
        "recoveryConfirmationThreshold": 3,
        "downtimeConfirmationThreshold": 4,
        "isActive": true,
        "metadata": {"records": {"env": "prod", "team": "web"}},
        "emailNotificationEnabled": false,
        "pushNotificationEnabled": true,
        "smsNotificationEnabled": false,
        "requestHeaders": {"headers": {"X-Probe": "dutyduck"}},
        "requestTimeoutMs": 5000
    })
}

async fn channel(server: &TestServer, token: &Token, body: Value) -> String {
    let created = server
        .as_(token)
        .create("/notification-channels", body)
        .await;
    created["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_body_round_trips_and_its_switches_choose_channels() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    channel(
        &server,
        &token,
        json!({"name": "Mail", "kind": "email", "config": {"recipients": ["ops@example.com"]}}),
    )
    .await;
    let hook = channel(
        &server,
        &token,
        json!({"name": "Hook", "kind": "webhook", "config": {"url": "https://hooks.example.com/in"}}),
    )
    .await;

    let (status, created) = api().post("/http-monitors", original_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    // Every field sent is read back as sent, in the same shape.
    let (status, read) = api().get(&format!("/http-monitors/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let monitor = &read["monitor"];
    for (field, sent) in original_body().as_object().unwrap() {
        if field == "isActive" {
            continue; // the original answers a status instead
        }
        let expected = if field == "url" {
            json!("https://shop.example.com/health")
        } else {
            sent.clone()
        };
        assert_eq!(monitor[field], expected, "{field}: {monitor}");
    }
    assert_eq!(monitor["status"], "unknown");
    assert_eq!(read["ongoingIncident"], Value::Null);
    assert!(
        monitor.get("name").is_none(),
        "the original shape: {monitor}"
    );

    // E-mail switched off: its channels are left out, the others kept.
    let own = api().get_ok(&format!("/monitors/{id}")).await;
    assert_eq!(own["monitor"]["notificationChannels"], json!([hook]));
    assert_eq!(
        own["monitor"]["metadata"],
        json!({"env": "prod", "team": "web"})
    );
    assert_eq!(
        own["monitor"]["requestHeaders"],
        json!({"X-Probe": "dutyduck"})
    );

    // The list holds the same shape, with the original counts.
    let list = api().get_ok("/http-monitors").await;
    assert_eq!(list["totalNumberOfFilteredResults"], 1);
    assert_eq!(list["items"][0]["metadata"]["records"]["team"], "web");

    // An update: e-mail on, paused, new tags; absent fields keep their value.
    let (status, updated) = api()
        .patch(
            &format!("/http-monitors/{id}"),
            json!({"emailNotificationEnabled": true, "isActive": false,
                   "metadata": {"records": {"env": "staging"}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["status"], "inactive");
    assert_eq!(updated["emailNotificationEnabled"], true);
    assert_eq!(updated["smsNotificationEnabled"], false);
    assert_eq!(updated["metadata"], json!({"records": {"env": "staging"}}));
    assert_eq!(updated["intervalSeconds"], 30);
    // No channel of a transport switched off any more: every channel, those to come included.
    let own = api().get_ok(&format!("/monitors/{id}")).await;
    assert_eq!(own["monitor"]["notificationChannels"], Value::Null);

    // Channels chosen through /monitors: the switches are read from them.
    api()
        .patch(
            &format!("/monitors/{id}"),
            json!({"notificationChannels": [hook]}),
        )
        .await;
    let read = api().get_ok(&format!("/http-monitors/{id}")).await;
    assert_eq!(read["monitor"]["emailNotificationEnabled"], false);
    assert_eq!(read["monitor"]["pushNotificationEnabled"], false);
    api()
        .patch(
            &format!("/monitors/{id}"),
            json!({"notificationChannels": null}),
        )
        .await;
    let read = api().get_ok(&format!("/http-monitors/{id}")).await;
    assert_eq!(read["monitor"]["emailNotificationEnabled"], true);
}

/// Without channels of a transport switched off, the monitor notifies every channel, those
/// added later included: an organization starting from nothing is never left unalerted.
#[tokio::test(flavor = "multi_thread")]
async fn switches_excluding_nothing_leave_every_channel_chosen() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    let created = api().create("/http-monitors", original_body()).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["emailNotificationEnabled"], false);
    let own = api().get_ok(&format!("/monitors/{id}")).await;
    assert_eq!(own["monitor"]["notificationChannels"], Value::Null);
    // The switches are still read back as sent.
    let read = api().get_ok(&format!("/http-monitors/{id}")).await;
    assert_eq!(read["monitor"]["emailNotificationEnabled"], false);
    assert_eq!(read["monitor"]["pushNotificationEnabled"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_original_path_refuses_what_its_shape_does_not_hold() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    for (body, field) in [
        // dutyduck's flat tags are not the original's `records`.
        (
            json!({"url": "https://a.example", "metadata": {"env": "prod"}}),
            "metadata.env",
        ),
        (
            json!({"url": "https://a.example", "method": "POST"}),
            "method",
        ),
        (json!({"url": "ftp://a.example"}), "url"),
        (
            json!({"url": "https://a.example", "requestTimeoutMs": 0}),
            "requestTimeoutMs",
        ),
    ] {
        let (status, error) = api().post("/http-monitors", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body}: {message}"
        );
    }

    // Other kinds are not HTTP monitors to these clients.
    let tcp = create(
        &server,
        &token,
        json!({"kind": "tcp", "host": "127.0.0.1", "port": 9, "isActive": false}),
    )
    .await;
    let (status, error) = api().get(&format!("/http-monitors/{tcp}")).await;
    assert_eq!((status, code(&error)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, _) = api()
        .patch(
            &format!("/http-monitors/{tcp}"),
            json!({"intervalSeconds": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list = api().get_ok("/http-monitors").await;
    assert_eq!(list["totalNumberOfFilteredResults"], 0);

    // Paths and methods without an original shape answer as their /monitors twins.
    let id = create(
        &server,
        &token,
        json!({"url": "https://b.example", "isActive": false, "metadata": {"env": "prod"}}),
    )
    .await;
    let (status, toggled) = api()
        .post_empty(&format!("/http-monitors/{id}/toggle"))
        .await;
    assert_eq!(
        (status, toggled["status"].as_str()),
        (StatusCode::OK, Some("unknown"))
    );
    let facets = api().get_ok("/http-monitors/filterable-metadata").await;
    assert_eq!(
        facets["items"][0],
        json!({"key": "env", "distinct_values": [{"value": "prod", "value_count": 1}],
               "key_cardinality": 1})
    );
    let (status, _) = api().delete(&format!("/http-monitors/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread")]
async fn both_shapes_are_documented() {
    let server = TestServer::start().await;
    let (_, doc) = server.anonymous().get("/openapi.json").await;
    let body = &doc["paths"]["/http-monitors"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    let name = body["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
    let schema = &doc["components"]["schemas"][name];
    assert!(
        schema["properties"]["emailNotificationEnabled"].is_object(),
        "{schema}"
    );
    assert!(schema["properties"]["metadata"].is_object(), "{schema}");
    assert!(doc["paths"]["/http-monitors/{id}"]["patch"].is_object());
    assert!(doc["paths"]["/monitors"]["post"].is_object());
}
