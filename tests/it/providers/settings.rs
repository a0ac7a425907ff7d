//! The six kinds' settings through the API: an Editor sees that their keys and tokens exist,
//! not what they are; the masked config sent back keeps them; bad settings are refused naming
//! the field, without quoting the secret.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::notifications::{channel, nine_o_clock, setup};

/// Each kind with a config, and the secrets an Editor must not read.
fn kinds() -> Vec<(&'static str, Value, &'static [&'static str])> {
    vec![
        (
            "telegram",
            json!({"botToken": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "chatId": "@ops_room"}),
            &["botToken"],
        ),
        (
            "pushover",
            json!({"appToken": "azGDORePK8gMaC0QOYAMyEEuzJnyUi",
                   "userKey": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "device": "pixel"}),
            &["appToken", "userKey"],
        ),
        (
            "gotify",
            json!({"url": "https://gotify.example.com", "appToken": "AzYzjRc3Vh5hLe"}),
            &["appToken"],
        ),
        (
            "pagerduty",
            json!({"routingKey": "R0123456789abcdefABCDEF012345678"}),
            &["routingKey"],
        ),
        (
            "opsgenie",
            json!({"apiKey": "eb243592-faa2-4ba2-a551-1afdf565c889",
                   "apiUrl": "https://api.eu.opsgenie.com"}),
            &["apiKey"],
        ),
        (
            "matrix",
            json!({"homeserverUrl": "https://matrix.example.org", "accessToken": "syt_secret_abc",
                   "roomId": "!ops:example.org"}),
            &["accessToken"],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn editors_see_provider_secrets_masked_and_the_masked_config_keeps_them() {
    let (server, ada) = setup(&nine_o_clock(), None).await;
    server.create_user("eve@example.com", "Acme", Some("Editor"));
    let editor = server.create_token("eve@example.com", &[]);
    for (kind, config, secrets) in kinds() {
        let body = json!({"name": kind, "kind": kind, "config": config});
        let id = channel(&server, &ada, body).await;
        let path = format!("/notification-channels/{id}");
        let mine = server.as_(&ada).get_ok(&path).await;
        for (name, value) in config.as_object().unwrap() {
            assert_eq!(&mine["config"][name], value, "{kind}.{name}");
        }
        let seen = server.as_(&editor).get_ok(&path).await["config"].clone();
        for name in secrets {
            assert_eq!(seen[name], "********", "{kind}.{name}");
        }
        for (name, value) in config.as_object().unwrap() {
            if !secrets.contains(&name.as_str()) {
                assert_eq!(&seen[name], value, "{kind}.{name} is not a secret");
            }
        }
        let (status, patched) = server.as_(&ada).patch(&path, json!({"config": seen})).await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_eq!(patched["config"], mine["config"], "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_provider_settings_are_refused_naming_the_field_not_the_secret() {
    let (server, ada) = setup(&nine_o_clock(), None).await;
    let cases = [
        (
            "telegram",
            json!({"botToken": "s3cret value", "chatId": "1"}),
            "config.botToken",
        ),
        (
            "telegram",
            json!({"botToken": "1:AAHdqTcvCH1vGWJxfSeofSAs0K5", "chatId": "ops"}),
            "config.chatId",
        ),
        (
            "pushover",
            json!({"appToken": "s3cret", "userKey": "x"}),
            "config.appToken",
        ),
        (
            "pushover",
            json!({"appToken": "azGDORePK8gMaC0QOYAMyEEuzJnyUi",
                   "userKey": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "expireSeconds": 86400}),
            "config.expireSeconds",
        ),
        (
            "gotify",
            json!({"url": "ftp://x", "appToken": "A1"}),
            "config.url",
        ),
        (
            "pagerduty",
            json!({"routingKey": "s3cret"}),
            "config.routingKey",
        ),
        ("opsgenie", json!({"apiKey": "s3cret"}), "config.apiKey"),
        (
            "matrix",
            json!({"homeserverUrl": "https://m.example.org", "accessToken": "syt",
                   "roomId": "#ops:example.org"}),
            "config.roomId",
        ),
        (
            "matrix",
            json!({"homeserverUrl": "https://m.example.org", "accessToken": "a s3cret",
                   "roomId": "!ops:example.org"}),
            "config.accessToken",
        ),
        (
            "telegram",
            json!({"botToken": "1:x", "chatId": "1", "parseMode": "x"}),
            "config.parseMode",
        ),
    ];
    for (kind, config, field) in cases {
        let body = json!({"name": "x", "kind": kind, "config": config});
        let (status, error) = server.as_(&ada).post("/notification-channels", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{kind}: {message}"
        );
        assert!(!message.contains("s3cret"), "{kind}: {message}");
    }
}
