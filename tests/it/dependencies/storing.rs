//! Storing upstreams: what a user sets is what the monitor and task pages show, on both ends.

use crate::common::{Api, TestServer, code};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn monitor(api: Api<'_>, name: &str) -> String {
    let body = json!({"name": name, "url": format!("https://{}.example/", name.to_lowercase())});
    api.create("/monitors", body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect()
}

/// A refusal: 422, naming `upstreams`, its message containing `words`.
fn refused((status, body): (StatusCode, Value), words: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(code(&body), "invalid_field");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("upstreams"), "{message}");
    assert!(message.contains(words), "{message} should say {words}");
}

#[tokio::test]
async fn upstreams_are_stored_shown_on_both_ends_and_forgotten_with_their_monitor() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    let router = monitor(api(), "Router").await;
    let db = monitor(api(), "Database").await;
    let shop = api()
        .create(
            "/monitors",
            json!({"name": "Shop", "url": "https://shop.example/", "upstreams": [router, db]}),
        )
        .await;
    assert_eq!(shop["upstreams"], json!([router, db]), "in the order given");
    let shop = shop["id"].as_str().unwrap().to_owned();
    let task = api()
        .create(
            "/tasks",
            json!({"id": "backup", "name": "Backup", "upstreams": [db]}),
        )
        .await;
    assert_eq!(task["upstreams"], json!([db]));

    let detail = api().get_ok(&format!("/monitors/{shop}")).await;
    assert_eq!(names(&detail["upstreamMonitors"]), ["Router", "Database"]);
    assert_eq!(detail["upstreamMonitors"][0]["type"], "monitor");
    let detail = api().get_ok(&format!("/monitors/{db}")).await;
    assert_eq!(names(&detail["dependents"]), ["Backup", "Shop"]);
    assert_eq!(detail["dependentCount"], 2);
    assert_eq!(detail["dependents"][0]["type"], "task");
    assert_eq!(detail["dependents"][1]["id"], json!(shop));
    assert!(detail["dependents"][1]["status"].is_string());
    let detail = api().get_ok("/tasks/backup").await;
    assert_eq!(names(&detail["upstreamMonitors"]), ["Database"]);
    assert_eq!(detail["task"]["upstreams"], json!([db]));

    // Absent keeps; a list replaces; [] removes.
    let kept = api()
        .patch(&format!("/monitors/{shop}"), json!({"name": "Shop 2"}))
        .await
        .1;
    assert_eq!(kept["upstreams"], json!([router, db]));
    let (_, patched) = api().patch("/tasks/backup", json!({"upstreams": []})).await;
    assert_eq!(patched["upstreams"], json!([]));

    // A deleted monitor leaves its dependents' lists.
    assert_eq!(
        api().delete(&format!("/monitors/{router}")).await.0,
        StatusCode::NO_CONTENT
    );
    let listed = api().items("/monitors").await;
    let shop_listed = listed.iter().find(|m| m["id"] == json!(shop)).unwrap();
    assert_eq!(shop_listed["upstreams"], json!([db]));
}

#[tokio::test]
async fn cycles_unknown_and_foreign_upstreams_are_refused_naming_them() {
    let server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let api = || server.as_(&token);
    let a = monitor(api(), "Router").await;
    let b = monitor(api(), "Switch").await;
    let c = monitor(api(), "Shop").await;
    let path = |id: &str| format!("/monitors/{id}");

    refused(
        api().patch(&path(&a), json!({"upstreams": [a]})).await,
        "Router → Router",
    );
    api().patch(&path(&b), json!({"upstreams": [a]})).await;
    refused(
        api().patch(&path(&a), json!({"upstreams": [b]})).await,
        "Router → Switch → Router",
    );
    api().patch(&path(&c), json!({"upstreams": [b]})).await;
    refused(
        api().patch(&path(&a), json!({"upstreams": [c]})).await,
        "Router → Shop → Switch → Router",
    );
    // Nothing was stored by a refusal.
    assert_eq!(
        api().get_ok(&path(&a)).await["monitor"]["upstreams"],
        json!([])
    );

    let unknown = "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e99";
    refused(
        api()
            .patch(&path(&c), json!({"upstreams": [b, unknown]}))
            .await,
        "[1]",
    );
    let other = server.user_with_token("bob@example.com", "Globex");
    let theirs = monitor(server.as_(&other), "Theirs").await;
    refused(
        api()
            .post("/tasks", json!({"id": "t", "upstreams": [theirs]}))
            .await,
        "not a monitor of this organization",
    );
    let many: Vec<String> = (0..21).map(|_| b.clone()).collect();
    refused(
        api().patch(&path(&c), json!({"upstreams": many})).await,
        "at most 20",
    );
}
