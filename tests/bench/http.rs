//! Load benchmark of the real `dutyduck` release binary over loopback HTTP, and the share of a
//! request spent verifying its API token.
//!
//! Run: `cargo bench --bench http` (5 s per scenario), or `BENCH_SECONDS=10 cargo bench --bench http`.
//!
//! It creates a user and an API token in a temporary data dir with the CLI, starts
//! `dutyduck serve` on a free 127.0.0.1 port, and prints, in order:
//!
//! 1. Load: 64 keep-alive connections (one client per task, one connection each) against
//!    `GET /healthz` (baseline, no auth), then `GET /users/me` (token-authenticated), each for a
//!    fixed duration after an uncounted 1 s warm-up: requests/s, p50/p99/max latency and non-2xx
//!    responses, and the cost of /users/me relative to /healthz.
//! 2. Serial: one connection, one request at a time (2,000 requests after 200 uncounted), for
//!    both endpoints: mean and p50 latency, i.e. the per-request cost without queueing.
//! 3. Token verification alone, in process: the benchmark opens the server's own data dir
//!    (WAL lets a second process read alongside the server), builds an `App` and a
//!    `GET /users/me` `Request` carrying the token headers, and times 20,000 calls of
//!    `http::auth::authenticate` (after 2,000 uncounted), each asserted to succeed. It prints
//!    the mean and p50 per verification (the p50 also as a share of the serial p50), then the
//!    mean as a percentage of the serial `GET /users/me` mean: the figure behind "token
//!    verification should cost well under 10 % of the request".
//! 4. The server's peak RSS (VmHWM), the core count, and the server's exit status after SIGTERM.
//!
//! Client and server share the same cores, so read the load numbers as a comparison between
//! endpoints, not as the server's capacity.

#[path = "support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dutyduck::app::App;
use dutyduck::clock::Clock;
use dutyduck::http::{auth, request::Request};
use dutyduck::store::Store;
// reqwest and warp share the `http` crate, so this `HeaderMap` is also `warp::http::HeaderMap`.
use reqwest::header::HeaderMap;
use support::{CONNECTIONS, Stats, WARM_UP, client, get, load, report};

const SERIAL_WARM_UP: usize = 200;
const SERIAL_REQUESTS: usize = 2_000;
const VERIFY_WARM_UP: usize = 2_000;
const VERIFICATIONS: usize = 20_000;

/// One connection, one request at a time: the latency of a request without queueing. The first
/// `SERIAL_WARM_UP` requests are not counted.
async fn serial(url: &str, headers: HeaderMap) -> Stats {
    let client = client(headers);
    let mut stats = Stats::default();
    for i in 0..SERIAL_WARM_UP + SERIAL_REQUESTS {
        let start = Instant::now();
        let ok = get(&client, url).await;
        if i >= SERIAL_WARM_UP {
            stats.latencies.push(start.elapsed());
            stats.failures += usize::from(!ok);
        }
    }
    stats.latencies.sort_unstable();
    stats
}

/// Token verification alone, in this process: `auth::authenticate` as the server runs it for a
/// token-authenticated `GET /users/me` (header parsing, one read on the store's reader pool,
/// digest comparison, expiry and role checks), on the server's own data dir. Every call must
/// succeed; the first `VERIFY_WARM_UP` are not counted.
async fn verification(data_dir: &Path, headers: HeaderMap) -> Stats {
    let store = Store::open(data_dir).expect("open the store");
    let app = Arc::new(App::new(store, Clock::system()));
    let req = Request {
        app: Arc::clone(&app),
        method: warp::http::Method::GET,
        path: "/users/me".into(),
        params: vec![],
        query: String::new(),
        headers,
        body: bytes::Bytes::new(),
        remote: None,
        audit: Default::default(),
    };
    let mut stats = Stats::default();
    for i in 0..VERIFY_WARM_UP + VERIFICATIONS {
        let start = Instant::now();
        let result = auth::authenticate(&req).await;
        let elapsed = start.elapsed();
        if let Err(e) = result {
            panic!("token verification failed: {e}");
        }
        if i >= VERIFY_WARM_UP {
            stats.latencies.push(elapsed);
        }
    }
    drop(req);
    app.store.close().await;
    stats.latencies.sort_unstable();
    stats
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Prints one row of the serial table.
fn report_serial(name: &str, s: &Stats) {
    let (n, failures) = (s.latencies.len(), s.failures);
    let (mean, p50) = (us(s.mean()), us(s.percentile(0.5)));
    println!("{name:<14} {n:>9} {mean:>10} {p50:>10} {failures:>8}");
}

#[tokio::main]
async fn main() {
    // reqwest is built without a default crypto provider; the server installs ring too.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(5.0, |s| s.parse().expect("BENCH_SECONDS"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let support::Bench {
        dir,
        mut server,
        base,
        auth,
    } = support::start().await;

    println!(
        "\nHTTP load on the release binary: {CONNECTIONS} keep-alive connections on 127.0.0.1, \
        {secs} s per scenario after {WARM_UP:?} warm-up; client and server share the machine's {cores} cores"
    );
    support::report_header();
    let health = load(&format!("{base}/healthz"), HeaderMap::new(), secs).await;
    let health_rps = report("GET /healthz", &health, secs);
    let me = load(&format!("{base}/users/me"), auth.clone(), secs).await;
    let me_rps = report("GET /users/me", &me, secs);
    let ratio = health_rps / me_rps;
    println!("users/me costs {ratio:.2}x healthz per request");

    println!(
        "\nSerial: 1 keep-alive connection, one request at a time, \
        {SERIAL_REQUESTS} requests after {SERIAL_WARM_UP} uncounted"
    );
    println!(
        "{:<14} {:>9} {:>10} {:>10} {:>8}",
        "scenario", "requests", "mean", "p50", "non-2xx"
    );
    let health_serial = serial(&format!("{base}/healthz"), HeaderMap::new()).await;
    report_serial("GET /healthz", &health_serial);
    let me_serial = serial(&format!("{base}/users/me"), auth.clone()).await;
    report_serial("GET /users/me", &me_serial);

    let verify = verification(dir.path(), auth).await;
    let (verify_mean, me_mean) = (verify.mean(), me_serial.mean());
    let share = verify_mean.as_secs_f64() / me_mean.as_secs_f64() * 100.0;
    let (verify_p50, me_p50) = (verify.percentile(0.5), me_serial.percentile(0.5));
    let share_p50 = verify_p50.as_secs_f64() / me_p50.as_secs_f64() * 100.0;
    println!(
        "\nToken verification in process (auth::authenticate on the same data dir), \
        {VERIFICATIONS} calls after {VERIFY_WARM_UP} uncounted: mean {}, p50 {} \
        ({share_p50:.1}% of the serial GET /users/me p50)",
        us(verify_mean),
        us(verify_p50)
    );
    println!(
        "token verification: {} = {share:.1}% of a GET /users/me ({} serial)",
        us(verify_mean),
        us(me_mean)
    );

    let hwm = support::peak_rss(&server);
    println!("\nserver peak RSS (VmHWM): {hwm}");
    let pid = server.0.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid} failed");
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(exit) = server.0.try_wait().expect("server status") {
            break exit;
        }
        assert!(Instant::now() < deadline, "no exit 15 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!("server stopped after SIGTERM: {exit}");
    let failures = health.failures + me.failures + health_serial.failures + me_serial.failures;
    assert!(failures == 0, "some requests failed");
}
