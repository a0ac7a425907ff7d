//! The sample Uptime Kuma 2.5 database imported: dry run, import, again (nothing to do), the
//! push monitor's URL, and the heartbeats as history.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{fixture, import};
use crate::common::{TestServer, at};
use dutyduck::clock::Clock;

async fn imported() -> (TestServer, crate::common::Token, String) {
    let mut server = TestServer::start_with_clock(Clock::manual(at("2026-12-02T10:00:00Z"))).await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let out = import(
        &mut server,
        &[
            "uptime-kuma",
            &fixture("uptime-kuma/sample.db"),
            "--org",
            "Acme",
        ],
    )
    .await;
    (server, token, out)
}

#[tokio::test]
async fn a_dry_run_prints_the_report_and_plan_and_changes_nothing() {
    let mut server = TestServer::start().await;
    let token = server.user_with_token("ada@example.com", "Acme");
    let out = import(
        &mut server,
        &[
            "uptime-kuma",
            &fixture("uptime-kuma/sample.db"),
            "--dry-run",
        ],
    )
    .await;
    for expected in [
        "monitor: 13 imported",
        "task: 1 imported",
        "channel: 3 imported",
        "maintenance window: 2 imported",
        "status page: 1 imported",
        "Plan: 20 to create, 0 to update, 0 to delete.",
        "Dry run: nothing was changed.",
    ] {
        assert!(out.contains(expected), "{expected:?} missing from\n{out}");
    }
    assert_eq!(
        server
            .as_(&token)
            .items("/monitors?itemsPerPage=50")
            .await
            .len(),
        0
    );
    assert_eq!(
        server
            .as_(&token)
            .items("/tasks?itemsPerPage=50")
            .await
            .len(),
        0
    );
}

#[tokio::test]
async fn the_sample_comes_over_once_and_its_push_url_keeps_working() {
    let (mut server, token, _) = imported().await;
    let monitors = server.as_(&token).items("/monitors?itemsPerPage=50").await;
    assert_eq!(monitors.len(), 13);
    let kinds = |k: &str| monitors.iter().filter(|m| m["kind"] == k).count();
    assert_eq!(
        (kinds("http"), kinds("tcp"), kinds("icmp"), kinds("dns")),
        (8, 2, 1, 2)
    );
    assert_eq!(
        server
            .as_(&token)
            .items("/notification-channels")
            .await
            .len(),
        3
    );
    assert_eq!(
        server.as_(&token).items("/maintenance-windows").await.len(),
        2
    );
    assert_eq!(server.as_(&token).items("/status-pages").await.len(), 1);

    let again = import(
        &mut server,
        &["uptime-kuma", &fixture("uptime-kuma/sample.db")],
    )
    .await;
    assert!(again.contains("No changes."), "{again}");
    assert_eq!(
        server
            .as_(&token)
            .items("/monitors?itemsPerPage=50")
            .await
            .len(),
        13
    );

    let resp = server
        .request(
            Method::GET,
            "/api/push/g9xGGJ5NGBNInGUDNOWWFTIoWYmhLYCd?status=up&msg=OK&ping=",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap()["ok"], true);
    let runs = server
        .as_(&token)
        .get_ok("/tasks/nightly-cron-push/runs")
        .await["runs"]
        .clone();
    assert_eq!(runs[0]["status"], "finished");
}

/// The heartbeats of the days asked for become check results of the monitors they belong to,
/// once: a second import of the same history adds nothing.
#[tokio::test]
async fn heartbeats_become_check_history_once() {
    use dutyduck::import::kuma::{history, import_with_history};
    let (server, token, _) = imported().await;
    let conn =
        dutyduck::store::open_migrated(&server.data_dir, dutyduck::store::Create::No).unwrap();
    let org: String = conn
        .query_row("SELECT id FROM organizations", [], |r| r.get(0))
        .unwrap();
    let org = dutyduck::ids::OrgId(org.parse().unwrap());
    let path = std::path::PathBuf::from(fixture("uptime-kuma/sample.db"));
    let (imported, beats) =
        import_with_history(&path, org, at("2026-12-03T00:00:00Z"), Some(2)).unwrap();
    // 101 heartbeats: 6 of the group and 6 of the push monitor are not checks.
    assert_eq!(beats.len(), 89);
    assert!(
        imported
            .report
            .to_string()
            .contains("6 heartbeats of push monitors"),
        "{}",
        imported.report
    );
    assert_eq!(history::write(&conn, &beats).unwrap(), 89);
    assert_eq!(history::write(&conn, &beats).unwrap(), 0);

    let monitors = server.as_(&token).items("/monitors?itemsPerPage=50").await;
    let ping = monitors
        .iter()
        .find(|m| m["name"] == "Loopback ping")
        .unwrap();
    let checks = server
        .as_(&token)
        .items(&format!(
            "/monitors/{}/checks",
            ping["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(checks.len(), 6);
    let kept_apart = checks.iter().filter(|c| c["inMaintenance"] == true).count();
    assert_eq!(
        kept_apart, 5,
        "its beats under the manual maintenance: {checks:?}"
    );
    let (_, none_later) =
        import_with_history(&path, org, at("2026-12-10T00:00:00Z"), Some(2)).unwrap();
    assert!(
        none_later.is_empty(),
        "heartbeats older than the days asked for stay behind"
    );
}

/// A running server schedules monitors in memory: importing behind its back is refused, with
/// what to do instead.
#[tokio::test]
async fn importing_into_a_running_servers_data_dir_is_refused() {
    let server = TestServer::start().await;
    server.create_user("ada@example.com", "Acme", None);
    let out = server.cli(&["import", "uptime-kuma", &fixture("uptime-kuma/sample.db")]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stop it, import, then start it again"),
        "{stderr}"
    );
}
