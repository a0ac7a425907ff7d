//! One resource of every kind in organization A, each named with `MARKER`, and how each path
//! parameter of the route table is filled with them.
//!
//! A new route with a path parameter needs its row in `fill`'s table (the template up to that
//! parameter, and the fixture id that goes there); until it has one, the isolation test fails
//! naming it. Public routes are addressed by a slug or a secret, not an organization's id: they
//! are listed in `PUBLIC` with why.

use std::collections::HashMap;

use crate::common::{TestServer, Token};
use serde_json::{Value, json};

/// In every name of A's resources: a body B receives must never contain it.
pub const MARKER: &str = "alpha-confidential";

/// Public routes with parameters, and why they are not an organization's resources by id.
pub const PUBLIC: &[(&str, &str)] = &[
    (
        "/status/",
        "a status page by its slug; private ones need a member or a share link",
    ),
    ("/badge/", "a badge by its secret key"),
    ("/ping/", "a task's ping URL by its secret key"),
    (
        "/api/push/",
        "Uptime Kuma's push URL: a task by its secret key",
    ),
    ("/dashboard/", "the dashboard's files"),
];

/// Bodies valid for these routes, so that the request reaches the lookup of A's id rather than
/// stopping at the body's validation (any other route gets `{}`).
pub fn body(method: &str, template: &str) -> Value {
    match (method, template) {
        ("PATCH", "/incidents/{id}") => json!({"priority": "minor"}),
        ("PUT", "/maintenance-windows/{id}") => {
            json!({"title": "t", "selection": {"taskIds": ["x"]},
            "startsAt": "2030-01-01T00:00:00Z", "endsAt": "2030-01-01T01:00:00Z"})
        }
        ("POST", "/tasks/{id}/finish") => json!({"status": "success"}),
        ("POST", "/status-pages/{id}/share-links") => json!({"label": "l"}),
        ("POST", "/status-pages/{id}/announcements") => {
            json!({"title": "t", "impact": "minor", "status": "investigating", "body": "b"})
        }
        ("POST", "/status-pages/{id}/announcements/{announcementId}/updates") => {
            json!({"status": "resolved", "body": "b"})
        }
        ("PATCH", "/organizations/{id}") => json!({"displayName": "d"}),
        ("PUT", "/organizations/{id}/members/{memberId}/roles") => json!({"roles": ["Reporter"]}),
        ("POST", "/organizations/{id}/members/invite") => {
            json!({"email": "someone@example.com", "role": "Reporter"})
        }
        ("POST", "/organizations/{id}/invitations/{invitationId}/accept") => {
            json!({"token": "00", "userDetails": null})
        }
        ("PUT", "/organizations/{id}/two-factor-policy") => json!({"required": true}),
        _ => json!({}),
    }
}

/// A's resources: the id that fills each "template up to the parameter".
pub struct Fixture {
    pub ids: HashMap<&'static str, String>,
}

impl Fixture {
    /// The path with every parameter filled with A's ids, or the parameter no row fills.
    pub fn fill(&self, template: &str) -> Result<String, String> {
        let mut path = template.to_owned();
        let mut from = 0;
        while let Some(open) = template[from..].find('{').map(|i| i + from) {
            let close = open + template[open..].find('}').unwrap();
            let upto = &template[..=close];
            let id = self.ids.get(upto).ok_or_else(|| upto.to_owned())?;
            path = path.replacen(&template[open..=close], id, 1);
            from = close + 1;
        }
        Ok(path)
    }
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_owned()
}

