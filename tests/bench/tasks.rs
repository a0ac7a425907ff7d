//! Load benchmark of task reports on the real release binary over loopback HTTP, with nginx
//! serving a 2-byte file as the machine's ceiling, measured in the same run.
//!
//! Run: `cargo bench --bench tasks` (5 s per scenario), or `BENCH_SECONDS=10 cargo bench --bench tasks`.
//! Uses wrk (`apt-get install wrk`) and nginx (`apt-get install nginx-light`); without wrk the
//! in-process client of `support.rs` loads instead (heavier: it takes more of the cores from
//! the server), without nginx the ceiling is left out. Both say so.
//!
//! It starts `dutyduck serve` on a fresh data dir with a user and a token (made with the CLI),
//! creates 100 tasks with a running run and 100 to ping, and prints, with `wrk -t2 -c64` after a
//! 1 s warm-up, requests/s, p50/p99/max, errors and the share of nginx's requests/s of:
//!
//! 1. nginx serving a 2-byte file, keep-alive and with a new connection per request: the ceiling;
//! 2. `GET /healthz`: no auth, no database;
//! 3. `POST /tasks/{id}/heartbeat`: token-authenticated, one write each (the run's heartbeat)
//!    through the single batching writer;
//! 4. `GET /ping/{key}` over the 100 tasks, keep-alive and with `Connection: close` (a crontab's
//!    curl opens a connection per ping): each records a whole run and moves the task's status.
//!
//! Beside each of the server's rows, its CPU time per request over the measured window (utime +
//! stime from /proc, all threads) and the writer thread's part of it ("-" if no thread is named
//! `dutyduck-writer`): figures that the other jobs sharing the cores move less than requests/s,
//! to compare two builds.
//!
//! Then the top of the hour: 10,000 pings of 1,000 tasks due evenly over 1 s (200 keep-alive
//! clients, each waiting for its answer; latency counted from when each was due), then every task's runs are
//! counted (10 each, all finished). Then the top-of-the-minute burst: 1,000 jobs (new tasks)
//! each send start, heartbeat and finish (with its own exit code and output) as fast as 64
//! connections go, and every run is read back to count runs lost, duplicated or out of order
//! (a finish recorded before its start, a wrong exit code or output). Last, the server's peak
//! RSS. Client and server share the same cores: read the figures beside the ceiling measured in
//! the same run, not as the server's capacity.

#[path = "burst.rs"]
mod burst;
#[path = "nginx.rs"]
mod nginx;
#[path = "support.rs"]
mod support;
#[path = "wrk.rs"]
mod wrk;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// Tasks heartbeated, and tasks pinged, in the load scenarios.
const TASKS: usize = 100;
const BURST_JOBS: usize = 1_000;
/// The top of the hour: pings, over how many tasks, due within one second.
const HOUR_PINGS: usize = 10_000;
const HOUR_TASKS: usize = 1_000;
/// Under the server's 256 connections per address, with the API client's beside them.
const HOUR_CONNECTIONS: usize = 200;

fn ping_key(kind: &str, i: usize) -> String {
    format!("bench-{kind}-key-{i:05}")
}

/// Creates tasks `{kind}-{i}` for i in 0..n with a chosen ping key, 64 at a time.
async fn create_tasks(api: &reqwest::Client, base: &str, kind: &str, n: usize) {
    let bodies = (0..n)
        .map(|i| json!({"id": format!("{kind}-{i}"), "pingKey": ping_key(kind, i), "heartbeatTimeoutSeconds": 3600}))
        .collect();
    let failed = support::post_all(api, &format!("{base}/tasks"), bodies, 64).await;
    assert!(failed.is_empty(), "creating tasks: {failed:?}");
}

/// How a scenario loads the server.
enum Loader {
    Wrk(String),
    /// The in-process client (`support::load_with`), when wrk is missing.
    InProcess,
}

/// Reads the server's CPU time: the whole process's and its writer thread's.
struct CpuMeter {
    process: String,
    writer: Option<String>,
    tick: f64,
}

/// CPU time over a scenario's window, in seconds.
#[derive(Clone, Copy)]
struct Cpu {
    server: f64,
    /// None when the writer thread was not found.
    writer: Option<f64>,
}

