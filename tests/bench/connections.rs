//! Hostile clients against the real `dutyduck` release binary, started with
//! `ulimit -Sn 1024` (a systemd service's default): does `/healthz` keep answering a normal
//! client, and does the server's memory stay bounded?
//!
//! Run: `cargo bench --bench connections` (about a minute; loopback only, stops by itself).
//!
//! 1. Baseline: `GET /healthz` probes from 127.0.0.1, one at a time, each on a new connection
//!    (as an uptime checker does), with nothing else going on: p50/p99/max.
//! 2. The same probes while 2,000 slowloris clients (a request line, then one header byte a
//!    second) and 2,000 idle sockets (connect, send nothing) are held open from 127.0.0.2 to
//!    127.0.0.17, each reconnecting 1 s after the server closes it. Run twice: with the soft
//!    limit 1024 (the server raises it to the hard limit), and with the hard limit 1024 too (so
//!    the connection cap, 512, is reached and the server makes room by closing the oldest
//!    idle ones). Then all 4,000 from 127.0.0.2 alone (the per-address cap). Each row shows the
//!    probes' p50/p99/max, the failed probes, and the most descriptors the server held.
//! 3. Memory: on a fresh server, 3,000 clients (127.0.0.2 to .17) each trickle up to 390 KB of
//!    headers (1 KB every 100 ms, never ending the head): the server's RSS before, peak (VmHWM)
//!    and after, and how many were closed by the server.

#[path = "support.rs"]
mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::{Bench, Server, Stats, in_shell, ms, start_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const PROBE_EVERY: Duration = Duration::from_millis(10);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
const BASELINE: Duration = Duration::from_secs(5);
const FLOOD: Duration = Duration::from_secs(10);
const SLOWLORIS: usize = 2_000;
const IDLE: usize = 2_000;
/// Source addresses 127.0.0.2 and up, so the per-address cap (256) lets the flood in.
const ADDRESSES: u8 = 16;
const HEAVY_HEADS: usize = 3_000;
const HEAD_BYTES: usize = 390 * 1024;
/// A closed attacker connects again after this, as slowloris tools re-create their sockets.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() {
    // reqwest (used by `support::start`) is built without a default crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    raise_own_fd_limit();
    println!(
        "{:<52} {:>6} {:>6} {:>9} {:>9} {:>9} {:>8}",
        "scenario (GET /healthz from 127.0.0.1)",
        "probes",
        "failed",
        "p50",
        "p99",
        "max",
        "srv fds"
    );
    let soft = start_with(|serve| in_shell("ulimit -Sn 1024", serve)).await;
    println!("server limits: {}", fd_limits(&soft.server));
    let baseline = probe_while(&soft, BASELINE).await;
    report("baseline, nothing else", &baseline);
    flood(&soft, "2k slowloris + 2k idle, 16 addresses", ADDRESSES).await;
    drop(soft);

    let hard = start_with(|serve| in_shell("ulimit -n 1024", serve)).await;
    println!("server limits: {}", fd_limits(&hard.server));
    report(
        "baseline, nothing else",
        &probe_while(&hard, BASELINE).await,
    );
    flood(&hard, "same, hard 1024 (cap 512)", ADDRESSES).await;
    flood(&hard, "same, all from 127.0.0.2", 1).await;
    drop(hard);

    heavy_heads().await;
}

/// Floods the server from `addresses` source addresses while probing it, and prints a row.
async fn flood(bench: &Bench, name: &str, addresses: u8) {
    let server = addr(bench);
    // The attackers outlast the probes, which start 2 s in.
    let until = Instant::now() + FLOOD + Duration::from_secs(3);
    let open = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for i in 0..SLOWLORIS + IDLE {
        let from = Ipv4Addr::new(127, 0, 0, 2 + (i % usize::from(addresses)) as u8);
        let open = open.clone();
        let slow = i < SLOWLORIS;
        attackers.push(tokio::spawn(async move {
            while Instant::now() < until {
                if let Ok(stream) = connect(from, server).await {
                    open.fetch_add(1, Ordering::Relaxed);
                    hold(stream, slow, until).await;
                    open.fetch_sub(1, Ordering::Relaxed);
                }
                tokio::time::sleep(RECONNECT_AFTER).await;
            }
        }));
    }
    // Let the flood build up before probing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fds = Arc::new(AtomicUsize::new(0));
    let watch = tokio::spawn(watch_fds(bench.server.0.id(), until, fds.clone()));
    let stats = probe_while(bench, FLOOD).await;
    let held = open.load(Ordering::Relaxed);
    for attacker in attackers {
        let _ = attacker.await;
    }
    let _ = watch.await;
    let row = format!("{name}; {held} open at the end");
    report_fds(&row, &stats, fds.load(Ordering::Relaxed));
}

