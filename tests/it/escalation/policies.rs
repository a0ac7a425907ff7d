//! The policies' API: what is refused (and how), one default per organization, and what a
//! deleted policy leaves (its sources fall back to the default).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::policy;
use crate::common::{TestServer, Token, code};
use crate::notifications::{nine_o_clock, setup, task, webhook};

#[tokio::test(flavor = "multi_thread")]
async fn bad_policies_are_refused_naming_the_field() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let hook = webhook(&server, &ada, "Hook", "https://hooks.example.com/a".into()).await;
    let other = server.user_with_token("eve@example.com", "Evil Corp");
    let theirs = webhook(
        &server,
        &other,
        "Theirs",
        "https://hooks.example.com/e".into(),
    )
    .await;
    let step = |after: u32| json!({"channels": [hook], "afterMinutes": after});
    let cases = [
        (json!({"steps": [step(5)]}), 422, "name"),
        (json!({"name": "P"}), 422, "steps"),
        (json!({"name": "P", "steps": []}), 422, "steps"),
        (
            json!({"name": "P", "steps": [{"afterMinutes": 5}]}),
            422,
            "steps[0]",
        ),
        (
            json!({"name": "P", "steps": [step(0)]}),
            422,
            "steps[0].afterMinutes",
        ),
        (
            json!({"name": "P", "steps": [step(1441)]}),
            422,
            "steps[0].afterMinutes",
        ),
        (
            json!({"name": "P", "steps": [step(5)], "repeat": 11}),
            422,
            "repeat",
        ),
        (
            json!({"name": "P", "steps": [step(5)], "colour": "red"}),
            422,
            "colour",
        ),
        (
            json!({"name": "P", "steps": [{"channels": [theirs], "afterMinutes": 5}]}),
            404,
            "steps[0].channels[0]",
        ),
        (
            json!({"name": "P", "steps": [{"members": [hook], "afterMinutes": 5}]}),
            404,
            "steps[0].members[0]",
        ),
    ];
    for (body, status, field) in cases {
        let (got, answer) = server
            .as_(&ada)
            .post("/escalation-policies", body.clone())
            .await;
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{body}: {answer}");
    }
    // Another organization's policy is a 404, read or picked.
    let mine = policy(&server, &ada, json!({"name": "Mine", "steps": [step(5)]})).await;
    let (status, _) = server
        .as_(&other)
        .get(&format!("/escalation-policies/{mine}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = server
        .as_(&other)
        .post(
            "/tasks",
            json!({"id": "t", "name": "T", "escalationPolicy": mine}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "not_found"),
        "{body}"
    );
}

/// Task `t` picks `policy` (an id, or null for the default).
async fn pick(server: &TestServer, token: &Token, policy: Value) {
    let body = json!({"escalationPolicy": policy});
    let (status, answer) = server.as_(token).patch("/tasks/t", body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn sources(server: &TestServer, token: &Token, policy: &str) -> Value {
    let path = format!("/escalation-policies/{policy}");
    server.as_(token).get_ok(&path).await["sources"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_default_and_a_deleted_policy_falls_back() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let hook = webhook(&server, &ada, "Hook", "https://hooks.example.com/a".into()).await;
    let steps = json!([{"channels": [hook], "afterMinutes": 5}]);
    let first = policy(
        &server,
        &ada,
        json!({"name": "First", "default": true, "steps": steps}),
    )
    .await;
    let second = policy(
        &server,
        &ada,
        json!({"name": "Second", "default": true, "steps": steps}),
    )
    .await;
    let list = server.as_(&ada).get_ok("/escalation-policies").await;
    let defaults: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["default"] == true)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, [second.as_str()]);
    task(
        &server,
        &ada,
        json!({"id": "t", "name": "T", "escalationPolicy": first}),
    )
    .await;
    let path = format!("/escalation-policies/{first}");
    for expected in [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND] {
        assert_eq!(server.as_(&ada).delete(&path).await.0, expected);
    }
    // The task's pick went with the policy; picking null again is accepted.
    pick(&server, &ada, json!(null)).await;
    assert_eq!(sources(&server, &ada, &second).await, json!([]));
    // A deleted task is no longer listed among a policy's sources.
    pick(&server, &ada, json!(second)).await;
    assert_eq!(
        sources(&server, &ada, &second).await,
        json!([{"family": "task", "sourceId": "t"}])
    );
    let (status, _) = server.as_(&ada).delete("/tasks/t").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(sources(&server, &ada, &second).await, json!([]));
}
