//! Remote probes benchmark of the real `dutyduck` release binary: one server, 3 probes
//! (`dutyduck probe`, separate processes on this machine) and 30,000 HTTP monitors at 60 s
//! checked from the 3 probes' locations, next to a baseline measured in the same run: the same
//! monitors on a fresh server checked locally (the default location).
//!
//! Run: `cargo bench --bench probes` (120 s window per row), or for a quick look
//! `PROBES_BENCH_MONITORS=3000 BENCH_SECONDS=30 cargo bench --bench probes`.
//!
//! The target is a warp server in this process on 127.0.0.1 answering 200 "ok" to every path,
//! counting requests (as in the monitors benchmark). Each row: a fresh data dir, a user and an
//! API token made with the CLI, `dutyduck serve` on a free loopback port, the monitors through
//! `POST /monitors` (32 in flight); for the probes row, 3 probes registered with `dutyduck probes
//! add --label region=X` and started after the monitors exist (so each fetches its list once),
//! the monitors' locations `["region=a", "region=b", "region=c"]` without "local". After a 15 s
//! settle it measures a window and prints: checks/s scheduled and received by the target, the
//! server's CPU over the window (utime + stime from /proc/PID/stat, % of one core: for the probes
//! row that is result ingest plus the quorum, against local checking in the baseline) and peak
//! RSS; under the probes row, one line per location: results/s recorded (rows of
//! `location_results` in the window, read from the database) with how many arrived late, and
//! the probe's CPU, RSS and peak RSS. Server, probes, target and bench client share the same
//! cores: read the figures as costs on this machine, not as capacities.

#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags};
use warp::Filter;

const INTERVAL: u64 = 60;
const IN_FLIGHT: usize = 32;
const SETTLE: Duration = Duration::from_secs(15);
const REGIONS: [&str; 3] = ["a", "b", "c"];

/// A `/proc/PID/status` figure in MB (the file gives kB).
fn status_mb(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse().ok());
    kb.unwrap_or(0.0) / 1024.0
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

/// The target: 200 "ok" on any path, counting requests; returns its URL.
async fn target(received: Arc<AtomicU64>) -> String {
    let ok = warp::any().map(move || {
        received.fetch_add(1, Relaxed);
        "ok"
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind target");
    let port = listener.local_addr().expect("target address").port();
    tokio::spawn(warp::serve(ok).incoming(listener).run());
    format!("http://127.0.0.1:{port}")
}

/// Creates `n` monitors of `url` (path `/m{i}`) with these locations.
async fn create(bench: &support::Bench, n: usize, url: &str, locations: Option<&[&str]>) {
    let client = reqwest::Client::builder()
        .default_headers(bench.auth.clone())
        .build()
        .expect("client");
    let bodies = (0..n)
        .map(|i| {
            let mut body = serde_json::json!({
                "name": format!("m{i}"), "url": format!("{url}/m{i}"),
                "intervalSeconds": INTERVAL, "requestTimeoutMs": 5000,
            });
            if let Some(locations) = locations {
                body["locations"] = serde_json::json!(locations);
            }
            body
        })
        .collect();
    let failed = support::post_all(
        &client,
        &format!("{}/monitors", bench.base),
        bodies,
        IN_FLIGHT,
    )
    .await;
    assert!(
        failed.is_empty(),
        "{} of {n} monitors not created; first: {}",
        failed.len(),
        failed[0]
    );
}

/// Registers a probe labelled region=`region` and starts it; returns the process.
fn probe(dir: &Path, base: &str, region: &str) -> support::Server {
    let add = format!("probes add --name probe-{region} --label region={region}");
    let out = support::cli(dir, &add, "");
    let token = out
        .split_whitespace()
        .find(|w| w.starts_with("ddp_"))
        .expect("a ddp_ token");
    let child = Command::new(support::BIN)
        .args([
            "--log-level",
            "warn",
            "probe",
            "--server",
            base,
            "--buffer-dir",
        ])
        .arg(dir.join(format!("buffer-{region}")))
        .env("DUTYDUCK_PROBE_TOKEN", token)
        .stdout(Stdio::null())
        .spawn()
        .expect("start probe");
    support::Server(child)
}

/// Results recorded per location (`location_results`) with `checked_at` in [from, to): (name
/// or id, results, late ones).
fn per_location(dir: &Path, from: i64, to: i64) -> Vec<(String, i64, i64)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(dir.join("dutyduck.db"), flags).expect("open db");
    let mut stmt = db
        .prepare(
            "SELECT coalesce((SELECT name FROM probes WHERE probes.id = r.location), r.location),
                    count(*), sum(late)
             FROM location_results r WHERE checked_at >= ?1 AND checked_at < ?2
             GROUP BY location ORDER BY 1",
        )
        .expect("location query");
    let rows = stmt.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)));
    rows.expect("location rows")
        .map(|r| r.expect("row"))
        .collect()
}

