//! Config as code: `GET /config`, `POST /config/plan`, `PUT /config` and `dutyduck export` /
//! `dutyduck apply` on real data dirs. The shared set-up: an organization with monitors of
//! several kinds depending on each other, a task, channels with secrets, an escalation policy,
//! a maintenance window and a status page.

mod api;
mod cli;
mod environment;
mod locations;
mod openapi;
mod reapply;
mod round_trip;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::common::Api;

pub const WEBHOOK_SECRET: &str = "whsec-0123456789abcdef0123456789";

/// The ids of what `populate` made.
pub struct Made {
    pub webhook: String,
    pub router: String,
    pub api: String,
}

pub async fn populate(api: Api<'_>) -> Made {
    let webhook = api
        .create(
            "/notification-channels",
            json!({"name": "Ops webhook", "kind": "webhook",
                   "config": {"url": "https://hooks.example.com/dutyduck", "secret": WEBHOOK_SECRET}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.create(
        "/notification-channels",
        json!({"name": "Team chat", "kind": "slack",
               "config": {"webhookUrl": "https://hooks.slack.com/services/T000/B000/XXXX"}}),
    )
    .await;
    let policy = api
        .create(
            "/escalation-policies",
            json!({"name": "Business hours", "steps": [{"channels": [webhook], "afterMinutes": 10}], "repeat": 1}),
        )
        .await["id"]
        .clone();
    let router = api
        .create("/monitors", json!({"name": "Router", "kind": "tcp", "host": "127.0.0.1", "port": 9, "intervalSeconds": 30}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let monitor = api
        .create(
            "/monitors",
            json!({"name": "API", "url": "https://api.example.com/health", "upstreams": [router],
                   "notificationChannels": [webhook], "escalationPolicy": policy,
                   "metadata": {"team": "web"}, "isActive": false}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.create(
        "/tasks",
        json!({"id": "nightly-backup", "cronSchedule": "30 2 * * *", "timezone": "Europe/Paris",
               "upstreams": [router], "renotifyMinutes": 60}),
    )
    .await;
    api.create(
        "/maintenance-windows",
        json!({"title": "Sunday patching", "cronSchedule": "0 2 * * 0", "durationMinutes": 60,
               "selection": {"monitorIds": [monitor], "taskIds": ["nightly-backup"]}}),
    )
    .await;
    api.create(
        "/status-pages",
        json!({"slug": "acme", "title": "Acme status",
               "groups": [{"name": "Services", "components": [
                   {"sourceType": "monitor", "sourceId": monitor},
                   {"sourceType": "task", "sourceId": "nightly-backup", "publicName": "Backups"}]}]}),
    )
    .await;
    Made {
        webhook,
        router,
        api: monitor,
    }
}

/// The real binary on `data_dir` with `env` added, reading `stdin`.
pub fn cli_with_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("DUTYDUCK_DATA_DIR")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "command failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The document as YAML, through the API.
pub async fn yaml_of(api: Api<'_>) -> String {
    let response = api
        .request(reqwest::Method::GET, "/config")
        .header("accept", "application/yaml")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// Sends `body` with `content_type` to `path` (`PUT /config`, `POST /config/plan`).
pub async fn send_doc(
    api: Api<'_>,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let response = api
        .request(method, path)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}
