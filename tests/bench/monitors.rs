//! Check-scheduling benchmark of the real `dutyduck` release binary: N HTTP monitors with a 60 s
//! interval against a local target, for N = 1,000 and 20,000.
//!
//! Run: `cargo bench --bench monitors` (120 s window per N), or e.g.
//! `BENCH_MONITORS=1000 BENCH_SECONDS=20 cargo bench --bench monitors`.
//!
//! The target is a warp server inside this process on 127.0.0.1 that answers 200 "ok" and counts
//! the requests it receives. For each N: a fresh data dir, a user and an API token made with the
//! CLI, `dutyduck serve` on a free loopback port, then N `POST /monitors` (32 in flight, each
//! monitor on its own target path `/m{i}`). After a 10 s settle (first checks come within 5 s of
//! creation, then each monitor keeps a fixed slot in its interval) it measures a window and prints
//! one row: scheduled checks/s (N / 60), checks/s achieved as seen by the target (and as a share
//! of scheduled), schedule lateness p50/p99 (from `GET /metrics`, last 10,000 checks, at the end
//! of the window), the server's CPU over the window (% of one core, from /proc/PID/stat), its peak
//! RSS (VmHWM), and database growth extrapolated to an hour and per check (pages in use, read
//! through SQLite, so WAL checkpoints do not add noise). A note under each row gives the creation
//! rate, the server's own check count, current RSS and the file sizes. The server must exit 0
//! after SIGTERM.
//!
//! Target, benchmark client and server share the same cores: read the figures as the cost of
//! the schedule on this machine, not as the server's capacity.

#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use rusqlite::{Connection, OpenFlags};
use warp::Filter;

const INTERVAL: u64 = 60;
const IN_FLIGHT: usize = 32;
const SETTLE: Duration = Duration::from_secs(10);

/// Starts the target on a free loopback port; returns its base URL and its request counter.
async fn target() -> (String, Arc<AtomicU64>) {
    let hits = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&hits);
    let ok = warp::any().map(move || {
        counter.fetch_add(1, Relaxed);
        "ok"
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind target");
    let addr = listener.local_addr().expect("target address");
    tokio::spawn(warp::serve(ok).incoming(listener).run());
    (format!("http://{addr}"), hits)
}

/// What the server and its data dir look like at one instant.
struct Sample {
    at: Instant,
    hits: u64,
    /// From `/metrics`: checks total, lateness p50 and p99 in seconds.
    checks: u64,
    p50: f64,
    p99: f64,
    /// utime + stime, in seconds.
    cpu: f64,
    /// Bytes in pages SQLite uses (page_count - freelist_count).
    db_used: i64,
}

async fn sample(base: &str, pid: u32, dir: &Path, hits: &AtomicU64, tick: f64) -> Sample {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics body");
    let metric = |name: &str| -> f64 {
        let line = text.lines().find_map(|l| l.strip_prefix(name));
        let value = line.and_then(|v| v.trim().parse().ok());
        value.unwrap_or_else(|| panic!("{name} missing from /metrics"))
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("server stat");
    // Fields after "(comm)" start at field 3, so utime (14) and stime (15) are 11 and 12.
    let fields = stat.rsplit_once(')').expect("stat").1.split_whitespace();
    let ticks: f64 = fields
        .skip(11)
        .take(2)
        .map(|f| f.parse::<f64>().unwrap())
        .sum();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(dir.join("dutyduck.db"), flags).expect("open db");
    let pragma = |p: &str| db.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0));
    let pages = pragma("page_count").unwrap() - pragma("freelist_count").unwrap();
    Sample {
        at: Instant::now(),
        hits: hits.load(Relaxed),
        checks: metric("dutyduck_checks_total ") as u64,
        p50: metric("dutyduck_check_lateness_seconds{quantile=\"0.5\"} "),
        p99: metric("dutyduck_check_lateness_seconds{quantile=\"0.99\"} "),
        cpu: ticks / tick,
        db_used: pages * pragma("page_size").unwrap(),
    }
}

