//! Overview benchmark of the real `dutyduck` release binary with 100,000 monitors: the latency
//! of `GET /overview` next to `GET /healthz`, one request at a time and under 64 connections
//! (with `/healthz` asked one at a time meanwhile).
//!
//! Run: `cargo bench --bench overview` (BENCH_MONITORS to change the 100,000, BENCH_SECONDS the
//! 5 s load window). The monitors are written before the server starts, straight through
//! `monitors::store::insert` on the data dir (an API create per monitor would take minutes),
//! then given a realistic spread of statuses in one UPDATE (1 in 20 down, 1 in 50 suspicious,
//! 1 in 100 paused, the rest up, status changes spread over two days) with no check scheduled,
//! so the server does nothing but answer. 1 in 50 down monitors gets an ongoing incident, half
//! of them acknowledged. With BENCH_RENDER=1 and the browser tests' node modules installed,
//! `tests/bench/overview-render.mjs` also times the page in headless Chromium.

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dutyduck::clock::Clock;
use dutyduck::ids::OrgId;
use dutyduck::monitors::settings::{MonitorInput, Settings};
use reqwest::header::HeaderMap;
use rusqlite::Connection;
use support::{Stats, client, get, load, report};

const SERIAL: usize = 200;

/// Writes `n` monitors and their statuses into the data dir `dir` (the server not running).
fn fill(dir: &Path, n: usize) {
    let started = Instant::now();
    let mut conn = Connection::open(dir.join("dutyduck.db")).expect("open db");
    let org: OrgId = conn
        .query_row("SELECT id FROM organizations", [], |r| r.get(0))
        .expect("the bench organization");
    let now = Clock::system().now();
    let tx = conn.transaction().expect("transaction");
    for i in 0..n {
        let input: MonitorInput = serde_json::from_value(serde_json::json!({
            "name": format!("Service {i:06}"), "url": format!("http://127.0.0.1:9/m{i}"),
        }))
        .expect("monitor input");
        let settings = Settings::create(input).expect("settings");
        dutyduck::monitors::store::insert(&tx, org, &settings, false, now).expect("insert");
    }
    let now_ms = now.timestamp_millis();
    tx.execute(
        "UPDATE monitors SET next_check_at = NULL, first_check_at = ?1,
            last_status_change_at = ?1 - (rowid % 2880) * 60000,
            status = CASE WHEN rowid % 100 = 0 THEN 'inactive' WHEN rowid % 20 = 1 THEN 'down'
                          WHEN rowid % 50 = 2 THEN 'suspicious' ELSE 'up' END",
        [now_ms],
    )
    .expect("statuses");
    tx.execute(
        "INSERT INTO incidents (id, organization_id, source_type, source_id, title, status,
            priority, created_at)
         SELECT lower(hex(randomblob(16))), organization_id, 'httpmonitor', id, name || ' is down',
            'ongoing', 'major', last_status_change_at
         FROM monitors WHERE rowid % 1000 = 1",
        [],
    )
    .expect("incidents");
    tx.execute(
        "INSERT INTO incident_acknowledgements (incident_id, user_id, created_at)
         SELECT i.id, (SELECT id FROM users), i.created_at FROM incidents i WHERE i.rowid % 2 = 0",
        [],
    )
    .expect("acknowledgements");
    tx.commit().expect("commit");
    println!(
        "wrote {n} monitors in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// One keep-alive connection, one request at a time; the first 20 are not counted. At least
/// `SERIAL` counted requests, and more until `until`, if given.
async fn serial(url: &str, headers: HeaderMap, until: Option<Instant>) -> Stats {
    let client = client(headers);
    let mut stats = Stats::default();
    let more = |i: usize| i < SERIAL + 20 || until.is_some_and(|u| Instant::now() < u);
    let mut i = 0;
    while more(i) {
        i += 1;
        let start = Instant::now();
        let ok = get(&client, url).await;
        if i > 20 {
            stats.latencies.push(start.elapsed());
            stats.failures += usize::from(!ok);
        }
    }
    stats.latencies.sort_unstable();
    stats
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let n: usize =
        std::env::var("BENCH_MONITORS").map_or(100_000, |s| s.parse().expect("BENCH_MONITORS"));
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(5.0, |s| s.parse().expect("BENCH_SECONDS"));
    // The monitors go in between the CLI's user and token and the server's start.
    let bench = support::start_with(|serve: Command| {
        let dir = PathBuf::from(serve.get_args().nth(1).expect("--data-dir DIR"));
        fill(&dir, n);
        serve
    })
    .await;
    let base = &bench.base;
    let overview: serde_json::Value = client(bench.auth.clone())
        .get(format!("{base}/overview"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("GET /overview")
        .json()
        .await
        .expect("overview JSON");
    println!(
        "overview of {} monitors: {} down, {} ongoing incidents ({} not acknowledged), {} status changes in 24 h",
        overview["monitors"]["total"],
        overview["monitors"]["down"],
        overview["incidents"]["total"],
        overview["incidents"]["unacknowledged"],
        overview["changes"]["statusChanges"]
    );
    println!("\nSerial: 1 keep-alive connection, {SERIAL} requests after 20 uncounted");
    support::report_header();
    let health = serial(&format!("{base}/healthz"), HeaderMap::new(), None).await;
    report("GET /healthz (serial)", &health, 1.0);
    let over = serial(&format!("{base}/overview"), bench.auth.clone(), None).await;
    report("GET /overview (serial)", &over, 1.0);
    println!("(req/s of serial rows: requests made, not a rate)");

    println!("\nLoad: 64 keep-alive connections, {secs} s each");
    support::report_header();
    let health = load(&format!("{base}/healthz"), HeaderMap::new(), secs).await;
    report("GET /healthz", &health, secs);
    // /healthz one at a time while 64 connections ask for the overview: what the API's
    // latency pays for the overviews being read.
    let (overview_url, health_url) = (format!("{base}/overview"), format!("{base}/healthz"));
    let (over, during) = tokio::join!(
        load(&overview_url, bench.auth.clone(), secs),
        serial(
            &health_url,
            HeaderMap::new(),
            Some(Instant::now() + support::WARM_UP + Duration::from_secs_f64(secs))
        )
    );
    report("GET /overview", &over, secs);
    report("  /healthz meanwhile (serial)", &during, 1.0);
    println!("server peak RSS: {}", support::peak_rss(&bench.server));

    if std::env::var("BENCH_RENDER").is_ok_and(|v| v == "1") {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/bench/overview-render.mjs"
        );
        let status = Command::new("node")
            .arg(script)
            .arg(base)
            .status()
            .expect("run node");
        assert!(status.success(), "overview-render.mjs failed");
    }
}
