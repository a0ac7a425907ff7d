//! The `locations` and `quorum` settings: defaults, validation, and what probes are assigned
//! as they change.

use chrono::Duration;
use serde_json::json;

use super::fleet::{Fleet, location, probe};
use crate::common::code;

#[tokio::test(flavor = "multi_thread")]
async fn locations_default_to_this_server_and_are_validated_by_field() {
    let fleet = Fleet::start().await;
    let api = || fleet.server.as_(&fleet.token);
    let plain = api()
        .create("/monitors", json!({"url": "https://a.example"}))
        .await;
    assert_eq!(
        (plain["locations"].clone(), plain["quorum"].clone()),
        (json!(["local"]), json!(null))
    );
    let rows = [
        (json!({"locations": []}), "locations"),
        (json!({"locations": ["region"]}), "locations"),
        (json!({"locations": ["Region=eu"]}), "locations"),
        (json!({"locations": ["local", "local"]}), "locations"),
        (json!({"quorum": 0}), "quorum"),
        (json!({"quorum": 21}), "quorum"),
    ];
    for (extra, field) in rows {
        let mut body = json!({"url": "https://b.example"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, error) = api().post("/monitors", body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(code(&error), "invalid_field", "{error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }
    // PATCH: absent keeps, null resets to the default.
    let id = plain["id"].as_str().unwrap();
    let path = format!("/monitors/{id}");
    let (_, m) = api()
        .patch(&path, json!({"locations": ["region=eu-west"], "quorum": 1}))
        .await;
    assert_eq!(
        (m["locations"].clone(), m["quorum"].clone()),
        (json!(["region=eu-west"]), json!(1))
    );
    let (_, m) = api().patch(&path, json!({"name": "Renamed"})).await;
    assert_eq!(
        (m["locations"].clone(), m["quorum"].clone()),
        (json!(["region=eu-west"]), json!(1))
    );
    let (_, m) = api()
        .patch(&path, json!({"locations": null, "quorum": null}))
        .await;
    assert_eq!(
        (m["locations"].clone(), m["quorum"].clone()),
        (json!(["local"]), json!(null))
    );
    // A selector nobody answers yet: waiting.
    api()
        .patch(&path, json!({"locations": ["local", "region=ap-south"]}))
        .await;
    let view = fleet.locations(id).await;
    assert_eq!(
        location(&view, "region=ap-south")["status"],
        "waiting",
        "{view}"
    );
    assert_eq!(location(&view, "local")["status"], "waiting");
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_are_assigned_what_selects_them_and_a_change_applies_at_once() {
    let fleet = Fleet::start().await;
    let a = fleet
        .create(json!({"url": "https://a.example", "locations": ["local", "region=eu-west"]}))
        .await;
    let b = fleet.create(json!({"url": "https://b.example"})).await;
    let paused = fleet
        .create(
            json!({"url": "https://c.example", "isActive": false, "locations": ["region=eu-west"]}),
        )
        .await;
    let org = fleet.org(&a).await;
    let eu = probe(Some(org), "eu-west");
    let instance_wide = probe(None, "eu-west");
    let us = probe(Some(org), "us-east");
    assert_eq!(fleet.assigned(&eu), vec![a.clone()]);
    assert_eq!(fleet.assigned(&instance_wide), vec![a.clone()]);
    assert!(fleet.assigned(&us).is_empty());

    // Another organization's probe with the same label checks none of Acme's monitors.
    let other_token = fleet.server.user_with_token("bob@example.com", "Other");
    let theirs = fleet
        .server
        .as_(&other_token)
        .create(
            "/monitors",
            json!({"url": "https://z.example", "locations": ["region=eu-west"]}),
        )
        .await;
    let other_org = theirs["organizationId"].as_str().unwrap().parse().unwrap();
    let their_probe = probe(Some(other_org), "eu-west");
    assert_eq!(
        fleet.assigned(&their_probe),
        [theirs["id"].as_str().unwrap().to_owned()]
    );

    let api = fleet.server.as_(&fleet.token);
    api.patch(
        &format!("/monitors/{b}"),
        json!({"locations": ["region=eu-west"]}),
    )
    .await;
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(fleet.assigned(&eu), both);

    // Results: for a monitor it checks, accepted; another organization's, paused, or not
    // selecting it any more, ignored.
    let now = fleet.server.clock.now();
    let due = now - Duration::seconds(1);
    assert_eq!(fleet.report(&eu, &a, due, true, now).accepted, 1);
    assert_eq!(fleet.report(&their_probe, &a, due, true, now).ignored, 1);
    assert_eq!(fleet.report(&eu, &paused, due, true, now).ignored, 1);
    assert_eq!(fleet.report(&us, &a, due, true, now).ignored, 1);
    assert_eq!(fleet.report(&instance_wide, &a, due, true, now).accepted, 1);
    let far = now + Duration::minutes(5);
    assert_eq!(
        fleet.report(&eu, &a, far, true, now).ignored,
        1,
        "beyond the next slot"
    );
    let api = fleet.server.as_(&fleet.token);
    api.patch(&format!("/monitors/{a}"), json!({"locations": ["local"]}))
        .await;
    assert_eq!(fleet.assigned(&eu), vec![b.clone()]);
    assert_eq!(fleet.report(&eu, &a, due, true, now).ignored, 1);
}
