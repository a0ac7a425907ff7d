//! One entry per change, written with it: who, when, from where, what; no secret anywhere.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{START, entries, one, rename, start};
use crate::common::{PASSWORD, Token, code};

const HEADER_SECRET: &str = "Bearer hush-header-4411";
const URL_PASSWORD: &str = "hush-url-password-5522";
const WEBHOOK_SECRET: &str = "hush-webhook-path-6633";

#[tokio::test(flavor = "multi_thread")]
async fn each_change_is_one_entry_with_who_when_and_where_and_no_secret() {
    let (server, ada) = start().await;
    let api = || server.as_(&ada);

    // Monitors: create (with a credential in a header and in the URL), update, toggle, delete.
    let monitor = api()
        .create(
            "/monitors",
            json!({"url": format!("https://probe:{URL_PASSWORD}@example.com/health"),
                   "isActive": false, "requestHeaders": {"Authorization": HEADER_SECRET}}),
        )
        .await;
    let monitor_id = monitor["id"].as_str().unwrap();
    let path = format!("/monitors/{monitor_id}");
    assert_eq!(
        api().patch(&path, json!({"name": "Shop"})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api().post_empty(&format!("{path}/toggle")).await.0,
        StatusCode::OK
    );

    // A webhook whose URL is its secret; a task; an incident acknowledged, commented, resolved.
    let hook = format!("https://hooks.example.com/{WEBHOOK_SECRET}");
    api()
        .create(
            "/notification-channels",
            json!({"name": "Hook", "kind": "webhook", "config": {"url": hook}}),
        )
        .await;
    api().create("/tasks", json!({"id": "backup"})).await;
    let incident = api()
        .create("/incidents", json!({"title": "Printer on fire"}))
        .await;
    let incident = format!("/incidents/{}", incident["id"].as_str().unwrap());
    for step in ["acknowledge", "resolve"] {
        let (status, body) = api().post(&format!("{incident}/{step}"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
    }
    let (status, body) = api()
        .post(&format!("{incident}/comment"), json!({"text": "Paper jam"}))
        .await;
    assert!(status.is_success(), "comment: {body}");

    // A bulk request: one entry with its counts.
    let second = api()
        .create("/incidents", json!({"title": "Fax down"}))
        .await;
    let (status, report) = api()
        .post(
            "/incidents/bulk",
            json!({"ids": [second["id"]], "action": "acknowledge"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");

    // A token made and deleted through the API.
    let made = api()
        .create(
            "/api-tokens",
            json!({"label": "ci", "expiresAt": "2027-01-01T00:00:00Z"}),
        )
        .await;
    let made_secret = made["secretKey"].as_str().unwrap().to_owned();
    let made_id = made["id"].as_str().unwrap().to_owned();
    let (status, _) = api().delete(&format!("/api-tokens/{made_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(api().delete(&path).await.0, StatusCode::NO_CONTENT);

    // Sign-ins: a wrong password, then the right one.
    let (status, body) = server
        .anonymous()
        .post(
            "/auth/login",
            json!({"email": "ada@example.com", "password": "nope nope nope"}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    server.session_cookie("ada@example.com").await;

    let log = entries(&server, &ada, "").await;
    let me = api().get_ok("/users/me").await;
    let user_id = me["user"]["id"].clone();
    for (resource, action) in [
        ("monitor", "create"),
        ("monitor", "update"),
        ("monitor", "toggle"),
        ("monitor", "delete"),
        ("notification_channel", "create"),
        ("task", "create"),
        ("incident", "create"),
        ("incident", "acknowledge"),
        ("incident", "resolve"),
        ("incident", "comment"),
        ("incident", "bulk"),
        ("api_token", "create"),
        ("api_token", "delete"),
        ("session", "sign_in_failed"),
        ("session", "sign_in"),
    ] {
        let entry = one(&log, resource, action);
        assert_eq!(entry["userId"], user_id, "{entry}");
        assert_eq!(entry["address"], "127.0.0.1", "{entry}");
        assert_eq!(entry["at"], "2026-11-20T10:00:00Z", "{entry} at {START}");
        let by_token = !resource.starts_with("session");
        assert_eq!(entry["tokenId"].is_string(), by_token, "{entry}");
        assert_eq!(entry["actorKind"], if by_token { "token" } else { "user" });
        // A bulk request names its selection in its details, a sign-in its user as the actor.
        let named = action != "bulk" && resource != "session";
        assert_eq!(entry["resourceId"].is_string(), named, "{entry}");
    }
    // The created resources are named by their new ids, the changed by the path's.
    assert_eq!(one(&log, "monitor", "create")["resourceId"], monitor["id"]);
    assert_eq!(one(&log, "monitor", "delete")["resourceId"], monitor["id"]);
    assert_eq!(one(&log, "api_token", "create")["resourceId"], made["id"]);
    assert_eq!(one(&log, "task", "create")["resourceId"], "backup");
    // Field names only.
    let update = one(&log, "monitor", "update");
    assert_eq!(update["fields"], json!(["name"]));
    let bulk = &one(&log, "incident", "bulk")["details"];
    assert_eq!(
        (
            &bulk["action"],
            &bulk["selection"],
            &bulk["matched"],
            &bulk["changed"]
        ),
        (&json!("acknowledge"), &json!("ids"), &json!(1), &json!(1)),
        "{bulk}"
    );

    // No secret in the log, read or exported.
    let csv = export(&server, &ada, "csv").await;
    let json = export(&server, &ada, "json").await;
    for text in [serde_json::to_string(&log).unwrap(), csv, json] {
        for secret in [
            HEADER_SECRET,
            "hush-header",
            URL_PASSWORD,
            WEBHOOK_SECRET,
            &made_secret,
            PASSWORD,
            "nope nope",
        ] {
            assert!(!text.contains(secret), "{secret} in the audit log");
        }
    }
}

async fn export(server: &crate::common::TestServer, token: &Token, format: &str) -> String {
    let resp = server
        .as_(token)
        .request(Method::GET, &format!("/audit-log/export?format={format}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

/// A change refused inside its write job takes its entry along: nothing is logged.
#[tokio::test(flavor = "multi_thread")]
async fn a_rolled_back_write_leaves_no_entry() {
    let (server, ada) = start().await;
    let api = || server.as_(&ada);
    api().create("/tasks", json!({"id": "backup"})).await;
    let before = entries(&server, &ada, "").await.len();
    // The same id again: refused by the write itself (the row exists), after the entry was made.
    let (status, body) = api().post("/tasks", json!({"id": "backup"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A monitor that is not there: its change job finds nothing and fails.
    let unknown = "00000000-0000-7000-8000-000000000000";
    let (status, _) = api()
        .patch(&format!("/monitors/{unknown}"), json!({"name": "x"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let after: Vec<Value> = entries(&server, &ada, "").await;
    assert_eq!(after.len(), before, "{after:#?}");
}

/// A change through the dashboard (the session cookie) is the user's, with no token.
#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_change_is_the_users_own() {
    let (server, ada) = start().await;
    rename(&server, "ada@example.com", "Ada", "King").await;
    let log = entries(&server, &ada, "resourceType=user").await;
    let entry = one(&log, "user", "update");
    assert_eq!(entry["actorKind"], "user");
    assert_eq!(entry["actorName"], "Ada King", "the name after the change");
    assert!(entry["tokenId"].is_null());
    let mut fields: Vec<String> = serde_json::from_value(entry["fields"].clone()).unwrap();
    fields.sort();
    assert_eq!(fields, ["firstName", "lastName"]);
}

/// The admin commands, offline, log as the CLI in the organization concerned, with no address.
#[tokio::test(flavor = "multi_thread")]
async fn the_admin_commands_are_logged_as_the_cli() {
    let (server, ada) = start().await;
    let spare = server.create_token("ada@example.com", &[]);
    let out = server.cli(&["token", "revoke", &spare.id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = entries(&server, &ada, "").await;
    let me = server.as_(&ada).get_ok("/users/me").await;
    for (resource, action, id) in [
        ("user", "create", me["user"]["id"].as_str().unwrap()),
        ("api_token", "create", ada.id.as_str()),
        ("api_token", "delete", spare.id.as_str()),
    ] {
        let entry = log
            .iter()
            .find(|e| {
                e["resourceType"] == resource && e["action"] == action && e["resourceId"] == id
            })
            .unwrap_or_else(|| panic!("{resource} {action} {id} in {log:#?}"));
        assert_eq!(entry["actorKind"], "cli");
        assert_eq!(entry["actorName"], "CLI");
        assert!(entry["address"].is_null() && entry["userId"].is_null());
    }
}

/// Behind a trusted proxy, the address is the client's it names, for changes and sign-ins alike.
#[tokio::test(flavor = "multi_thread")]
async fn the_address_is_the_clients_through_a_trusted_proxy() {
    use dutyduck::http::client_addr::TrustedProxies;
    let server = crate::common::TestServer::start_configured(
        dutyduck::clock::Clock::manual(crate::common::at(START)),
        |config| {
            config.trusted_proxies =
                TrustedProxies::new(vec![TrustedProxies::parse_one("127.0.0.0/8").unwrap()]);
        },
    )
    .await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let resp = server
        .as_(&ada)
        .request(Method::POST, "/tasks")
        .header("x-forwarded-for", "203.0.113.7")
        .json(&json!({"id": "backup"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let log = entries(&server, &ada, "resourceType=task").await;
    assert_eq!(one(&log, "task", "create")["address"], "203.0.113.7");
}
