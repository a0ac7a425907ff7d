//! Silences end to end on the manual clock: what a silence covers opens its incidents as usual
//! but sends nothing, the timeline says until when, and when the silence ends (at its time, or
//! ended now) each incident still open notifies once while a resolved one sends nothing.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::receivers::{Behaviour, HttpReceiver};
use crate::common::{TestServer, Token, code, eventually};
use crate::notifications::{deliveries, nine_o_clock, run, setup, task, webhook};

async fn silence(server: &TestServer, token: &Token, body: Value) -> Value {
    server.as_(token).create("/silences", body).await
}

/// The incident's `notificationssilenced` events.
async fn silenced_events(server: &TestServer, token: &Token, incident: &str) -> Vec<Value> {
    let path = format!("/incidents/{incident}/events?itemsPerPage=200");
    server
        .as_(token)
        .items(&path)
        .await
        .into_iter()
        .filter(|e| e["eventType"] == "notificationssilenced")
        .map(|e| e["payload"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silence_holds_notifications_until_it_expires_then_the_open_incident_notifies_once() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    task(
        &server,
        &ada,
        json!({"id": "nightly-backup", "name": "Nightly backup"}),
    )
    .await;
    task(&server, &ada, json!({"id": "other"})).await;

    let made = silence(
        &server,
        &ada,
        json!({"matchers": {"sourceIds": ["nightly-backup"]},
               "endsAt": "2026-11-30T10:00:00Z", "reason": "Restoring the disk"}),
    )
    .await;
    assert_eq!(made["active"], true);
    assert_eq!(made["endedEarly"], false);
    assert_eq!(made["reason"], "Restoring the disk");
    assert_eq!(made["createdBy"]["name"], "Ada Lovelace");
    assert!(made["createdBy"]["tokenId"].is_string(), "{made}");

    // The silenced task's incident opens as usual, and nothing goes out; the timeline says so
    // once, however often it would have notified. Another task is not covered.
    let incident = run(&server, &ada, "nightly-backup", "failure").await;
    let (_, shown) = server
        .as_(&ada)
        .get(&format!("/incidents/{incident}"))
        .await;
    assert_eq!(shown["incident"]["status"], "ongoing");
    assert!(deliveries(&server, &ada, &ops).await.is_empty());
    let events = silenced_events(&server, &ada, &incident).await;
    assert_eq!(
        events,
        [
            json!({"silenceId": made["id"], "until": "2026-11-30T10:00:00Z",
                "reason": "Restoring the disk"})
        ]
    );
    let other = run(&server, &ada, "other", "failure").await;
    assert_eq!(hook.wait_for(1).await[0].json()["incident"]["id"], other);

    // Listed as in force, and as covering the task (not the other one).
    let active = server.as_(&ada).items("/silences?active=true").await;
    assert_eq!(active.len(), 1);
    let covering = server
        .as_(&ada)
        .items("/silences?sourceType=task&sourceId=nightly-backup")
        .await;
    assert_eq!(covering[0]["id"], made["id"]);
    let none = server
        .as_(&ada)
        .items("/silences?sourceType=task&sourceId=other")
        .await;
    assert!(none.is_empty());

    // At its end, one message per channel telling the incident's current state.
    clock.advance(Duration::minutes(60));
    let received = hook.wait_for(2).await;
    let body = received[1].json();
    assert_eq!(body["event"], "incident.opened");
    assert_eq!(body["incident"]["id"], incident);
    assert_eq!(deliveries(&server, &ada, &ops).await.len(), 2);
    assert_eq!(silenced_events(&server, &ada, &incident).await.len(), 1);
    assert!(
        server
            .as_(&ada)
            .items("/silences?active=true")
            .await
            .is_empty()
    );
    let (_, ended) = server
        .as_(&ada)
        .get(&format!("/silences/{}", made["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (&ended["active"], &ended["endedEarly"]),
        (&json!(false), &json!(false))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ending_a_silence_now_notifies_the_incidents_still_open_and_not_the_resolved_ones() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    task(&server, &ada, json!({"id": "still-down"})).await;
    task(&server, &ada, json!({"id": "recovers"})).await;
    let made = silence(
        &server,
        &ada,
        json!({"matchers": {"kinds": ["task"]}, "endsAt": "2026-11-30T13:00:00Z"}),
    )
    .await;
    let id = made["id"].as_str().unwrap();

    let down = run(&server, &ada, "still-down", "failure").await;
    let recovered = run(&server, &ada, "recovers", "failure").await;
    clock.advance(Duration::minutes(5));
    run(&server, &ada, "recovers", "success").await;
    assert!(deliveries(&server, &ada, &ops).await.is_empty());

    // Ended now: the open one notifies at once, the resolved one sends nothing it held.
    let (status, ended) = server
        .as_(&ada)
        .post_empty(&format!("/silences/{id}/expire"))
        .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(
        (&ended["active"], &ended["endedEarly"]),
        (&json!(false), &json!(true))
    );
    assert_eq!(ended["endsAt"], "2026-11-30T09:05:00Z");
    let received = hook.wait_for(1).await;
    assert_eq!(received[0].json()["incident"]["id"], down);
    assert_eq!(received[0].json()["event"], "incident.opened");
    // Holds are decided in one write: once the first is queued, the other was dropped.
    assert_eq!(deliveries(&server, &ada, &ops).await.len(), 1);
    assert_eq!(silenced_events(&server, &ada, &recovered).await.len(), 1);
    // Ending it again changes nothing; DELETE does the same.
    let (status, again) = server.as_(&ada).delete(&format!("/silences/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["endsAt"], "2026-11-30T09:05:00Z");
    clock.advance(Duration::hours(5));
    assert_eq!(deliveries(&server, &ada, &ops).await.len(), 1);
    assert_eq!(hook.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silence_says_what_it_covers_and_always_ends() {
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let refused = [
        (
            json!({"matchers": {}, "endsAt": "2026-11-30T10:00:00Z"}),
            "matchers",
        ),
        (
            json!({"matchers": {"all": true, "kinds": ["http"]}, "endsAt": "2026-11-30T10:00:00Z"}),
            "matchers.all",
        ),
        (
            json!({"matchers": {"all": true}, "endsAt": "2026-11-30T08:00:00Z"}),
            "endsAt",
        ),
        (
            json!({"matchers": {"all": true}, "endsAt": "2026-12-31T09:00:00Z"}),
            "endsAt",
        ),
        (
            json!({"matchers": {"tags": [{"key": ""}]}, "endsAt": "2026-11-30T10:00:00Z"}),
            "matchers.tags[0].key",
        ),
    ];
    for (body, field) in refused {
        let (status, answer) = server.as_(&ada).post("/silences", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{body}: {answer}"
        );
    }
    let (status, answer) = server
        .as_(&ada)
        .post("/silences", json!({"matchers": {"all": true}}))
        .await;
    assert!(status.is_client_error(), "{answer}");
    assert!(!code(&answer).is_empty());
    let (status, _) = server
        .as_(&ada)
        .post_empty("/silences/0193a3c4-0000-7000-8000-000000000001/expire")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let made = silence(
        &server,
        &ada,
        json!({"matchers": {"all": true}, "endsAt": "2026-12-30T09:00:00Z"}),
    )
    .await;
    assert_eq!(
        made["matchers"],
        json!({"all": true, "sourceIds": [], "kinds": [], "tags": []})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ending_one_of_two_silences_keeps_the_other_holding_and_the_timeline_says_its_end() {
    let hook = HttpReceiver::start(Behaviour::Accept).await;
    let clock = nine_o_clock();
    let (server, ada) = setup(&clock, None).await;
    let ops = webhook(&server, &ada, "Ops", hook.url("/in")).await;
    task(&server, &ada, json!({"id": "backup"})).await;
    let short = silence(
        &server,
        &ada,
        json!({"matchers": {"sourceIds": ["backup"]}, "endsAt": "2026-11-30T10:00:00Z"}),
    )
    .await;
    let long = silence(
        &server,
        &ada,
        json!({"matchers": {"kinds": ["task"]}, "endsAt": "2026-11-30T11:00:00Z"}),
    )
    .await;
    let incident = run(&server, &ada, "backup", "failure").await;
    let until =
        |events: &[Value]| -> Vec<Value> { events.iter().map(|e| e["until"].clone()).collect() };
    assert_eq!(
        until(&silenced_events(&server, &ada, &incident).await),
        ["2026-11-30T11:00:00Z"]
    );

    // The longer one ended now: still held by the shorter one, and the timeline says until 10:00.
    let path = format!("/silences/{}/expire", long["id"].as_str().unwrap());
    let (status, _) = server.as_(&ada).post_empty(&path).await;
    assert_eq!(status, StatusCode::OK);
    let events = eventually("the new end on the timeline", || async {
        let events = silenced_events(&server, &ada, &incident).await;
        (events.len() == 2).then_some(events)
    })
    .await;
    assert_eq!(
        until(&events),
        ["2026-11-30T11:00:00Z", "2026-11-30T10:00:00Z"]
    );
    assert_eq!(events[1]["silenceId"], short["id"]);
    assert!(deliveries(&server, &ada, &ops).await.is_empty());

    // At 10:00, it notifies once.
    clock.set(crate::common::at("2026-11-30T10:00:00Z"));
    assert_eq!(hook.wait_for(1).await[0].json()["incident"]["id"], incident);
    assert_eq!(silenced_events(&server, &ada, &incident).await.len(), 2);
}
