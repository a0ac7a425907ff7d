//! Load benchmark of the real `dutyduck` release binary over loopback HTTP.
//!
//! Run: `cargo bench --bench http` (5 s per scenario), or `BENCH_SECONDS=10 cargo bench --bench http`.
//!
//! It creates a user and an API token in a temporary data dir with the CLI, starts
//! `dutyduck serve` on a free 127.0.0.1 port, and drives 64 keep-alive connections (one
//! client per task, one connection each) against `GET /healthz` (baseline, no auth), then
//! `GET /users/me` (token-authenticated), each for a fixed duration after an uncounted 1 s
//! warm-up. It prints a table of requests/s, p50/p99/max latency and non-2xx responses, the
//! cost of /users/me relative to /healthz, the server's peak RSS (VmHWM), the core count,
//! and the server's exit status after SIGTERM. Client and server share the same cores, so
//! read the numbers as a comparison between endpoints, not as the server's capacity.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};

const BIN: &str = env!("CARGO_BIN_EXE_dutyduck");
const CONNECTIONS: usize = 64;
const WARM_UP: Duration = Duration::from_secs(1);

/// Kills the server when the benchmark ends, also on panic; harmless after a clean stop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dutyduck --data-dir DIR ARGS...`, the arguments split on whitespace.
fn dutyduck(dir: &Path, args: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(dir).args(args.split_whitespace());
    cmd
}

/// Runs an admin command with `stdin` piped in; returns its stdout.
fn cli(dir: &Path, args: &str, stdin: &str) -> String {
    let mut cmd = dutyduck(dir, args);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run dutyduck");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("wait for dutyduck");
    assert!(out.status.success(), "dutyduck {args}: {}", out.status);
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[derive(Default)]
struct Stats {
    failures: usize,
    latencies: Vec<Duration>,
}

/// 64 tasks, each with its own single-connection client, hitting `url` until the deadline.
/// Only requests started after the warm-up are counted.
async fn load(url: &str, headers: HeaderMap, secs: f64) -> Stats {
    let measure_from = Instant::now() + WARM_UP;
    let until = measure_from + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (url, headers) = (url.to_owned(), headers.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .default_headers(headers)
                    .timeout(Duration::from_secs(10))
                    .build()
                    .expect("client");
                let mut stats = Stats::default();
                while Instant::now() < until {
                    let start = Instant::now();
                    let ok = match client.get(&url).send().await {
                        Ok(r) => {
                            let success = r.status().is_success();
                            r.bytes().await.is_ok() && success
                        }
                        Err(_) => false,
                    };
                    if start >= measure_from {
                        stats.latencies.push(start.elapsed());
                        stats.failures += usize::from(!ok);
                    }
                }
                stats
            })
        })
        .collect();
    let mut all = Stats::default();
    for task in tasks {
        let stats = task.await.expect("load task");
        all.failures += stats.failures;
        all.latencies.extend(stats.latencies);
    }
    all.latencies.sort_unstable();
    all
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Prints one table row; returns requests per second.
fn report(name: &str, s: &Stats, secs: f64) -> f64 {
    let lat = &s.latencies;
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    let rps = lat.len() as f64 / secs;
    let (p50, p99, max) = (ms(pct(0.5)), ms(pct(0.99)), ms(pct(1.0)));
    let (n, failures) = (lat.len(), s.failures);
    println!("{name:<14} {n:>9} {rps:>9.0} {p50:>9} {p99:>9} {max:>9} {failures:>8}");
    rps
}

#[tokio::main]
async fn main() {
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(5.0, |s| s.parse().expect("BENCH_SECONDS"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("temp dir");
    let user = "user create --email bench@example.com --first-name Bench --last-name Mark --org Bench --password-stdin";
    cli(dir.path(), user, "tarte tatin du dimanche\n");
    let token = "token create --user bench@example.com --label bench --expires-in 30d --json";
    let token: serde_json::Value =
        serde_json::from_str(&cli(dir.path(), token, "")).expect("token JSON");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let serve = format!("--log-level warn serve --listen 127.0.0.1:{port}");
    let mut server = Server(dutyduck(dir.path(), &serve).spawn().expect("start server"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "server not healthy after 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    println!(
        "\nHTTP load on the release binary: {CONNECTIONS} keep-alive connections on 127.0.0.1, \
        {secs} s per scenario after {WARM_UP:?} warm-up; client and server share the machine's {cores} cores"
    );
    println!(
        "{:<14} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "scenario", "requests", "req/s", "p50", "p99", "max", "non-2xx"
    );
    let health = load(&format!("{base}/healthz"), HeaderMap::new(), secs).await;
    let health_rps = report("GET /healthz", &health, secs);
    let mut auth = HeaderMap::new();
    for (name, key) in [
        ("x-api-token-id", "id"),
        ("x-api-token-secret-key", "secretKey"),
    ] {
        let value = token[key].as_str().expect("token field");
        auth.insert(name, HeaderValue::from_str(value).expect("header value"));
    }
    let me = load(&format!("{base}/users/me"), auth, secs).await;
    let me_rps = report("GET /users/me", &me, secs);
    let ratio = health_rps / me_rps;
    println!("users/me costs {ratio:.2}x healthz per request");

    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap_or_default();
    let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:"));
    let hwm = hwm.map_or("unknown", str::trim);
    println!("server peak RSS (VmHWM): {hwm}");
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
    assert!(health.failures + me.failures == 0, "some requests failed");
}
