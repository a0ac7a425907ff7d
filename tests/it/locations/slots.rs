//! When a slot of a monitor checked from probes is decided: once per slot even when the timeout
//! is as long as the interval, and after a restart against the slot actually run, never against
//! results from before the server stopped.

use chrono::Duration;
use serde_json::json;

use super::fleet::{Fleet, probe};
use crate::common::{at, eventually};

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_as_long_as_the_interval_still_decides_every_slot() {
    let fleet = Fleet::start().await;
    let body = json!({"name": "Fast", "url": "http://127.0.0.1:9/",
        "intervalSeconds": 10, "requestTimeoutMs": 10_000,
        "downtimeConfirmationThreshold": 1, "recoveryConfirmationThreshold": 1,
        "locations": ["region=eu-west"]});
    let created = fleet
        .server
        .as_(&fleet.token)
        .create("/monitors", body)
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let eu = probe(Some(fleet.org(&id).await), "eu-west");
    for (slot, ok) in [true, false, true, false].into_iter().enumerate() {
        let due = fleet.due(&id).await;
        fleet.report(&eu, &id, due, ok, due + Duration::seconds(1));
        // Decided within its interval (not at due + timeout + slack, in the next slot).
        fleet.server.clock.set(due + Duration::seconds(9));
        let m = eventually("the slot decided", || async {
            let m = fleet.get(&id).await;
            (at(m["nextCheckAt"].as_str()?) > due).then_some(m)
        })
        .await;
        let next = at(m["nextCheckAt"].as_str().unwrap());
        if slot > 0 {
            // Past the first slot (off the grid, soon after creation): every grid point.
            assert_eq!(next - due, Duration::seconds(10), "{m}");
        }
        assert_eq!(m["status"], if ok { "up" } else { "down" }, "{m}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn results_from_before_a_restart_never_stand_for_a_later_slot() {
    let mut fleet = Fleet::start().await;
    let id = fleet
        .create(
            json!({"url": "http://127.0.0.1:9/", "downtimeConfirmationThreshold": 1,
            "recoveryConfirmationThreshold": 1, "locations": ["region=eu-west"]}),
        )
        .await;
    let eu = probe(Some(fleet.org(&id).await), "eu-west");
    let m = fleet.slot(&id, &[(&eu, true)]).await;
    assert_eq!(m["status"], "up", "{m}");
    let checked = m["lastCheckAt"].clone();

    // The probe fails the next slot, then the server stops before deciding it and stays down
    // for an hour.
    let due = fleet.due(&id).await;
    fleet.server.stop().await;
    fleet.report(&eu, &id, due, false, due + Duration::seconds(1));
    fleet.server.clock.set(due + Duration::hours(1));
    fleet.server.restart().await;

    // The missed slot runs at the next grid point; the probe's hour-old failure is no result
    // of it: nothing fresh, the slot is skipped.
    fleet
        .server
        .clock
        .set(due + Duration::hours(1) + Duration::seconds(65));
    let m = eventually("the missed slot run", || async {
        let m = fleet.get(&id).await;
        (at(m["nextCheckAt"].as_str()?) > due + Duration::hours(1)).then_some(m)
    })
    .await;
    assert_eq!(m["status"], "up", "{m}");
    assert_eq!(m["lastCheckAt"], checked, "{m}");
}
