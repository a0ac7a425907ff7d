//! Web push end to end: members subscribe browsers (played by the test, which keeps the
//! subscription's private key and auth secret), a webPush channel notifies them of an incident,
//! and a push service on loopback receives each message. The test decrypts it as a browser
//! would and checks the payload, the RFC 8030 headers and the VAPID token.

mod allowed;
mod browser;
mod installable;
mod members;
mod push_service;
mod subscriptions;

use reqwest::StatusCode;
use serde_json::{Value, json};

use dutyduck::clock::Clock;

use crate::common::{TestServer, Token};
use crate::notifications::{PUBLIC_URL, channel, nine_o_clock, run, task};
use browser::{Subscriber, check_vapid};
use push_service::PushService;

async fn subscribe(server: &TestServer, token: &Token, s: &Subscriber, endpoint: &str) -> Value {
    server
        .as_(token)
        .create(
            "/users/me/push-subscriptions",
            s.subscription(endpoint, "Phone"),
        )
        .await
}

/// The server of `notifications::setup`, also allowing `services` (the test's push service, on
/// loopback over http) with `--push-service`: by default only browsers' push services are.
async fn setup(clock: &Clock, services: &[String]) -> (TestServer, Token) {
    let server = TestServer::start_configured(clock.clone(), |config| {
        config.public_url = Some(format!("{PUBLIC_URL}/"));
        config.push_services = services.to_vec();
    })
    .await;
    let token = server.user_with_token("ada@example.com", "Acme");
    (server, token)
}

