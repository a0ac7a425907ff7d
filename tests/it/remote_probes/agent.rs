//! The probe against a stand-in server (`fake`): on a manual clock in this process, checks on
//! the server's grid, results in order through an outage, a new list followed at once; as a
//! process, its arguments, a clean stop and a buffer that outlives a restart.

use std::path::Path;

use dutyduck::clock::Clock;
use dutyduck::ids::MonitorId;
use dutyduck::monitors::remote::RemoteResult;
use dutyduck::monitors::schedule::next_due;
use dutyduck::probes::agent;
use tokio::sync::oneshot;

use super::fake::{Fake, TOKEN, http};
use super::process::{Process, buffered};
use crate::common::target::Target;
use crate::common::{at, eventually};

/// The probe in this process; dropping the sender stops it.
fn spawn(
    fake: &Fake,
    clock: &Clock,
    dir: &Path,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let config = agent::Config {
        server: fake.url().parse().unwrap(),
        token: TOKEN.into(),
        buffer_dir: dir.to_owned(),
        buffer_max_results: 1000,
        concurrency: 8,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let clock = clock.clone();
    let task = tokio::spawn(async move {
        agent::run(config, clock, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (stop, task)
}

fn dues_of(results: &[RemoteResult], id: MonitorId) -> Vec<chrono::DateTime<chrono::Utc>> {
    results
        .iter()
        .filter(|r| r.monitor_id == id)
        .map(|r| r.due)
        .collect()
}

#[tokio::test]
async fn checks_run_on_the_server_grid_and_arrive_in_order_through_an_outage() {
    let clock = Clock::manual(at("2026-12-07T10:00:00.000Z"));
    // The server's clock is an hour ahead: slots are on its grid, not on the probe's.
    let skew = chrono::Duration::hours(1);
    let target = Target::start().await;
    let fake = Fake::start(clock.clone(), skew).await;
    let (a, b) = (http(1, &target.url(), 10), http(2, &target.url(), 10));
    fake.assign(vec![a.clone(), b.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let (stop, probe) = spawn(&fake, &clock, dir.path());
    eventually("the probe to follow its list", || async {
        fake.polling_current().then_some(())
    })
    .await;

    for step in 1..=2 {
        clock.advance(chrono::Duration::seconds(10));
        eventually("results of both monitors", || async {
            (fake.results().len() >= 2 * step).then_some(())
        })
        .await;
    }
    // The server goes down: results wait in the buffer.
    fake.set_down(true);
    for step in 1..=3 {
        clock.advance(chrono::Duration::seconds(10));
        eventually("results in the buffer", || async {
            (buffered(dir.path()) >= 2 * step).then_some(())
        })
        .await;
    }
    assert_eq!(fake.results().len(), 4);
    fake.set_down(false);
    eventually("the buffered results sent", || async {
        (fake.results().len() >= 10 && buffered(dir.path()) == 0).then_some(())
    })
    .await;

    let results = fake.results();
    assert_eq!(results.len(), 10, "each slot once: {results:?}");
    let server_start = at("2026-12-07T11:00:00.000Z");
    for m in [&a, &b] {
        let dues = dues_of(&results, m.id);
        let first = next_due(m.id, 10, server_start);
        let expected: Vec<_> = (0..5)
            .map(|k| first + chrono::Duration::seconds(10 * k))
            .collect();
        assert_eq!(
            dues, expected,
            "monitor {}: consecutive slots of the server's grid, in order",
            m.id
        );
    }
    for r in &results {
        assert!(
            r.checked_at >= r.due,
            "checked at {} for {}",
            r.checked_at,
            r.due
        );
        assert_eq!(r.outcome.http_code, Some(200), "{r:?}");
    }
    // Requests carry the probe's own clock, for the server to measure the skew.
    let times = fake.state.lock().unwrap().probe_times.clone();
    assert_eq!(times[0], "2026-12-07T10:00:00.000Z");
    drop(stop);
    probe.await.unwrap();
}

#[tokio::test]
async fn a_changed_list_is_followed_at_once() {
    let clock = Clock::manual(at("2026-12-07T10:00:00.000Z"));
    let target = Target::start().await;
    let fake = Fake::start(clock.clone(), chrono::Duration::zero()).await;
    let (a, b) = (http(1, &target.url(), 10), http(2, &target.url(), 10));
    fake.assign(vec![a.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let (stop, probe) = spawn(&fake, &clock, dir.path());
    eventually("the first list", || async {
        fake.polling_current().then_some(())
    })
    .await;
    clock.advance(chrono::Duration::seconds(10));
    eventually("a result of the first monitor", || async {
        (!dues_of(&fake.results(), a.id).is_empty()).then_some(())
    })
    .await;

    // A new list: the long poll answers at once, the probe takes it without a restart.
    fake.assign(vec![b.clone()]);
    eventually("the new list taken", || async {
        fake.polling_current().then_some(())
    })
    .await;
    let changed_at = clock.now();
    for _ in 0..2 {
        clock.advance(chrono::Duration::seconds(10));
        let seen = fake.results().len();
        eventually("a result of the new monitor", || async {
            (fake.results().len() > seen).then_some(())
        })
        .await;
    }
    let results = fake.results();
    assert_eq!(dues_of(&results, b.id).len(), 2, "{results:?}");
    assert!(
        dues_of(&results, a.id).iter().all(|due| *due <= changed_at),
        "{results:?}"
    );
    drop(stop);
    probe.await.unwrap();
}

#[tokio::test]
async fn bad_arguments_exit_2_with_what_to_fix() {
    let run = |args: &[&str], token: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dutyduck"));
        cmd.arg("probe")
            .args(args)
            .env_remove("DUTYDUCK_PROBE_TOKEN")
            .env_remove("DUTYDUCK_SERVER");
        if let Some(token) = token {
            cmd.env("DUTYDUCK_PROBE_TOKEN", token);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let cases: [(&[&str], Option<&str>, &str); 5] = [
        (
            &["--server", "http://127.0.0.1:9"],
            None,
            "set DUTYDUCK_PROBE_TOKEN or give --token-file",
        ),
        (
            &["--server", "http://127.0.0.1:9"],
            Some("some-api-secret"),
            "should look like ddp_",
        ),
        (
            &["--server", "127.0.0.1:8080"],
            Some(TOKEN),
            "is not an http:// or https:// URL",
        ),
        (
            &[
                "--server",
                "http://127.0.0.1:9",
                "--token-file",
                "/nonexistent/token",
            ],
            None,
            "cannot read --token-file",
        ),
        (
            &["--server", "http://127.0.0.1:9", "--concurrency", "0"],
            Some(TOKEN),
            "--concurrency",
        ),
    ];
    for (args, token, says) in cases {
        let (code, stderr) = run(args, token);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains(TOKEN), "the token never shows: {stderr}");
    }
    let (_, help) = {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dutyduck"))
            .args(["probe", "--help"])
            .env("DUTYDUCK_PROBE_TOKEN", TOKEN)
            .output()
            .unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert!(
        help.contains("DUTYDUCK_PROBE_TOKEN") && !help.contains(TOKEN),
        "{help}"
    );
}

#[tokio::test]
async fn a_stopped_probe_keeps_its_results_for_the_next_start() {
    let target = Target::start().await;
    let fake = Fake::start(Clock::system(), chrono::Duration::zero()).await;
    fake.assign(vec![http(1, &target.url(), 1)]);
    let dir = tempfile::tempdir().unwrap();
    let mut probe = Process::probe(&fake.url(), TOKEN, dir.path(), None);
    probe.wait_log("1 monitors assigned").await;
    fake.set_down(true);
    eventually("results in the buffer", || async {
        (buffered(dir.path()) >= 2).then_some(())
    })
    .await;
    let status = probe.stop_status().await;
    assert_eq!(status.code(), Some(0), "{status}: {}", probe.log());
    assert!(
        probe
            .log()
            .contains("results in the buffer for the next start"),
        "{}",
        probe.log()
    );
    let kept = buffered(dir.path());
    assert!(kept >= 2);
    let sent_before = fake.results().len();

    fake.set_down(false);
    let mut probe = Process::probe(&fake.url(), TOKEN, dir.path(), None);
    probe.wait_log(&format!("{kept} results left in")).await;
    probe
        .wait_log("connected as probe \"eu-west\" (region=a): 1 monitors assigned")
        .await;
    eventually("the kept results sent", || async {
        (fake.results().len() > sent_before + kept).then_some(())
    })
    .await;
    let dues: Vec<_> = fake.results().iter().map(|r| r.due).collect();
    assert!(dues.windows(2).all(|w| w[0] < w[1]), "in order: {dues:?}");
    assert_eq!(probe.stop().await, Some(0), "{}", probe.log());
}
