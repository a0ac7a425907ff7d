//! What the benchmarks share: the release binary, admin commands on a data dir, a guard that
//! never leaves a server behind, and the 64-connection load loop with its report.

#![allow(dead_code)] // each benchmark uses its own part of this

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

pub const BIN: &str = env!("CARGO_BIN_EXE_dutyduck");

/// Kills the server when the benchmark ends, also on panic; harmless after a clean stop.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dutyduck --data-dir DIR ARGS...`, the arguments split on whitespace.
pub fn dutyduck(dir: &Path, args: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(dir).args(args.split_whitespace());
    cmd
}

/// Runs an admin command with `stdin` piped in; returns its stdout.
pub fn cli(dir: &Path, args: &str, stdin: &str) -> String {
    let mut child = dutyduck(dir, args)
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

/// A server on a fresh data dir with one user and one API token.
pub struct Bench {
    pub dir: tempfile::TempDir,
    pub server: Server,
    pub base: String,
    /// The token's two headers.
    pub auth: reqwest::header::HeaderMap,
}

/// Creates the user and token with the CLI, starts `dutyduck serve` on a free loopback port and
/// waits until `/healthz` answers.
pub async fn start() -> Bench {
    start_with(|serve| serve).await
}

/// `start`, with the `serve` command changed by `launch` first (see `in_shell`).
pub async fn start_with(launch: impl FnOnce(Command) -> Command) -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let user = "user create --email bench@example.com --first-name Bench --last-name Mark --org Bench --password-stdin";
    cli(dir.path(), user, "tarte tatin du dimanche\n");
    let token = "token create --user bench@example.com --label bench --expires-in 30d --json";
    let token: serde_json::Value =
        serde_json::from_str(&cli(dir.path(), token, "")).expect("token JSON");
    let mut auth = reqwest::header::HeaderMap::new();
    for (name, key) in [
        ("x-api-token-id", "id"),
        ("x-api-token-secret-key", "secretKey"),
    ] {
        let value =
            reqwest::header::HeaderValue::from_str(token[key].as_str().expect("token field"));
        auth.insert(name, value.expect("header value"));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let serve = format!("--log-level warn serve --listen 127.0.0.1:{port}");
    let server = Server(
        launch(dutyduck(dir.path(), &serve))
            .spawn()
            .expect("start server"),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !reqwest::get(format!("{base}/healthz"))
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "server not healthy after 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Bench {
        dir,
        server,
        base,
        auth,
    }
}

/// Runs `command` through `sh -c "SETUP && exec command"`: e.g. `ulimit -Sn 1024` first. The
/// shell execs the command, so the process id stays the server's.
pub fn in_shell(setup: &str, command: Command) -> Command {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!("{setup} && exec \"$0\" \"$@\""))
        .arg(command.get_program())
        .args(command.get_args());
    shell
}

pub const CONNECTIONS: usize = 64;
pub const WARM_UP: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct Stats {
    pub failures: usize,
    /// Sorted once the run is over.
    pub latencies: Vec<Duration>,
}

impl Stats {
    pub fn percentile(&self, p: f64) -> Duration {
        let lat = &self.latencies;
        lat[((lat.len() - 1) as f64 * p).round() as usize]
    }

    pub fn mean(&self) -> Duration {
        self.latencies.iter().sum::<Duration>() / self.latencies.len() as u32
    }
}

/// A client that keeps a single connection open and sends `headers` with every request.
pub fn client(headers: HeaderMap) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .default_headers(headers)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// Sends the request, body read to the end; true on a 2xx.
pub async fn send(request: reqwest::RequestBuilder) -> bool {
    match request.send().await {
        Ok(r) => {
            let success = r.status().is_success();
            r.bytes().await.is_ok() && success
        }
        Err(_) => false,
    }
}

pub async fn get(client: &reqwest::Client, url: &str) -> bool {
    send(client.get(url)).await
}

/// Builds the request connection `i` sends next.
pub type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync>;

/// `CONNECTIONS` tasks, each with its own single-connection client, sending `make`'s requests
/// until the deadline. Only requests started after the warm-up are counted.
pub async fn load_with(headers: HeaderMap, secs: f64, make: MakeRequest) -> Stats {
    let measure_from = Instant::now() + WARM_UP;
    let until = measure_from + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|i| {
            let (headers, make) = (headers.clone(), make.clone());
            tokio::spawn(async move {
                let client = client(headers);
                let mut stats = Stats::default();
                while Instant::now() < until {
                    let start = Instant::now();
                    let ok = send(make(&client, i)).await;
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

/// `load_with` GETs of one URL.
pub async fn load(url: &str, headers: HeaderMap, secs: f64) -> Stats {
    let url = url.to_owned();
    load_with(headers, secs, Arc::new(move |c, _| c.get(&url))).await
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Prints the header of the load table.
pub fn report_header() {
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "scenario", "requests", "req/s", "p50", "p99", "max", "non-2xx"
    );
}

/// Prints one row of the load table; returns requests per second.
pub fn report(name: &str, s: &Stats, secs: f64) -> f64 {
    let n = s.latencies.len();
    let rps = n as f64 / secs;
    let pct = |p: f64| ms(s.percentile(p));
    let (p50, p99, max) = (pct(0.5), pct(0.99), pct(1.0));
    let failures = s.failures;
    println!("{name:<26} {n:>9} {rps:>9.0} {p50:>9} {p99:>9} {max:>9} {failures:>8}");
    rps
}

/// Clock ticks per second of the CPU times in /proc (`getconf CLK_TCK`; 100 on Linux).
pub fn clock_tick() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime in seconds, from a /proc `stat` file: a process's (`/proc/PID/stat`) or one
/// of its threads' (`/proc/PID/task/TID/stat`). 0 once it is gone.
pub fn cpu_seconds(stat: &str, tick: f64) -> f64 {
    let stat = std::fs::read_to_string(stat).unwrap_or_default();
    // Fields after "(comm)" start at field 3, so utime (14) and stime (15) are 11 and 12.
    let Some((_, fields)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let ticks: f64 = fields
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<f64>().ok())
        .sum();
    ticks / tick
}

/// The `stat` file of the process's thread that named itself `name` (15 bytes at most).
pub fn thread_stat(pid: u32, name: &str) -> Option<String> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    tasks.flatten().map(|t| t.path()).find_map(|task| {
        let comm = std::fs::read_to_string(task.join("comm")).ok()?;
        (comm.trim_end() == name).then(|| task.join("stat").to_string_lossy().into_owned())
    })
}

/// The server's peak resident memory (VmHWM), as Linux reports it.
pub fn peak_rss(server: &Server) -> String {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap_or_default();
    let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:"));
    hwm.map_or("unknown", str::trim).to_owned()
}

/// `POST url` with each of `bodies`, `in_flight` at a time; returns what failed (not a 201),
/// each as its status and body or the connection error.
pub async fn post_all(
    client: &reqwest::Client,
    url: &str,
    bodies: Vec<serde_json::Value>,
    in_flight: usize,
) -> Vec<String> {
    use futures_util::{StreamExt, stream};
    stream::iter(bodies)
        .map(|body| {
            let request = client.post(url).json(&body).send();
            async move {
                match request.await {
                    Ok(r) if r.status().as_u16() == 201 => None,
                    Ok(r) => Some(format!(
                        "{} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => Some(e.to_string()),
                }
            }
        })
        .buffer_unordered(in_flight)
        .filter_map(std::future::ready)
        .collect::<Vec<_>>()
        .await
}