async fn vapid_key(server: &TestServer, token: &Token) -> String {
    let key = server.as_(token).get_ok("/push/vapid-public-key").await;
    key["publicKey"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incident_reaches_members_browsers_encrypted_and_signed() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[service.host()]).await;
    let phone = Subscriber::new();
    let device = subscribe(&server, &ada, &phone, &service.endpoint("ada-phone")).await;
    assert_eq!(device["service"], "127.0.0.1");
    assert_eq!(device["label"], "Phone");
    // Someone of another organization, subscribed too, hears nothing of Acme's incidents.
    let bob = server.user_with_token("bob@example.com", "Globex");
    subscribe(&server, &bob, &Subscriber::new(), &service.endpoint("bob")).await;
    channel(
        &server,
        &ada,
        json!({"name": "Phones", "kind": "webPush", "config": {"members": null}}),
    )
    .await;
    task(
        &server,
        &ada,
        json!({"id": "nightly-backup", "name": "Nightly backup"}),
    )
    .await;
    let incident = run(&server, &ada, "nightly-backup", "failure").await;

    let pushed = service.wait_for(1).await;
    let opened = &pushed[0];
    assert_eq!(opened.path, "/push/ada-phone");
    assert_eq!(opened.header("content-encoding"), "aes128gcm");
    assert_eq!(opened.header("content-type"), "application/octet-stream");
    assert_eq!(opened.header("ttl"), "86400");
    assert_eq!(
        opened.header("urgency"),
        "high",
        "an incident opened wakes the phone"
    );
    assert_eq!(
        opened.header("topic"),
        incident.replace('-', ""),
        "RFC 8030 topic: ≤ 32 base64url characters"
    );
    let key = vapid_key(&server, &ada).await;
    let origin = service.endpoint("").trim_end_matches("/push/").to_owned();
    let claims = check_vapid(
        opened.header("authorization"),
        &key,
        &origin,
        clock.now().timestamp(),
    );
    assert_eq!(
        claims["sub"], "https://duck.example.com",
        "--public-url, https"
    );

    let payload: Value = serde_json::from_slice(&phone.decrypt(&opened.body)).unwrap();
    assert_eq!(
        payload["title"],
        "[dutyduck] Incident opened: Nightly backup"
    );
    assert!(
        payload["body"].as_str().unwrap().contains("Nightly backup"),
        "{payload}"
    );
    assert_eq!(payload["url"], format!("/dashboard/incidents/{incident}"));
    assert_eq!(
        payload["tag"], incident,
        "a newer notice of the incident replaces this one"
    );
    assert_eq!(payload["event"], "opened");

    run(&server, &ada, "nightly-backup", "success").await;
    let pushed = service.wait_for(2).await;
    assert_eq!(pushed.len(), 2, "nothing for Globex's browser");
    let resolved = &pushed[1];
    assert_eq!(resolved.header("urgency"), "normal");
    let payload: Value = serde_json::from_slice(&phone.decrypt(&resolved.body)).unwrap();
    assert_eq!(payload["event"], "resolved");
    assert_eq!(payload["tag"], incident);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_naming_members_reaches_only_them() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[service.host()]).await;
    let grace = server.user_with_token("grace@example.com", "Acme");
    let me = server.as_(&ada).get_ok("/users/me").await;
    subscribe(&server, &ada, &Subscriber::new(), &service.endpoint("ada")).await;
    subscribe(
        &server,
        &grace,
        &Subscriber::new(),
        &service.endpoint("grace"),
    )
    .await;
    let only_ada =
        json!({"name": "Ada", "kind": "webPush", "config": {"members": [me["user"]["id"]]}});
    channel(&server, &ada, only_ada).await;
    task(
        &server,
        &ada,
        json!({"id": "nightly-backup", "name": "Nightly backup"}),
    )
    .await;
    run(&server, &ada, "nightly-backup", "failure").await;
    let pushed = service.wait_for(1).await;
    assert_eq!(pushed[0].path, "/push/ada");
    run(&server, &ada, "nightly-backup", "success").await;
    let pushed = service.wait_for(2).await;
    assert!(pushed.iter().all(|p| p.path == "/push/ada"), "{pushed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_push_reaches_my_devices_and_a_gone_one_is_removed() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[service.host()]).await;
    let (phone, laptop) = (Subscriber::new(), Subscriber::new());
    subscribe(&server, &ada, &phone, &service.endpoint("phone")).await;
    subscribe(&server, &ada, &laptop, &service.endpoint("laptop")).await;
    // The same browser subscribing again replaces its row.
    subscribe(&server, &ada, &laptop, &service.endpoint("laptop")).await;
    assert_eq!(
        server
            .as_(&ada)
            .items("/users/me/push-subscriptions")
            .await
            .len(),
        2
    );

    let (status, sent) = server
        .as_(&ada)
        .post_empty("/users/me/push-subscriptions/test")
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent, json!({"delivered": 2, "removed": 0, "errors": []}));
    let pushed = service.wait_for(2).await;
    let by_path = |path: &str| pushed.iter().find(|p| p.path == path).unwrap().body.clone();
    let payload: Value = serde_json::from_slice(&phone.decrypt(&by_path("/push/phone"))).unwrap();
    assert_eq!(payload["title"], "dutyduck test notification");
    assert_eq!(payload["url"], "/dashboard/account");
    laptop.decrypt(&by_path("/push/laptop"));

    // The push service says the subscriptions are gone (the browser unsubscribed): forgotten.
    service.answer(410, None);
    let (_, sent) = server
        .as_(&ada)
        .post_empty("/users/me/push-subscriptions/test")
        .await;
    assert_eq!(sent["removed"], 2, "{sent}");
    assert!(
        server
            .as_(&ada)
            .items("/users/me/push-subscriptions")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusing_push_service_is_quoted_without_the_endpoint() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[service.host()]).await;
    subscribe(
        &server,
        &ada,
        &Subscriber::new(),
        &service.endpoint("secret-capability"),
    )
    .await;
    service.answer(429, Some("30"));
    let (_, sent) = server
        .as_(&ada)
        .post_empty("/users/me/push-subscriptions/test")
        .await;
    let error = sent["errors"][0].as_str().unwrap();
    assert_eq!(error, "127.0.0.1: refused: HTTP 4xx", "the class only");
    assert!(!error.contains("secret-capability"), "{error}");
    assert_eq!(
        server
            .as_(&ada)
            .items("/users/me/push-subscriptions")
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_to_browsers_all_gone_fails_and_forgets_them() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, &[service.host()]).await;
    subscribe(
        &server,
        &ada,
        &Subscriber::new(),
        &service.endpoint("old-phone"),
    )
    .await;
    service.answer(410, None);
    let phones = json!({"name": "Phones", "kind": "webPush", "config": {}});
    let id = channel(&server, &ada, phones).await;
    let (status, sent) = server
        .as_(&ada)
        .post_empty(&format!("/notification-channels/{id}/test"))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["outcome"], "failed");
    let error = sent["error"].as_str().unwrap();
    assert!(error.contains("unsubscribed"), "{error}");
    assert!(
        server
            .as_(&ada)
            .items("/users/me/push-subscriptions")
            .await
            .is_empty()
    );
    // With nobody left, the next one says so rather than pretending it was sent.
    let (_, sent) = server
        .as_(&ada)
        .post_empty(&format!("/notification-channels/{id}/test"))
        .await;
    assert!(sent["error"].as_str().unwrap().contains("nobody"), "{sent}");
}
