//! Saving, listing and removing one's browsers: what is refused and who sees what; and the
//! server's VAPID key, kept across restarts.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::browser::Subscriber;
use super::{setup, subscribe, vapid_key};
use crate::common::code;
use crate::notifications::nine_o_clock;

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_are_checked_and_private() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[]).await;
    let s = Subscriber::new();
    let good = s.subscription("https://fcm.googleapis.com/fcm/send/x", "Phone");
    let with = |path: &[&str], value: Value| {
        let mut body = good.clone();
        let mut at = &mut body;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        body
    };
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let cases = [
        (
            with(&["endpoint"], json!("http://push.example.com/x")),
            "endpoint",
        ),
        (with(&["endpoint"], json!("not a url")), "endpoint"),
        // Not a browser's push service: nothing else is sent to unless `--push-service` says.
        (
            with(&["endpoint"], json!("https://intranet.example.com/x")),
            "--push-service",
        ),
        (
            with(&["endpoint"], json!("http://127.0.0.1:22/x")),
            "--push-service",
        ),
        (
            with(&["keys", "p256dh"], json!(b64(&[4; 10]))),
            "keys.p256dh",
        ),
        (
            with(&["keys", "p256dh"], json!(b64(&[4; 65]))),
            "keys.p256dh",
        ),
        (with(&["keys", "auth"], json!(b64(&[1; 15]))), "keys.auth"),
        (with(&["label"], json!("a\u{202e}b")), "label"),
        (with(&["extra"], json!(1)), "extra"),
    ];
    for (body, field) in cases {
        let (status, answer) = server
            .as_(&ada)
            .post("/users/me/push-subscriptions", body)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{field}: {answer}");
    }
    let mine = subscribe(&server, &ada, &s, "https://fcm.googleapis.com/fcm/send/x").await;
    // Another person cannot see or remove it: it is not theirs (404, as for anything not theirs).
    let grace = server.user_with_token("grace@example.com", "Acme");
    assert!(
        server
            .as_(&grace)
            .items("/users/me/push-subscriptions")
            .await
            .is_empty()
    );
    let path = format!(
        "/users/me/push-subscriptions/{}",
        mine["id"].as_str().unwrap()
    );
    let (status, answer) = server.as_(&grace).delete(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(code(&answer), "not_found");
    let (status, _) = server.as_(&ada).delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.anonymous().get("/push/vapid-public-key").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vapid_key_is_private_and_survives_a_restart() {
    use std::os::unix::fs::PermissionsExt;
    let clock = nine_o_clock();
    let (mut server, ada) = setup(&clock, &[]).await;
    let before = vapid_key(&server, &ada).await;
    let file = server.data_dir.join("vapid.key");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "readable by the server's user only");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    server.restart().await;
    assert_eq!(
        vapid_key(&server, &ada).await,
        before,
        "browsers subscribed with this key"
    );
}
