//! The quorum at each slot, with a real local target and probes' results recorded through the
//! library.

use chrono::Duration;
use serde_json::json;

use super::fleet::{Counting, Fleet, location, probe};
use crate::common::target::{Mode, Target};

#[tokio::test(flavor = "multi_thread")]
async fn two_of_three_locations_down_make_the_monitor_down_one_does_not() {
    let fleet = Fleet::start().await;
    let target = Target::start().await;
    let id = fleet
        .create(json!({"name": "Shop", "url": target.url(),
            "locations": ["local", "region=eu-west", "region=us-east"]}))
        .await;
    let org = fleet.org(&id).await;
    let (eu, us) = (probe(Some(org), "eu-west"), probe(Some(org), "us-east"));

    let m = fleet.slot(&id, &[(&eu, true), (&us, true)]).await;
    assert_eq!(m["status"], "up", "{m}");
    // One location down of three: still up.
    let m = fleet.slot(&id, &[(&eu, false), (&us, true)]).await;
    assert_eq!(m["status"], "up", "{m}");
    // Two of three: a failure, confirmed at the second (the default thresholds are 2).
    let m = fleet.slot(&id, &[(&eu, false), (&us, false)]).await;
    assert_eq!(m["status"], "suspicious", "{m}");
    let m = fleet.slot(&id, &[(&eu, false), (&us, false)]).await;
    assert_eq!(m["status"], "down", "{m}");
    assert_eq!(m["errorKind"], "timeout");
    assert_eq!(
        m["lastError"],
        "Down from 2 of 3 locations: eu-west: timed out after 2000 ms; us-east: timed out after 2000 ms"
    );

    let view = fleet.locations(&id).await;
    assert_eq!(
        (view["quorum"].as_u64(), view["reporting"].as_u64()),
        (Some(2), Some(3)),
        "{view}"
    );
    let local = location(&view, "local");
    assert_eq!(
        (local["status"].as_str(), local["checks24h"].as_u64()),
        (Some("up"), Some(4))
    );
    assert_eq!(local["uptime24h"], 100.0);
    let eu_view = location(&view, "eu-west");
    assert_eq!(eu_view["selector"], "region=eu-west");
    assert_eq!(eu_view["location"], "probe-eu-west");
    assert_eq!(
        (eu_view["status"].as_str(), eu_view["checks24h"].as_u64()),
        (Some("down"), Some(4))
    );
    assert_eq!(eu_view["uptime24h"], 25.0);
    assert_eq!(eu_view["error"], "timed out after 2000 ms");
    assert_eq!(location(&view, "us-east")["uptime24h"], 50.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_location_gone_silent_leaves_the_decision_to_the_others() {
    let fleet = Fleet::start().await;
    let target = Target::start().await;
    let id = fleet
        .create(
            json!({"url": target.url(), "downtimeConfirmationThreshold": 1,
            "recoveryConfirmationThreshold": 1,
            "locations": ["local", "region=eu-west", "region=us-east"]}),
        )
        .await;
    let org = fleet.org(&id).await;
    let (eu, us) = (probe(Some(org), "eu-west"), probe(Some(org), "us-east"));

    let m = fleet.slot(&id, &[(&eu, true), (&us, false)]).await;
    assert_eq!(m["status"], "up", "{m}");
    // us-east says nothing more: its result of the previous slot still counts once…
    let m = fleet.slot(&id, &[(&eu, false)]).await;
    assert_eq!(m["status"], "down", "{m}");
    assert!(
        m["lastError"]
            .as_str()
            .unwrap()
            .starts_with("Down from 2 of 3 locations")
    );
    // …then it is stale: one failure of the two locations reporting is no majority.
    let m = fleet.slot(&id, &[(&eu, false)]).await;
    assert_eq!(m["status"], "up", "{m}");
    let view = fleet.locations(&id).await;
    assert_eq!(location(&view, "us-east")["status"], "stale", "{view}");
    assert_eq!(
        (view["quorum"].as_u64(), view["reporting"].as_u64()),
        (Some(2), Some(2))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_result_is_kept_marked_late_and_never_counts() {
    let fleet = Fleet::start().await;
    let target = Target::start().await;
    let id = fleet
        .create(
            json!({"url": target.url(), "downtimeConfirmationThreshold": 1,
            "locations": ["region=eu-west", "local"]}),
        )
        .await;
    let eu = probe(Some(fleet.org(&id).await), "eu-west");
    let m = fleet.slot(&id, &[(&eu, true)]).await;
    assert_eq!(m["status"], "up", "{m}");
    let previous = fleet.due(&id).await - Duration::seconds(60);

    // A failure for that slot, arriving more than an interval after it: late.
    let recorded = fleet.report(&eu, &id, previous, false, previous + Duration::seconds(61));
    assert_eq!(
        (recorded.accepted, recorded.late, recorded.ignored),
        (0, 1, 0)
    );
    target.set(Mode::Status(500));
    // The local check fails; eu-west's latest fresh result still passes: 1 of 2, up.
    let m = fleet.slot(&id, &[]).await;
    assert_eq!(m["status"], "up", "{m}");
    let view = fleet.locations(&id).await;
    let eu_view = location(&view, "eu-west");
    assert_eq!(eu_view["lateResults24h"], 1, "{view}");
    assert_eq!(
        (eu_view["checks24h"].as_u64(), eu_view["status"].as_str()),
        (Some(1), Some("up"))
    );
    assert_eq!(location(&view, "local")["status"], "down");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_explicit_quorum_sets_how_many_failures_make_it_down() {
    let fleet = Fleet::start().await;
    let target = Target::start().await;
    let id = fleet
        .create(
            json!({"url": target.url(), "downtimeConfirmationThreshold": 1,
            "recoveryConfirmationThreshold": 1, "quorum": 1,
            "locations": ["local", "region=eu-west", "region=us-east"]}),
        )
        .await;
    let org = fleet.org(&id).await;
    let (eu, us) = (probe(Some(org), "eu-west"), probe(Some(org), "us-east"));
    let m = fleet.slot(&id, &[(&eu, false), (&us, true)]).await;
    assert_eq!(m["status"], "down", "{m}");
    assert_eq!(
        m["lastError"],
        "Down from 1 of 3 locations: eu-west: timed out after 2000 ms"
    );

    let (status, body) = fleet
        .server
        .as_(&fleet.token)
        .patch(&format!("/monitors/{id}"), json!({"quorum": 3}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["quorum"], 3);
    let m = fleet.slot(&id, &[(&eu, false), (&us, false)]).await;
    assert_eq!(
        m["status"], "up",
        "two of three is below a quorum of 3: {m}"
    );
    assert_eq!(fleet.locations(&id).await["quorum"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_monitor_without_local_is_decided_by_probes_alone() {
    let fleet = Fleet::start().await;
    let target = Counting::start().await;
    let id = fleet
        .create(
            json!({"url": target.url, "downtimeConfirmationThreshold": 1,
            "recoveryConfirmationThreshold": 1, "locations": ["region=eu-west"]}),
        )
        .await;
    let eu = probe(Some(fleet.org(&id).await), "eu-west");
    let m = fleet.slot(&id, &[(&eu, false)]).await;
    assert_eq!(m["status"], "down", "{m}");
    assert_eq!(
        m["lastError"],
        "Down from 1 of 1 locations: eu-west: timed out after 2000 ms"
    );
    let m = fleet.slot(&id, &[(&eu, true)]).await;
    assert_eq!(m["status"], "up", "{m}");
    assert_eq!(m["lastResponseTimeMs"], 40);

    // No location at all for two slots: the first still has the previous result, the second
    // is skipped, nothing recorded.
    fleet.slot(&id, &[]).await;
    let before = fleet.get(&id).await["lastCheckAt"].clone();
    let m = fleet.slot(&id, &[]).await;
    assert_eq!(m["lastCheckAt"], before, "{m}");
    assert_eq!(m["status"], "up");
    assert_eq!(target.hits(), 0, "the server itself never checked");
}
