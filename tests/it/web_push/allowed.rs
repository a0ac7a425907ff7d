//! Where the server pushes: browsers' push services and the hosts `--push-service` allows, no
//! other host of its network (any member names an endpoint, and the test answers them). What a
//! member reads of a failure is the class of the answer, never which port refused or why.

use reqwest::StatusCode;
use serde_json::json;

use super::browser::{Subscriber, check_vapid};
use super::push_service::PushService;
use super::{setup, subscribe, vapid_key};
use crate::common::TestServer;
use crate::notifications::{channel, nine_o_clock};

#[tokio::test(flavor = "multi_thread")]
async fn a_reporter_cannot_point_the_server_at_another_host() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (server, _) = setup(&clock, &[service.host()]).await;
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let rita = server.create_token("rita@example.com", &[]);
    let s = Subscriber::new();
    let elsewhere = [
        "https://intranet.example.com/admin".to_owned(),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        // The allowed service's host, another port.
        format!("http://127.0.0.1:{}/x", port(&service) + 1),
        "http://fcm.googleapis.com/fcm/send/x".to_owned(),
    ];
    for endpoint in elsewhere {
        let (status, answer) = server
            .as_(&rita)
            .post(
                "/users/me/push-subscriptions",
                s.subscription(&endpoint, "x"),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("endpoint: "), "{endpoint}: {message}");
        assert!(message.contains("--push-service"), "{endpoint}: {message}");
    }
    subscribe(&server, &rita, &s, &service.endpoint("rita")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_no_longer_allowed_fails_its_delivery_and_is_dropped() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let (mut server, ada) = setup(&clock, &[service.host()]).await;
    subscribe(&server, &ada, &Subscriber::new(), &service.endpoint("a")).await;
    let id = channel(
        &server,
        &ada,
        json!({"name": "Phones", "kind": "webPush", "config": {}}),
    )
    .await;
    // The administrator no longer allows the service.
    server.config.push_services.clear();
    server.restart().await;
    let (status, sent) = server
        .as_(&ada)
        .post_empty(&format!("/notification-channels/{id}/test"))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["outcome"], "failed");
    let error = sent["error"].as_str().unwrap();
    assert!(error.contains("not on a browser's push service"), "{error}");
    assert!(error.contains("removed"), "{error}");
    assert!(service.received().is_empty(), "nothing sent there");
    assert!(
        server
            .as_(&ada)
            .items("/users/me/push-subscriptions")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_says_its_class_only_and_no_redirect_is_followed() {
    let (service, elsewhere) = (PushService::start().await, PushService::start().await);
    // A port of the allowed host where nothing listens.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let clock = nine_o_clock();
    let allowed = [service.host(), elsewhere.host(), closed.to_string()];
    let (server, ada) = setup(&clock, &allowed).await;
    subscribe(&server, &ada, &Subscriber::new(), &service.endpoint("a")).await;
    let closed_endpoint = format!("http://{closed}/push/b");
    subscribe(&server, &ada, &Subscriber::new(), &closed_endpoint).await;
    service.redirect(&elsewhere.endpoint("followed"));
    let (status, sent) = server
        .as_(&ada)
        .post_empty("/users/me/push-subscriptions/test")
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        sent["errors"],
        json!(["127.0.0.1: refused: HTTP 3xx", "127.0.0.1: unreachable"]),
        "no OS error text, no exact status"
    );
    assert_eq!(service.received().len(), 1);
    assert!(
        elsewhere.received().is_empty(),
        "a redirect is not followed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_https_public_url_the_token_names_the_sender_or_the_option() {
    let service = PushService::start().await;
    let clock = nine_o_clock();
    let from = "dutyduck <alerts@example.com>";
    for (subject, expected) in [
        (None, "mailto:alerts@example.com"),
        (Some("mailto:ops@example.com"), "mailto:ops@example.com"),
    ] {
        let server = TestServer::start_configured(clock.clone(), |config| {
            config.public_url = Some("http://duck.lan:8080".into());
            config.smtp = Some(dutyduck::notify::send::SmtpSettings {
                url: "smtp://127.0.0.1:1".into(),
                from: from.into(),
            });
            config.vapid_subject = subject.map(str::to_owned);
            config.push_services = vec![service.host()];
        })
        .await;
        let ada = server.user_with_token("ada@example.com", "Acme");
        let before = service.received().len();
        subscribe(&server, &ada, &Subscriber::new(), &service.endpoint("a")).await;
        server
            .as_(&ada)
            .post_empty("/users/me/push-subscriptions/test")
            .await;
        let pushed = service.wait_for(before + 1).await;
        let origin = format!("http://{}", service.host());
        let claims = check_vapid(
            pushed[before].header("authorization"),
            &vapid_key(&server, &ada).await,
            &origin,
            clock.now().timestamp(),
        );
        assert_eq!(claims["sub"], expected, "Apple's service refuses none");
    }
}

fn port(service: &PushService) -> u16 {
    service.host().rsplit_once(':').unwrap().1.parse().unwrap()
}
