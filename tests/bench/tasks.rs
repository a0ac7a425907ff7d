//! Load benchmark of task reports on the real release binary over loopback HTTP.
//!
//! Run: `cargo bench --bench tasks` (5 s per scenario), or `BENCH_SECONDS=10 cargo bench --bench tasks`.
//!
//! It starts `dutyduck serve` on a fresh data dir with a user and a token (made with the CLI),
//! creates 64 tasks, and prints, at 64 keep-alive connections (one per task) and after an
//! uncounted 1 s warm-up:
//!
//! 1. `GET /healthz`: the baseline, no auth, no database;
//! 2. `POST /tasks/{id}/heartbeat`: token-authenticated, each a write (the run's last heartbeat)
//!    through the single batching writer;
//! 3. `GET /ping/{key}`: a plain ping URL as a crontab curl line sends it; each records a whole
//!    run (start and finish) and moves the task's status;
//!
//! with requests/s, p50/p99/max and non-2xx, and each scenario's cost relative to /healthz.
//! Then the top-of-the-minute burst: 1,000 jobs (new tasks) each send start, heartbeat and
//! finish (with its own exit code and output) as fast as 64 connections go; the benchmark then
//! reads every task's runs back and counts runs lost, duplicated or out of order (a finish
//! recorded before its start, a wrong exit code or output). Last, the server's peak RSS.
//!
//! Client and server share the same cores: read the figures as a comparison with /healthz
//! measured in the same run, not as the server's capacity.

#[path = "support.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use support::{CONNECTIONS, load, load_with, report, report_header};

const BURST_JOBS: usize = 1_000;

/// Creates task `bench-{i}` and starts a run, returning its ping key.
async fn prepare(client: &reqwest::Client, base: &str, i: usize) -> String {
    let task: Value = client
        .post(format!("{base}/tasks"))
        .json(&json!({"id": format!("bench-{i}"), "heartbeatTimeoutSeconds": 3600}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("create task")
        .json()
        .await
        .expect("task JSON");
    let started = client
        .post(format!("{base}/tasks/bench-{i}/start"))
        .send()
        .await
        .expect("start");
    assert!(started.status().is_success(), "start: {}", started.status());
    task["pingKey"].as_str().expect("ping key").to_owned()
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
    let ok = run["status"] == status
        && run["exitCode"] == code
        && run["output"] == format!("job {i} done")
        && run["lastHeartbeatAt"].as_str() >= run["startedAt"].as_str()
        && run["completedAt"].as_str() >= run["lastHeartbeatAt"].as_str();
    ok.then_some(())
        .ok_or_else(|| format!("unexpected run {run}"))
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(5.0, |s| s.parse().expect("BENCH_SECONDS"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bench = support::start().await;
    let base = bench.base.clone();
    let api = support::client(bench.auth.clone());
    let mut keys = Vec::new();
    for i in 0..CONNECTIONS {
        keys.push(prepare(&api, &base, i).await);
    }

    println!(
        "\nTask reports on the release binary: {CONNECTIONS} keep-alive connections on 127.0.0.1, \
        {secs} s per scenario after 1 s warm-up; client and server share the machine's {cores} cores"
    );
    report_header();
    let health = load(&format!("{base}/healthz"), HeaderMap::new(), secs).await;
    let health_rps = report("GET /healthz", &health, secs);
    let url = base.clone();
    let heartbeats = load_with(
        bench.auth.clone(),
        secs,
        Arc::new(move |c, i| c.post(format!("{url}/tasks/bench-{i}/heartbeat"))),
    )
    .await;
    let heartbeat_rps = report("POST /tasks/{id}/heartbeat", &heartbeats, secs);
    let url = base.clone();
    let keys = Arc::new(keys);
    let pings = load_with(
        HeaderMap::new(),
        secs,
        Arc::new(move |c, i| c.get(format!("{url}/ping/{}", keys[i]))),
    )
    .await;
    let ping_rps = report("GET /ping/{key}", &pings, secs);
    println!(
        "relative to /healthz: heartbeat {:.2}x the cost, ping {:.2}x",
        health_rps / heartbeat_rps,
        health_rps / ping_rps
    );

    println!("\nTop-of-the-minute burst: {BURST_JOBS} jobs × (start, heartbeat, finish) at once");
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..CONNECTIONS)
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
    let failures = health.failures + heartbeats.failures + pings.failures + rejected;
    assert!(
        failures == 0 && wrong.is_empty(),
        "some requests failed or runs are wrong"
    );
}
