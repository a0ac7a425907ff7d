//! The API never reads the server's environment: a `${NAME}` sent to `POST /config/plan` or
//! `PUT /config` is text where no secret is (a name stays as written), and a refused reference
//! where one is (a new header) — the value of a variable of the server process never shows.

use reqwest::Method;
use serde_json::Value;

use super::send_doc;
use crate::common::TestServer;

/// A variable of the process the test server runs in (cargo sets it for tests).
const NAME: &str = "CARGO_MANIFEST_DIR";
const CHANNEL: &str = "1e0c6d2a-6b7e-4f0a-9a1d-3c5b7e9f1a20";
const MONITOR: &str = "2a1d7e3b-7c8f-4a1b-8b2e-4d6c8f0a2b31";

fn document(header: bool) -> String {
    let headers = if header {
        format!("\n    requestHeaders:\n      X-Leak: ${{{NAME}}}")
    } else {
        String::new()
    };
    format!(
        "version: 1\nchannels:\n  - id: {CHANNEL}\n    name: ${{{NAME}}}\n    kind: slack\n    \
         config:\n      webhookUrl: https://hooks.slack.com/services/T0/B0/X\n\
         monitors:\n  - id: {MONITOR}\n    name: $${{{NAME}}}\n    url: https://example.com/{headers}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn references_sent_to_the_api_never_read_the_servers_environment() {
    let value = std::env::var(NAME).expect("cargo sets it");
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&token);
    let leaked = |v: &Value| v.to_string().contains(&value);

    // Names are no secrets' places: kept as written, `$${` too, in the plan and once applied.
    let plain = document(false);
    for (method, path) in [(Method::POST, "/config/plan"), (Method::PUT, "/config")] {
        let (status, body) = send_doc(api, method, path, "application/yaml", &plain).await;
        assert_eq!(status, 200, "{body}");
        assert!(!leaked(&body), "{body}");
    }
    let channel = api
        .get_ok(&format!("/notification-channels/{CHANNEL}"))
        .await;
    assert_eq!(channel["name"], format!("${{{NAME}}}"), "{channel}");
    let monitor = api.get_ok(&format!("/monitors/{MONITOR}")).await;
    assert_eq!(
        monitor["monitor"]["name"],
        format!("$${{{NAME}}}"),
        "{monitor}"
    );
    // …and exported as stored, so the same document plans nothing.
    let (_, again) = send_doc(
        api,
        Method::POST,
        "/config/plan",
        "application/yaml",
        &plain,
    )
    .await;
    assert_eq!(again["text"], "No changes.\n", "{again}");

    // A header is a secret's place: the reference is refused, naming the field, not the value.
    for (method, path) in [(Method::POST, "/config/plan"), (Method::PUT, "/config")] {
        let (status, refused) =
            send_doc(api, method, path, "application/yaml", &document(true)).await;
        assert_eq!(status, 422, "{refused}");
        assert!(!leaked(&refused), "{refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("monitors[0].requestHeaders.X-Leak"),
            "{message}"
        );
        assert!(message.contains("`dutyduck apply`"), "{message}");
    }
    let monitor = api.get_ok(&format!("/monitors/{MONITOR}")).await;
    assert!(!leaked(&monitor), "{monitor}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dutyduck_apply_reads_references_only_at_secrets_places() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    server.stop().await;
    let env = [(NAME, "from-the-cli-environment")];
    let out = super::cli_with_env(
        &server.data_dir,
        &["apply", "-f", "-"],
        &env,
        &document(false),
    );
    super::stdout(&out);
    server.restart().await;
    let api = server.as_(&token);
    let channel = api
        .get_ok(&format!("/notification-channels/{CHANNEL}"))
        .await;
    assert_eq!(channel["name"], format!("${{{NAME}}}"), "{channel}");
}