/// Holds one attacking connection until the server closes it or `until`: slowloris sends a
/// request line, then one header byte a second; idle sends nothing.
async fn hold(mut stream: TcpStream, slow: bool, until: Instant) {
    if slow
        && stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .is_err()
    {
        return;
    }
    let mut buf = [0u8; 512];
    while Instant::now() < until {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(n) if n > 0 => {}
                _ => return,
            },
            () = tokio::time::sleep(Duration::from_secs(1)) => {
                if slow && stream.write_all(b"a").await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `GET /healthz` on a new connection every `PROBE_EVERY` for `duration`.
async fn probe_while(bench: &Bench, duration: Duration) -> Stats {
    let server = addr(bench);
    let until = Instant::now() + duration;
    let mut stats = Stats::default();
    while Instant::now() < until {
        let started = Instant::now();
        let ok = tokio::time::timeout(PROBE_TIMEOUT, probe(server))
            .await
            .unwrap_or(false);
        stats.latencies.push(started.elapsed());
        stats.failures += usize::from(!ok);
        tokio::time::sleep(PROBE_EVERY).await;
    }
    stats.latencies.sort_unstable();
    stats
}

async fn probe(server: SocketAddr) -> bool {
    let Ok(mut stream) = connect(Ipv4Addr::LOCALHOST, server).await else {
        return false;
    };
    let request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return false;
    }
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.is_ok() && response.starts_with(b"HTTP/1.1 200")
}

/// 3,000 clients trickling heads of up to 390 KB into a fresh server; prints its memory.
async fn heavy_heads() {
    let bench = start_with(|serve| in_shell("ulimit -Sn 1024", serve)).await;
    let server = addr(&bench);
    let before = memory(&bench.server, "VmRSS");
    let closed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let until = started + Duration::from_secs(60);
    let mut clients = Vec::new();
    for i in 0..HEAVY_HEADS {
        let from = Ipv4Addr::new(127, 0, 0, 2 + (i % usize::from(ADDRESSES)) as u8);
        let closed = closed.clone();
        clients.push(tokio::spawn(async move {
            let Ok(mut stream) = connect(from, server).await else {
                return;
            };
            if trickle_head(&mut stream, until).await {
                closed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for client in clients {
        let _ = client.await;
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = memory(&bench.server, "VmRSS");
    let peak = support::peak_rss(&bench.server);
    println!(
        "\n{HEAVY_HEADS} clients trickling {} KB heads (1 KB / 100 ms), 16 addresses, {:.1} s:",
        HEAD_BYTES / 1024,
        took.as_secs_f64()
    );
    println!("  server RSS before {before}, peak (VmHWM) {peak}, after {after}");
    println!(
        "  {} of {HEAVY_HEADS} closed by the server before sending their whole head",
        closed.load(Ordering::Relaxed)
    );
}

/// Sends header lines of 1 KB every 100 ms, never ending the head; true if the server closed
/// the connection (or answered) before all `HEAD_BYTES` were sent.
async fn trickle_head(stream: &mut TcpStream, until: Instant) -> bool {
    if stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .is_err()
    {
        return true;
    }
    let line = format!("X-Pad: {}\r\n", "a".repeat(1024 - 10));
    let mut buf = [0u8; 512];
    let mut sent = 0;
    while sent < HEAD_BYTES && Instant::now() < until {
        tokio::select! {
            read = stream.read(&mut buf) => {
                let _ = read;
                return true;
            }
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if stream.write_all(line.as_bytes()).await.is_err() {
                    return true;
                }
                sent += line.len();
            }
        }
    }
    false
}

async fn connect(from: Ipv4Addr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind((from, 0).into())?;
    socket.connect(server).await
}

fn addr(bench: &Bench) -> SocketAddr {
    bench
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address")
}

/// The benchmark itself holds thousands of sockets: soft limit up to the hard one.
fn raise_own_fd_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        ..limit
    };
    setrlimit(Resource::Nofile, raised).expect("raise the benchmark's fd limit");
    let soft = getrlimit(Resource::Nofile).current;
    assert!(
        soft.is_none_or(|n| n > 10_000),
        "the benchmark needs over 10,000 file descriptors (hard limit {:?})",
        limit.maximum
    );
}

/// The server's "Max open files" soft and hard limits, from /proc.
fn fd_limits(server: &Server) -> String {
    let limits =
        std::fs::read_to_string(format!("/proc/{}/limits", server.0.id())).unwrap_or_default();
    let line = limits.lines().find(|l| l.starts_with("Max open files"));
    let words: Vec<&str> = line.map_or(vec![], |l| l.split_whitespace().collect());
    match words.as_slice() {
        [.., soft, hard, _] => format!("open files soft {soft}, hard {hard}"),
        _ => "unknown".to_owned(),
    }
}

/// Samples how many descriptors the server holds until `until`; keeps the most.
async fn watch_fds(pid: u32, until: Instant, most: Arc<AtomicUsize>) {
    while Instant::now() < until {
        let held = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
        most.fetch_max(held, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A line of /proc/<pid>/status, e.g. VmRSS.
fn memory(server: &Server, field: &str) -> String {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap_or_default();
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'));
    line.map_or("unknown", str::trim).to_owned()
}

fn report(name: &str, s: &Stats) {
    report_fds(name, s, 0);
}

fn report_fds(name: &str, s: &Stats, fds: usize) {
    let (p50, p99, max) = (
        ms(s.percentile(0.5)),
        ms(s.percentile(0.99)),
        ms(s.percentile(1.0)),
    );
    let fds = if fds == 0 {
        "-".to_owned()
    } else {
        fds.to_string()
    };
    let n = s.latencies.len();
    println!(
        "{name:<52} {n:>6} {:>6} {p50:>9} {p99:>9} {max:>9} {fds:>8}",
        s.failures
    );
}