struct Window {
    secs: f64,
    hits: u64,
    server_cpu: f64,
    probes_cpu: Vec<f64>,
    from_ms: i64,
    to_ms: i64,
}

/// Waits for the settle, then measures `secs` seconds.
async fn measure(
    server: u32,
    probes: &[u32],
    received: &AtomicU64,
    secs: f64,
    tick: f64,
) -> Window {
    tokio::time::sleep(SETTLE).await;
    let cpus = |tick| -> (f64, Vec<f64>) {
        (
            support::cpu_seconds(&format!("/proc/{server}/stat"), tick),
            probes
                .iter()
                .map(|&p| support::cpu_seconds(&format!("/proc/{p}/stat"), tick))
                .collect(),
        )
    };
    let (at, from_ms, hits, (server0, probes0)) =
        (Instant::now(), now_ms(), received.load(Relaxed), cpus(tick));
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let (server1, probes1) = cpus(tick);
    let window = at.elapsed().as_secs_f64();
    Window {
        secs: window,
        hits: received.load(Relaxed) - hits,
        server_cpu: (server1 - server0) / window * 100.0,
        probes_cpu: probes1
            .iter()
            .zip(&probes0)
            .map(|(b, a)| (b - a) / window * 100.0)
            .collect(),
        from_ms,
        to_ms: now_ms(),
    }
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(120.0, |s| s.parse().expect("BENCH_SECONDS"));
    let n: usize = std::env::var("PROBES_BENCH_MONITORS")
        .map_or(30_000, |s| s.parse().expect("PROBES_BENCH_MONITORS"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tick = support::clock_tick();
    let received = Arc::new(AtomicU64::new(0));
    let url = target(received.clone()).await;
    println!(
        "\n{n} HTTP monitors at {INTERVAL} s against a local target, {secs} s window after {SETTLE:?} \
         settle; server, probes, target and bench client share the machine's {cores} cores"
    );
    println!("config          sched/s  target/s   server CPU  server peak MB");

    // The baseline: the same monitors, checked by the server itself.
    let local = support::start().await;
    create(&local, n, &url, None).await;
    let w = measure(local.server.0.id(), &[], &received, secs, tick).await;
    let baseline_cpu = w.server_cpu;
    println!(
        "local         {:>9.1} {:>9.1} {:>11.1}% {:>15.1}",
        n as f64 / INTERVAL as f64,
        w.hits as f64 / w.secs,
        w.server_cpu,
        status_mb(local.server.0.id(), "VmHWM:")
    );
    drop(local);

    let remote = support::start().await;
    let locations: Vec<String> = REGIONS.iter().map(|r| format!("region={r}")).collect();
    let locations: Vec<&str> = locations.iter().map(String::as_str).collect();
    create(&remote, n, &url, Some(&locations)).await;
    let probes: Vec<support::Server> = REGIONS
        .iter()
        .map(|r| probe(remote.dir.path(), &remote.base, r))
        .collect();
    let pids: Vec<u32> = probes.iter().map(|p| p.0.id()).collect();
    let server = remote.server.0.id();
    let w = measure(server, &pids, &received, secs, tick).await;
    println!(
        "3 probes      {:>9.1} {:>9.1} {:>11.1}% {:>15.1}   ingest + quorum: {:.2}x the local checks' CPU",
        (n * REGIONS.len()) as f64 / INTERVAL as f64,
        w.hits as f64 / w.secs,
        w.server_cpu,
        status_mb(server, "VmHWM:"),
        w.server_cpu / baseline_cpu.max(0.01)
    );
    println!("  location      results/s   late   probe CPU   RSS MB  peak MB");
    let recorded = per_location(remote.dir.path(), w.from_ms, w.to_ms);
    for (i, region) in REGIONS.iter().enumerate() {
        let name = format!("probe-{region}");
        let (count, late) = recorded
            .iter()
            .find(|r| r.0 == name)
            .map_or((0, 0), |r| (r.1, r.2));
        println!(
            "  {name:<12} {:>10.1} {late:>6} {:>10.1}% {:>8.1} {:>8.1}",
            count as f64 / w.secs,
            w.probes_cpu[i],
            status_mb(pids[i], "VmRSS:"),
            status_mb(pids[i], "VmHWM:")
        );
    }
    for other in recorded.iter().filter(|r| !r.0.starts_with("probe-")) {
        println!(
            "  {:<12} {:>10.1} {:>6}",
            other.0,
            other.1 as f64 / w.secs,
            other.2
        );
    }
    drop(probes);
}