/// Creates A's resources as A's Owner (`token`), with A's dashboard session `a_session`.
pub async fn organization_a(server: &TestServer, token: &Token, a_session: &str) -> Fixture {
    let api = server.as_(token);
    let name = |what: &str| format!("{MARKER} {what}");
    let monitor = api
        .create(
            "/monitors",
            json!({"name": name("site"), "url": "http://127.0.0.1:9/alpha"}),
        )
        .await;
    let task_id = "alpha-confidential-backup";
    api.create("/tasks", json!({"id": task_id, "name": name("backup")}))
        .await;
    let run = crate::notifications::run(server, token, task_id, "failure").await;
    let started = api.get_ok(&format!("/tasks/{task_id}/runs")).await["runs"][0]["startedAt"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    let channel = api
        .create(
            "/notification-channels",
            json!({"name": name("hook"), "kind": "webhook",
                   "config": {"url": "https://hooks.example.com/alpha"}}),
        )
        .await;
    let now = server.clock.now();
    let silence = api
        .create(
            "/silences",
            json!({"matchers": {"sourceIds": [task_id]}, "reason": name("silence"),
                   "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    let window = api
        .create(
            "/maintenance-windows",
            json!({"title": name("window"), "selection": {"taskIds": [task_id]},
                   "startsAt": (now + chrono::Duration::days(1)).to_rfc3339(),
                   "endsAt": (now + chrono::Duration::days(2)).to_rfc3339()}),
        )
        .await;
    let policy = api
        .create(
            "/escalation-policies",
            json!({"name": name("policy"), "steps": [{"channels": [id(&channel)], "afterMinutes": 5}]}),
        )
        .await;
    let page = api
        .create(
            "/status-pages",
            json!({"slug": "alpha-confidential", "title": name("page"), "visibility": "private"}),
        )
        .await;
    let page_id = id(&page);
    let announcement = api
        .create(
            &format!("/status-pages/{page_id}/announcements"),
            json!({"title": name("news"), "impact": "minor", "status": "investigating",
                   "body": name("body")}),
        )
        .await;
    let link = api
        .create(
            &format!("/status-pages/{page_id}/share-links"),
            json!({"label": name("link")}),
        )
        .await;
    // Badge keys exist, so that A reads them back after B's attempts.
    for source in [
        format!("/monitors/{}", id(&monitor)),
        format!("/tasks/{task_id}"),
    ] {
        let (status, body) = api.post_empty(&format!("{source}/badge-key")).await;
        assert!(status.is_success(), "{source}/badge-key: {body}");
    }
    let session = server
        .session(a_session)
        .items("/users/me/sessions")
        .await
        .remove(0);
    let org = api.get_ok("/users/me").await["active_organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = api.get_ok("/users/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let invited = api
        .create(
            &format!("/organizations/{org}/members/invite"),
            json!({"email": "alpha-confidential@example.com", "role": "Reporter"}),
        )
        .await;
    let invitation = invited["invitation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no invitation id in {invited}"))
        .to_owned();
    // A browser of A's Owner (an https endpoint that is never reached: nothing is sent to it).
    let p256dh =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    let device = api
        .create(
            "/users/me/push-subscriptions",
            json!({"endpoint": "https://fcm.googleapis.com/fcm/send/alpha-confidential",
                   "keys": {"p256dh": p256dh, "auth": "BTBZMqHH6r4Tts7J_aSIgg"}}),
        )
        .await;
    let probe = api.create("/probes", json!({"name": name("probe")})).await;
    let ids = HashMap::from([
        ("/organizations/{id}", org),
        ("/organizations/{id}/members/{memberId}", me),
        ("/organizations/{id}/invitations/{invitationId}", invitation),
        ("/monitors/{id}", id(&monitor)),
        ("/http-monitors/{id}", id(&monitor)),
        ("/incidents/{id}", run),
        ("/tasks/{id}", task_id.to_owned()),
        ("/tasks/{id}/runs/{startedAt}", started),
        ("/notification-channels/{id}", id(&channel)),
        ("/silences/{id}", id(&silence)),
        ("/escalation-policies/{id}", id(&policy)),
        ("/maintenance-windows/{id}", id(&window)),
        ("/status-pages/{id}", page_id),
        (
            "/status-pages/{id}/announcements/{announcementId}",
            id(&announcement),
        ),
        ("/status-pages/{id}/share-links/{linkId}", id(&link)),
        ("/api-tokens/{id}", token.id.clone()),
        ("/users/me/sessions/{sessionId}", id(&session)),
        ("/users/me/push-subscriptions/{id}", id(&device)),
        ("/probes/{id}", id(&probe["probe"])),
    ]);
    Fixture { ids }
}
