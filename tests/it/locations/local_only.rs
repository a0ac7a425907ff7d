//! A monitor checked from this server only (the default) keeps no per-location results: its
//! one location, on `GET /monitors/{id}/locations`, is its own last check.

use serde_json::json;

use super::fleet::{Fleet, location};
use crate::common::eventually;
use crate::common::target::{Mode, Target};

#[tokio::test(flavor = "multi_thread")]
async fn a_local_only_monitor_shows_its_last_check_as_its_location() {
    let fleet = Fleet::start().await;
    let target = Target::start().await;
    let id = fleet
        .create(json!({"url": target.url(), "downtimeConfirmationThreshold": 1}))
        .await;
    let view = fleet.locations(&id).await;
    assert_eq!(view["locations"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(location(&view, "local")["status"], "waiting");

    let due = fleet.due(&id).await;
    fleet.server.clock.set(due);
    let m = eventually("the first check", || async {
        let m = fleet.get(&id).await;
        m["lastCheckAt"].is_string().then_some(m)
    })
    .await;
    let view = fleet.locations(&id).await;
    let local = location(&view, "local");
    assert_eq!(local["status"], "up", "{view}");
    assert_eq!(local["lastCheckedAt"], m["lastCheckAt"]);
    assert_eq!(local["responseTimeMs"], m["lastResponseTimeMs"]);
    assert_eq!(
        (view["reporting"].as_u64(), view["quorum"].as_u64()),
        (Some(1), Some(1))
    );

    target.set(Mode::Status(500));
    let due = fleet.due(&id).await;
    fleet.server.clock.set(due);
    eventually("the failed check", || async {
        (fleet.get(&id).await["status"] == "down").then_some(())
    })
    .await;
    let view = fleet.locations(&id).await;
    assert_eq!(location(&view, "local")["status"], "down", "{view}");
}
