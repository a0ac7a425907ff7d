//! A monitor's locations and quorum travel through export → apply on an empty instance →
//! export unchanged.

use serde_json::json;

use super::{cli_with_env, stdout, yaml_of};
use crate::common::TestServer;
use dutyduck::clock::Clock;

#[tokio::test(flavor = "multi_thread")]
async fn locations_and_quorum_survive_a_round_trip() {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .to_utc();
    let source = TestServer::start_with_clock(Clock::manual(start)).await;
    let token = source.user_with_token("ada@example.com", "Acme");
    source
        .as_(&token)
        .create(
            "/monitors",
            json!({"name": "Shop", "url": "https://shop.example.com/health",
                   "locations": ["local", "region=eu"], "quorum": 2}),
        )
        .await;
    let exported = yaml_of(source.as_(&token)).await;
    assert!(
        exported.contains("locations:\n      - local\n      - \"region=eu\"\n"),
        "{exported}"
    );
    assert!(exported.contains("quorum: 2\n"), "{exported}");

    let mut target = TestServer::start_with_clock(Clock::manual(start)).await;
    let other = target.user_with_token("grace@example.com", "Beta");
    target.stop().await;
    stdout(&cli_with_env(
        &target.data_dir,
        &["apply", "-f", "-"],
        &[],
        &exported,
    ));
    target.restart().await;
    assert_eq!(yaml_of(target.as_(&other)).await, exported);
}
