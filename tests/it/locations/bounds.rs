//! What a probe sends is bounded before it is stored or reaches the monitor: its check time
//! within its slot and the server's clock, its error's length, the message of a monitor down.

use chrono::Duration;
use dutyduck::monitors::model::ErrorKind;
use dutyduck::monitors::remote::{RemoteOutcome, RemoteResult};
use serde_json::json;

use super::fleet::{Fleet, location, probe};
use crate::common::at;

#[tokio::test(flavor = "multi_thread")]
async fn a_result_from_the_future_or_with_a_huge_error_is_bounded() {
    let fleet = Fleet::start().await;
    let id = fleet
        .create(
            json!({"url": "http://127.0.0.1:9/", "downtimeConfirmationThreshold": 1,
            "locations": ["region=eu-west"]}),
        )
        .await;
    let eu = probe(Some(fleet.org(&id).await), "eu-west");
    let due = fleet.due(&id).await;
    let arrived = due + Duration::seconds(1);
    let result = RemoteResult {
        monitor_id: id.parse().unwrap(),
        due,
        // A probe's clock a year ahead.
        checked_at: due + Duration::days(365),
        outcome: RemoteOutcome {
            error_kind: ErrorKind::Timeout,
            http_code: None,
            response_time_ms: 40,
            answered: false,
            error: Some("x".repeat(100_000)),
            tls_expires_at: None,
            details: Some(json!({"body": "y".repeat(100_000)})),
        },
    };
    assert_eq!(fleet.send(&eu, result, arrived).accepted, 1);
    fleet.server.clock.set(due + Duration::seconds(5));
    let m = crate::common::eventually("the slot decided", || async {
        let m = fleet.get(&id).await;
        (at(m["nextCheckAt"].as_str()?) > due).then_some(m)
    })
    .await;
    assert_eq!(m["status"], "down", "{m}");
    let error = m["lastError"].as_str().unwrap();
    assert!(error.chars().count() <= 1001, "{}", error.len());
    assert!(error.starts_with("Down from 1 of 1 locations: eu-west: xxx"));
    assert_eq!(m["lastCheckDetails"], serde_json::Value::Null);

    let view = fleet.locations(&id).await;
    let eu_view = location(&view, "eu-west");
    let checked = at(eu_view["lastCheckedAt"].as_str().unwrap());
    assert!(checked <= arrived + Duration::seconds(5), "{checked}");
    assert!(eu_view["error"].as_str().unwrap().chars().count() <= 1001);
}