impl CpuMeter {
    fn of(server: &support::Server) -> CpuMeter {
        let pid = server.0.id();
        CpuMeter {
            process: format!("/proc/{pid}/stat"),
            writer: support::thread_stat(pid, "dutyduck-writer"),
            tick: support::clock_tick(),
        }
    }

    fn read(&self) -> Cpu {
        let writer = self.writer.as_deref();
        Cpu {
            server: support::cpu_seconds(&self.process, self.tick),
            writer: writer.map(|w| support::cpu_seconds(w, self.tick)),
        }
    }
}

/// One row of the table: a scenario measured, with the server's CPU over the measured window
/// when `meter` reads it.
async fn measure(
    loader: &Loader,
    base: &str,
    load: &wrk::Load<'_>,
    secs: f64,
    meter: Option<&CpuMeter>,
) -> (wrk::Measured, Option<Cpu>) {
    if let Loader::Wrk(bin) = loader {
        wrk::run(bin, base, load, 1.0); // warm-up, not counted
    }
    let before = meter.map(CpuMeter::read);
    let measured = match loader {
        Loader::Wrk(bin) => wrk::run(bin, base, load, secs),
        Loader::InProcess => in_process(base, load, secs).await,
    };
    let spent = meter.zip(before).map(|(m, before)| {
        let after = m.read();
        Cpu {
            server: after.server - before.server,
            writer: after.writer.zip(before.writer).map(|(a, b)| a - b),
        }
    });
    (measured, spent)
}

async fn in_process(base: &str, load: &wrk::Load<'_>, secs: f64) -> wrk::Measured {
    let mut headers = HeaderMap::new();
    for (k, v) in load.headers {
        let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).expect("header name");
        headers.insert(name, v.parse().expect("header value"));
    }
    if load.close {
        headers.insert("connection", "close".parse().expect("header value"));
    }
    let method: reqwest::Method = load.method.parse().expect("method");
    let urls: Vec<String> = load.paths.iter().map(|p| format!("{base}{p}")).collect();
    let make: support::MakeRequest =
        Arc::new(move |c, i| c.request(method.clone(), &urls[i % urls.len()]));
    let stats = support::load_with(headers, secs, make).await;
    wrk::Measured {
        requests: stats.latencies.len() as u64,
        per_second: stats.latencies.len() as f64 / secs,
        p50: stats.percentile(0.5),
        p99: stats.percentile(0.99),
        max: stats.percentile(1.0),
        errors: stats.failures as u64,
    }
}

/// GETs of `paths` without headers.
fn get(paths: &[String], close: bool) -> wrk::Load<'_> {
    wrk::Load {
        method: "GET",
        paths,
        headers: &[],
        close,
    }
}

fn header() {
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>8} {:>12} {:>8}",
        "scenario",
        "requests",
        "req/s",
        "p50",
        "p99",
        "max",
        "errors",
        "% nginx",
        "CPU µs/req",
        "writer"
    );
}

/// Prints a row; `ceiling` is nginx's requests/s in the same mode, if measured; `cpu` the
/// server's CPU time over the window, shown per request.
fn row(name: &str, m: &wrk::Measured, ceiling: Option<f64>, cpu: Option<Cpu>) {
    let share = ceiling.map_or("-".to_owned(), |c| {
        format!("{:.1} %", m.per_second / c * 100.0)
    });
    let per_request = |seconds: f64| seconds * 1e6 / m.requests.max(1) as f64;
    let (server, writer) = cpu.map_or(("-".to_owned(), "-".to_owned()), |c| {
        (
            format!("{:.0}", per_request(c.server)),
            c.writer
                .map_or("-".to_owned(), |w| format!("{:.0}", per_request(w))),
        )
    });
    println!(
        "{name:<34} {:>9} {:>9.0} {:>9} {:>9} {:>9} {:>7} {share:>8} {server:>12} {writer:>8}",
        m.requests,
        m.per_second,
        support::ms(m.p50),
        support::ms(m.p99),
        support::ms(m.max),
        m.errors
    );
}

/// One job of the burst: start (creating the task), heartbeat, finish, in order, as the
/// wrapper sends them. True if all three were accepted.
async fn job(client: &reqwest::Client, base: &str, i: usize) -> bool {
    let task = format!("{base}/tasks/burst-{i}");
    let start = client
        .post(format!("{task}/start"))
        .json(&json!({"newTask": {"name": format!("Burst job {i}")}}));
    let finish = client.post(format!("{task}/finish")).json(&json!({
        "status": if i.is_multiple_of(5) { "failure" } else { "success" },
        "exitCode": if i.is_multiple_of(5) { 1 + i % 200 } else { 0 },
        "output": format!("job {i} done"),
    }));
    support::send(start).await
        && support::send(client.post(format!("{task}/heartbeat"))).await
        && support::send(finish).await
}