/// A `/proc/PID/status` figure in MB (the file gives kB).
fn status_mb(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find_map(|l| l.strip_prefix(key));
    let kb: f64 = line
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}

/// One full scenario with `n` monitors; prints its row and note.
async fn scenario(n: usize, secs: f64, target: &str, hits: &AtomicU64, tick: f64) {
    let support::Bench {
        dir,
        mut server,
        base,
        auth,
    } = support::start().await;
    let pid = server.0.id();
    let client = reqwest::Client::builder().default_headers(auth).build();
    let client = client.expect("client");
    let created_from = Instant::now();
    let failed = stream::iter(0..n)
        .map(|i| {
            let body = serde_json::json!({
                "name": format!("m{i}"), "url": format!("{target}/m{i}"), "intervalSeconds": INTERVAL,
            });
            let request = client.post(format!("{base}/monitors")).json(&body).send();
            async move { request.await.map_or(true, |r| r.status().as_u16() != 201) }
        })
        .buffer_unordered(IN_FLIGHT)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let creation = created_from.elapsed().as_secs_f64();
    assert_eq!(failed, 0, "{failed} of {n} monitors were not created");

    tokio::time::sleep(SETTLE).await;
    let start = sample(&base, pid, dir.path(), hits, tick).await;
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let end = sample(&base, pid, dir.path(), hits, tick).await;
    let window = (end.at - start.at).as_secs_f64();
    let scheduled = n as f64 / INTERVAL as f64;
    let achieved = (end.hits - start.hits) as f64 / window;
    let server_checks = end.checks - start.checks;
    let cpu = (end.cpu - start.cpu) / window * 100.0;
    let grown = (end.db_used - start.db_used) as f64;
    let per_hour = grown / window * 3600.0 / 1e6;
    let per_check = grown / (end.hits - start.hits).max(1) as f64;
    let (peak, rss) = (status_mb(pid, "VmHWM:"), status_mb(pid, "VmRSS:"));
    let (p50, p99) = (end.p50 * 1e3, end.p99 * 1e3);
    let pct = achieved / scheduled * 100.0;
    println!(
        "{n:>8} {scheduled:>9.1} {achieved:>9.1} {pct:>6.1}% {p50:>8.0} ms {p99:>8.0} ms \
         {cpu:>6.1}% {peak:>8.1} {per_hour:>9.1} {per_check:>8.0}"
    );
    let db = dir.path().join("dutyduck.db");
    println!(
        "         created {n} in {creation:.1} s ({:.0}/s); window {window:.1} s; server counted \
         {server_checks} checks ({:.1}/s); RSS {rss:.1} MB; files: db {:.1} MB + wal {:.1} MB",
        n as f64 / creation,
        server_checks as f64 / window,
        file_mb(&db),
        file_mb(&dir.path().join("dutyduck.db-wal")),
    );

    let sent = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid} failed");
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = server.0.try_wait().expect("server status") {
            break exit;
        }
        assert!(Instant::now() < deadline, "no exit 30 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "server exited with {exit} after SIGTERM");
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(120.0, |s| s.parse().expect("BENCH_SECONDS"));
    let counts: Vec<usize> = std::env::var("BENCH_MONITORS")
        .unwrap_or_else(|_| "1000,20000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("BENCH_MONITORS: e.g. 1000,20000"))
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tick = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0);
    let (target, hits) = target().await;

    println!(
        "\nMonitors with a {INTERVAL} s interval against a local target, {secs} s window after \
         {SETTLE:?} settle; target, bench client and server share the machine's {cores} cores"
    );
    println!(
        "monitors   sched/s  checks/s            late p50    late p99     CPU  peak MB   DB MB/h  B/check"
    );
    for n in counts {
        scenario(n, secs, &target, &hits, tick).await;
    }
}
