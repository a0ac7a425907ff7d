//! The `/config` routes on a running server: the scheduler hears of what `PUT` made, a plan
//! changes nothing, a bad document is refused whole with its line and field, other
//! organizations' ids and missing permissions are refused.

use chrono::{DateTime, Duration};
use reqwest::Method;
use serde_json::json;

use super::{populate, send_doc, yaml_of};
use crate::common::{TestServer, eventually};
use dutyduck::clock::Clock;

const MONITOR: &str = "6f1c7d0e-4a53-4c7e-9a31-2f0d5c1e8b11";

fn one_monitor(url: &str, interval: u32) -> String {
    format!(
        "version: 1\nmonitors:\n  - id: {MONITOR}\n    name: Shop\n    url: {url}\n    intervalSeconds: {interval}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn put_config_applies_and_the_scheduler_checks_the_new_monitor() {
    let start = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .to_utc();
    let server = TestServer::start_with_clock(Clock::manual(start)).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&token);
    let target = crate::common::target::Target::start().await;
    let doc = one_monitor(&target.url(), 60);

    let (status, plan) =
        send_doc(api, Method::POST, "/config/plan", "application/yaml", &doc).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(
        plan["text"],
        format!(
            "+ create monitors[{MONITOR}] \"Shop\"\nPlan: 1 to create, 0 to update, 0 to delete.\n"
        )
    );
    assert_eq!(
        api.items("/monitors").await.len(),
        0,
        "a plan changes nothing"
    );

    let (status, applied) = send_doc(api, Method::PUT, "/config", "application/yaml", &doc).await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["creates"], 1);
    server.clock.advance(Duration::seconds(61));
    eventually("the monitor's first check", || async {
        let m = api.get_ok(&format!("/monitors/{MONITOR}")).await;
        m["monitor"]["lastCheckAt"].is_string().then_some(())
    })
    .await;

    // A change of one field is planned field by field; the same document again plans nothing.
    let changed = one_monitor(&target.url(), 120);
    let (_, plan) = send_doc(
        api,
        Method::POST,
        "/config/plan",
        "application/json",
        &serde_json::to_string(&dutyduck::config::parse(&changed).unwrap()).unwrap(),
    )
    .await;
    assert_eq!(
        plan["text"],
        format!(
            "~ update monitors[{MONITOR}] \"Shop\"\n    intervalSeconds: 60 → 120\nPlan: 0 to create, 1 to update, 0 to delete.\n"
        )
    );
    let (_, plan) = send_doc(api, Method::PUT, "/config", "application/yaml", &doc).await;
    assert_eq!(plan["text"], "No changes.\n");

    // Audited once, with the counts.
    let log = api.get_ok("/audit-log?resourceType=config").await;
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[1]["details"]["creates"], 1, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_field_deep_in_the_document_rolls_everything_back_naming_line_and_field() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = server.as_(&token);
    populate(api).await;
    let before = yaml_of(api).await;
    // Everything updated, plus a new monitor whose interval is out of range, last.
    let bad = format!(
        "{}  - id: 0b5e0000-0000-4000-8000-000000000001\n    name: Broken\n    url: https://x.example\n    intervalSeconds: 1\n",
        before
            .replace("name: Router", "name: Core router")
            .split("tasks:")
            .next()
            .unwrap()
    ) + "tasks:"
        + before.split("tasks:").nth(1).unwrap();
    let line = bad
        .lines()
        .position(|l| l.contains("intervalSeconds: 1"))
        .unwrap()
        + 1;
    let (status, body) = send_doc(api, Method::PUT, "/config", "application/yaml", &bad).await;
    assert_eq!(status, 422, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("line {line}: monitors[2].intervalSeconds: ")),
        "{message}"
    );
    assert_eq!(yaml_of(api).await, before, "nothing was applied");

    // A new channel's secret cannot be a reference through the API (it never reads the
    // server's environment); it is never taken as written.
    let unset = "version: 1\nchannels:\n  - id: 0b5e0000-0000-4000-8000-000000000002\n    name: New hook\n    kind: webhook\n    config:\n      url: https://hooks.example.com/new\n      secret: ${DUTYDUCK_TEST_UNSET_SECRET}\n";
    let (status, body) =
        send_doc(api, Method::POST, "/config/plan", "application/yaml", unset).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["message"],
        "line 8: channels[0].config.secret: ${DUTYDUCK_TEST_UNSET_SECRET} can keep only this \
         entity's stored secret; references are replaced by the environment's value by \
         `dutyduck apply` on the server, never by the API: send the secret itself, or apply the \
         document with `dutyduck apply`"
    );

    let (status, body) = send_doc(
        api,
        Method::PUT,
        "/config",
        "application/yaml",
        "version: 1\nmonitors: [\n",
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("malformed_document"))
    );
    let (status, _) = send_doc(api, Method::PUT, "/config", "text/plain", "version: 1\n").await;
    assert_eq!(status, 415);
    let (status, body) = send_doc(
        api,
        Method::PUT,
        "/config",
        "application/json",
        "{\"version\": 1, \"monitors\": 3}",
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organizations_ids_and_missing_permissions_are_refused() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let made = populate(server.as_(&ada)).await;
    let exported = yaml_of(server.as_(&ada)).await;
    let eve = server.user_with_token("eve@example.com", "Other");
    let exported = exported
        .replace(
            "\"${CHANNEL_OPS_WEBHOOK_SECRET}\"",
            "whsec-literal-0123456789abcdef01",
        )
        .replace(
            "\"${CHANNEL_TEAM_CHAT_WEBHOOKURL}\"",
            "https://hooks.slack.com/services/T/B/Z",
        )
        .replace("${TASK_NIGHTLY_BACKUP_PINGKEY}", "eve-nightly-key-0001");

    // Acme's document applied to another organization: the ids are Acme's.
    let (status, body) = send_doc(
        server.as_(&eve),
        Method::PUT,
        "/config",
        "application/yaml",
        &exported,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("channels[0].id"),
        "{body}"
    );
    // A reference to Acme's monitor from Other's document is a 404, as in the API.
    let doc = format!(
        "version: 1\nmonitors:\n  - id: {}\n    url: https://x.example\n    upstreams: [{}]\n",
        MONITOR, made.router
    );
    let (status, body) = send_doc(
        server.as_(&eve),
        Method::PUT,
        "/config",
        "application/yaml",
        &doc,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("monitors[0].upstreams"),
        "{body}"
    );
    assert_eq!(server.as_(&eve).items("/monitors").await.len(), 0);

    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let rita = server.create_token("rita@example.com", &[]);
    let (status, _) = send_doc(
        server.as_(&rita),
        Method::PUT,
        "/config",
        "application/yaml",
        &exported,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = server
        .as_(&ada)
        .send(
            Method::PUT,
            "/config?prune=true",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(server.as_(&ada).items("/monitors").await.len(), 0, "pruned");
}