/// Reads back job `i`'s runs; an error says what is wrong.
async fn verify(client: &reqwest::Client, base: &str, i: usize) -> Result<(), String> {
    let runs: Value = client
        .get(format!("{base}/tasks/burst-{i}/runs"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let runs = runs["runs"].as_array().ok_or("no runs array")?;
    let [run] = runs.as_slice() else {
        return Err(format!("{} runs instead of 1", runs.len()));
    };
    let (status, code) = if i.is_multiple_of(5) {
        ("failed", json!(1 + i % 200))
    } else {
        ("finished", json!(0))
    };
    // Compared as times: "…:37Z" (a whole second) sorts after "…:37.009Z" as text.
    let at = |field: &str| {
        run[field]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let (started, beat, completed) = (at("startedAt"), at("lastHeartbeatAt"), at("completedAt"));
    let ok = run["status"] == status
        && run["exitCode"] == code
        && run["output"] == format!("job {i} done")
        && started.is_some()
        && beat >= started
        && completed >= beat;
    ok.then_some(())
        .ok_or_else(|| format!("unexpected run {run}"))
}

/// The top of the hour: `HOUR_PINGS` pings over `HOUR_TASKS` tasks within 1 s, then every
/// task's runs counted. True if every ping was answered and stored.
async fn top_of_the_hour(api: &reqwest::Client, base: &str) -> bool {
    create_tasks(api, base, "hour", HOUR_TASKS).await;
    let paths: Vec<String> = (0..HOUR_TASKS)
        .map(|i| format!("/ping/{}", ping_key("hour", i)))
        .collect();
    let addr = base.trim_start_matches("http://").parse().expect("address");
    let b = burst::run(
        addr,
        Arc::new(paths),
        HOUR_PINGS,
        Duration::from_secs(1),
        HOUR_CONNECTIONS,
    )
    .await;
    let mut stored = 0;
    for i in 0..HOUR_TASKS {
        let runs: Value = api
            .get(format!(
                "{base}/tasks/hour-{i}/runs?limit=1&includeStatuses=finished"
            ))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("runs")
            .json()
            .await
            .expect("runs JSON");
        stored += runs["totalFilteredRuns"]
            .as_i64()
            .expect("totalFilteredRuns");
    }
    // A refused ping (an error, or no answer) may or may not have been stored; an answered one
    // must be.
    let answered = (HOUR_PINGS - b.failures) as i64;
    let lost = (answered - stored).max(0);
    println!(
        "{HOUR_PINGS} pings due within 1 s over {HOUR_CONNECTIONS} connections, the last answered after {:.2} s: \
         p50 {}, p99 {}, max {} (from when each was due; target p99 < 100 ms); refused {}; \
         runs stored {stored}, lost {lost}",
        b.took.as_secs_f64(),
        support::ms(b.percentile(0.5)),
        support::ms(b.percentile(0.99)),
        support::ms(b.percentile(1.0)),
        b.failures
    );
    b.failures == 0 && lost == 0
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(5.0, |s| s.parse().expect("BENCH_SECONDS"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let loader = match wrk::find() {
        Some(bin) => Loader::Wrk(bin),
        None => {
            println!(
                "wrk is not installed (`sudo apt-get install wrk`): loading with the in-process \
                 client instead, which takes more of the cores from the server"
            );
            Loader::InProcess
        }
    };
    let bench = support::start().await;
    let base = bench.base.clone();
    let api = support::client(bench.auth.clone());
    create_tasks(&api, &base, "beat", TASKS).await;
    for i in 0..TASKS {
        assert!(
            support::send(api.post(format!("{base}/tasks/beat-{i}/start"))).await,
            "start"
        );
    }
    create_tasks(&api, &base, "ping", TASKS).await;

    let nginx_dir = tempfile::tempdir().expect("temp dir");
    let nginx = nginx::find().map(|bin| nginx::start(&bin, nginx_dir.path(), b"OK"));
    if let Some((_, url)) = &nginx {
        nginx::wait_until_serving(url).await;
    } else {
        println!(
            "nginx is not installed (`sudo apt-get install nginx-light`): no ceiling to compare with"
        );
    }
    let (threads, conns) = (wrk::THREADS, wrk::CONNECTIONS);
    println!(
        "\nTask reports on the release binary, {secs} s per scenario after 1 s warm-up, \
         {conns} connections ({threads} wrk threads) on 127.0.0.1; client and servers share the \
         machine's {cores} cores"
    );
    header();
    let mut ceiling = (None, None);
    if let Some((_, url)) = &nginx {
        let (origin, path) = url.split_at(url.find("/index").expect("nginx path"));
        let paths = [path.to_owned()];
        let (keep, _) = measure(&loader, origin, &get(&paths, false), secs, None).await;
        row("nginx, 2-byte file (keep-alive)", &keep, None, None);
        let (close, _) = measure(&loader, origin, &get(&paths, true), secs, None).await;
        row("nginx, 2-byte file (new connection)", &close, None, None);
        ceiling = (Some(keep.per_second), Some(close.per_second));
    }
    let mut errors = 0;
    let meter = CpuMeter::of(&bench.server);
    let meter = Some(&meter);
    let healthz = ["/healthz".to_owned()];
    let (health, cpu) = measure(&loader, &base, &get(&healthz, false), secs, meter).await;
    row("GET /healthz", &health, ceiling.0, cpu);
    let auth: Vec<(&str, String)> = bench
        .auth
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().expect("header").to_owned()))
        .collect();
    let beats: Vec<String> = (0..TASKS)
        .map(|i| format!("/tasks/beat-{i}/heartbeat"))
        .collect();
    let load = wrk::Load {
        method: "POST",
        paths: &beats,
        headers: &auth,
        close: false,
    };
    let (heartbeats, cpu) = measure(&loader, &base, &load, secs, meter).await;
    row("POST /tasks/{id}/heartbeat", &heartbeats, ceiling.0, cpu);
    let pings: Vec<String> = (0..TASKS)
        .map(|i| format!("/ping/{}", ping_key("ping", i)))
        .collect();
    let (keep, cpu) = measure(&loader, &base, &get(&pings, false), secs, meter).await;
    row("GET /ping/{key} (keep-alive)", &keep, ceiling.0, cpu);
    let (close, cpu) = measure(&loader, &base, &get(&pings, true), secs, meter).await;
    row("GET /ping/{key} (new connection)", &close, ceiling.1, cpu);
    println!(
        "targets: pings at least 25 % of nginx with p99 < 10 ms keep-alive, 50 % with a new connection"
    );
    errors += health.errors + heartbeats.errors + keep.errors + close.errors;

    println!("\nTop of the hour (200 keep-alive clients, each waiting for its answer):");
    let hour_ok = top_of_the_hour(&api, &base).await;

    println!("\nTop-of-the-minute burst: {BURST_JOBS} jobs × (start, heartbeat, finish) at once");
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..support::CONNECTIONS)
        .map(|_| {
            let (client, base, next) = (
                support::client(bench.auth.clone()),
                base.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                let mut rejected = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= BURST_JOBS {
                        return rejected;
                    }
                    rejected += usize::from(!job(&client, &base, i).await);
                }
            })
        })
        .collect();
    let mut rejected = 0;
    for w in workers {
        rejected += w.await.expect("burst worker");
    }
    let took = started.elapsed();
    let mut wrong = Vec::new();
    for i in 0..BURST_JOBS {
        if let Err(e) = verify(&api, &base, i).await {
            wrong.push(format!("burst-{i}: {e}"));
        }
    }
    println!(
        "{} requests in {:.2} s ({:.0} req/s); rejected {rejected}; runs lost, duplicated or out of order: {}",
        BURST_JOBS * 3,
        took.as_secs_f64(),
        (BURST_JOBS * 3) as f64 / took.as_secs_f64(),
        wrong.len()
    );
    for w in wrong.iter().take(5) {
        println!("  {w}");
    }
    println!(
        "\nserver peak RSS (VmHWM): {}",
        support::peak_rss(&bench.server)
    );
    assert!(
        errors == 0 && rejected == 0 && hour_ok && wrong.is_empty(),
        "some requests failed or runs are wrong"
    );
}
