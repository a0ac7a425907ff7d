//! Check-scheduling benchmark of the real `dutyduck` release binary: monitors with a 60 s
//! interval against local targets. By default: the server's memory at rest next to nginx's
//! (see `footprint.rs`), 1,000 HTTP monitors at a 20 s interval with the memory and CPU targets
//! beside the figures, then N HTTP monitors at 60 s for N = 1,000 and 20,000; in mix mode,
//! monitors of several kinds at once next to an HTTP-only baseline of the same total.
//!
//! Run: `cargo bench --bench monitors` (120 s window per row), or e.g.
//! `BENCH_MONITORS=1000 BENCH_SECONDS=20 cargo bench --bench monitors`. BENCH_INTERVAL (seconds)
//! sets the interval of the BENCH_MONITORS and mix rows (default 60) and then leaves out the
//! rest and 20 s rows.
//!
//! Mix: `cargo bench --bench monitors -- mix` (about 5 minutes on 2 cores, after the build) runs
//! an HTTP-only baseline of 17,500 monitors, then 10,000 HTTP + 5,000 TCP + 2,000 DNS + 500 TLS
//! monitors, each on a fresh server. BENCH_MIX sets the mix (and alone selects mix mode), e.g.
//! `BENCH_MIX="http=2000,tcp=1000,dns=400" BENCH_SECONDS=60 cargo bench --bench monitors`;
//! BENCH_MONITORS then sets the baseline rows instead of the mix's total ("" for none).
//!
//! The targets run inside this process on 127.0.0.1 and count what they receive, by kind:
//! - http: a warp server answering 200 "ok" (requests), each monitor on its own path `/m{i}`;
//! - tcp: a listener that accepts and closes (connections); one TCP monitor in five expects "220"
//!   from a second listener that sends an SMTP-like banner;
//! - dns: a UDP responder built with hickory-proto answering A 192.0.2.1 for `m{i}.bench.test`
//!   (queries);
//! - tls: a tokio-rustls listener with a self-signed rcgen certificate for 127.0.0.1, checked
//!   with `verifyChain: false` (completed handshakes);
//! - icmp: pings to 127.0.0.1, answered by the kernel (no target counts them).
//!
//! For each row: a fresh data dir, a user and an API token made with the CLI, `dutyduck serve` on a
//! free loopback port, then the monitors through `POST /monitors` (32 in flight). After a 10 s
//! settle (first checks come within 5 s of creation, then each monitor keeps a fixed slot in its
//! interval) it measures a window and prints one row: scheduled checks/s (N / 60), checks/s
//! achieved as seen by the targets (and as a share of scheduled), schedule lateness p50/p99 (from
//! `GET /metrics`, last 10,000 checks of all kinds, at the end of the window), the server's CPU
//! over the window (% of one core, from /proc/PID/stat), its peak RSS over the window (VmHWM, reset
//! at the window's start), and database growth extrapolated to an hour and per check (pages in use,
//! read through SQLite, so WAL checkpoints do not add noise). Under the row, one line per kind:
//! monitors, scheduled/s, received/s by its target (and share), slot→result p50/p99 (from the
//! database: when each result was recorded minus the monitor's slot on its grid, so lateness plus
//! the check's own duration), and the server's ok/s and failed/s (`dutyduck_check_results_total`).
//! A note gives the creation rate, the server's own check count, current RSS and the file sizes.
//! The server must exit 0 after SIGTERM.
//!
//! The benchmark raises its own soft file-descriptor limit to the hard one (the server raises
//! its own at start). Targets, benchmark client and server share the same cores: read the
//! figures as the cost of the schedule on this machine, not as the server's capacity.

#[path = "footprint.rs"]
mod footprint;
#[path = "nginx.rs"]
mod nginx;
#[path = "support.rs"]
mod support;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dutyduck::ids::MonitorId;
use dutyduck::monitors::schedule::phase_ms;
use hickory_proto::op::{Message, OpCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record};
use rusqlite::{Connection, OpenFlags};
use rustls::pki_types::PrivateKeyDer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use warp::Filter;

/// The interval of the rows unless BENCH_INTERVAL says.
const INTERVAL: u64 = 60;
const IN_FLIGHT: usize = 32;
const SETTLE: Duration = Duration::from_secs(10);

/// ICMP monitors in the default mix, pinging 127.0.0.1 (2 pings each). The kernel answers the
/// echo requests, so no target counts them: their line shows the server's ok/s and failed/s.
const ICMP_MONITORS: usize = 500;

/// The mix of `-- mix` without BENCH_MIX.
const DEFAULT_MIX: [(Kind, usize); 5] = [
    (Kind::Http, 10_000),
    (Kind::Tcp, 5_000),
    (Kind::Dns, 2_000),
    (Kind::Tls, 500),
    (Kind::Icmp, ICMP_MONITORS),
];

/// One TCP monitor in this many expects the banner's "220"; the others only connect.
const BANNER_EVERY: usize = 5;
const BANNER: &[u8] = b"220 bench.test ESMTP ready\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Http,
    Tcp,
    Dns,
    Tls,
    Icmp,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Http, Kind::Tcp, Kind::Dns, Kind::Tls, Kind::Icmp];

    /// The API's word for the kind, as `/metrics` labels it.
    fn word(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Tcp => "tcp",
            Kind::Dns => "dns",
            Kind::Tls => "tls",
            Kind::Icmp => "icmp",
        }
    }
}

/// What the targets received, by kind (`Kind as usize`).
type Received = Arc<[AtomicU64; Kind::ALL.len()]>;

/// The local targets.
struct Targets {
    http: String,
    tcp: u16,
    banner: u16,
    dns: u16,
    tls: u16,
    received: Received,
}

impl Targets {
    async fn start() -> Targets {
        let received: Received = Arc::new(std::array::from_fn(|_| AtomicU64::new(0)));
        Targets {
            http: http_target(received.clone()).await,
            tcp: tcp_target(received.clone(), None).await,
            banner: tcp_target(received.clone(), Some(BANNER)).await,
            dns: dns_target(received.clone()).await,
            tls: tls_target(received.clone()).await,
            received,
        }
    }

    /// The `POST /monitors` body of the kind's `i`th monitor.
    fn body(&self, kind: Kind, i: usize, interval: u64) -> serde_json::Value {
        let name = format!("{}-{i}", kind.word());
        match kind {
            Kind::Http => serde_json::json!({
                "kind": "http", "name": name, "intervalSeconds": interval,
                "url": format!("{}/m{i}", self.http),
            }),
            Kind::Tcp if i.is_multiple_of(BANNER_EVERY) => serde_json::json!({
                "kind": "tcp", "name": name, "intervalSeconds": interval,
                "host": "127.0.0.1", "port": self.banner, "expect": "220",
            }),
            Kind::Tcp => serde_json::json!({
                "kind": "tcp", "name": name, "intervalSeconds": interval,
                "host": "127.0.0.1", "port": self.tcp,
            }),
            Kind::Dns => serde_json::json!({
                "kind": "dns", "name": name, "intervalSeconds": interval,
                "dnsName": format!("m{i}.bench.test"), "recordType": "A",
                "resolver": format!("127.0.0.1:{}", self.dns),
            }),
            Kind::Tls => serde_json::json!({
                "kind": "tls", "name": name, "intervalSeconds": interval,
                "tlsHost": "127.0.0.1", "tlsPort": self.tls, "verifyChain": false,
            }),
            Kind::Icmp => serde_json::json!({
                "kind": "icmp", "name": name, "intervalSeconds": interval,
                "pingHost": "127.0.0.1", "packetCount": 2,
            }),
        }
    }
}

fn count(received: &Received, kind: Kind) {
    received[kind as usize].fetch_add(1, Relaxed);
}

/// Accepts connections until the process ends, each handed to `serve`; a failed accept (out
/// of file descriptors) waits a little rather than spinning.
fn accept_loop<F, Fut>(listener: TcpListener, serve: F)
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    });
}

async fn bind() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind target");
    let port = listener.local_addr().expect("target address").port();
    (listener, port)
}

/// The HTTP target: 200 "ok" on any path; returns its base URL.
async fn http_target(received: Received) -> String {
    let ok = warp::any().map(move || {
        count(&received, Kind::Http);
        "ok"
    });
    let (listener, port) = bind().await;
    tokio::spawn(warp::serve(ok).incoming(listener).run());
    format!("http://127.0.0.1:{port}")
}

/// The TCP target: counts each connection; with a banner, sends it and waits (at most 5 s) for
/// the client to close, as a mail server waits for a command. Returns its port.
async fn tcp_target(received: Received, banner: Option<&'static [u8]>) -> u16 {
    let (listener, port) = bind().await;
    accept_loop(listener, move |mut stream| {
        count(&received, Kind::Tcp);
        async move {
            if let Some(banner) = banner
                && stream.write_all(banner).await.is_ok()
            {
                let mut rest = [0u8; 64];
                let closed = async { while stream.read(&mut rest).await.is_ok_and(|n| n > 0) {} };
                let _ = tokio::time::timeout(Duration::from_secs(5), closed).await;
            }
        }
    });
    port
}

/// The answer to a DNS query: its question, and A 192.0.2.1 for whatever name it asks.
fn dns_answer(query: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    let mut answer = Message::response(query.metadata.id, OpCode::Query);
    answer.metadata.recursion_desired = query.metadata.recursion_desired;
    answer.metadata.recursion_available = true;
    let asked = query.queries.first()?.name().clone();
    answer.add_queries(query.queries.clone());
    let a = RData::A(A(Ipv4Addr::new(192, 0, 2, 1)));
    answer.add_answer(Record::from_rdata(asked, 60, a));
    answer.to_vec().ok()
}

/// The DNS target: a UDP responder counting the queries it receives. Returns its port.
async fn dns_target(received: Received) -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind DNS target");
    let port = socket.local_addr().expect("DNS target address").port();
    tokio::spawn(async move {
        let mut buffer = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buffer).await else {
                continue;
            };
            count(&received, Kind::Dns);
            if let Some(reply) = dns_answer(&buffer[..n]) {
                let _ = socket.send_to(&reply, peer).await;
            }
        }
    });
    port
}

/// The TLS target: a self-signed certificate for 127.0.0.1 (valid for decades: no expiry
/// warning); counts completed handshakes, then waits (at most 5 s) for the client's
/// close_notify. Returns its port.
async fn tls_target(received: Received) -> u16 {
    let key = rcgen::KeyPair::generate().expect("TLS key");
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .and_then(|params| params.self_signed(&key))
        .expect("TLS certificate");
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("TLS configuration");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, port) = bind().await;
    accept_loop(listener, move |stream| {
        let (acceptor, received) = (acceptor.clone(), received.clone());
        async move {
            let wait = Duration::from_secs(5);
            let Ok(Ok(mut tls)) = tokio::time::timeout(wait, acceptor.accept(stream)).await else {
                return;
            };
            count(&received, Kind::Tls);
            let mut rest = [0u8; 64];
            let _ = tokio::time::timeout(wait, tls.read(&mut rest)).await;
        }
    });
    port
}

/// What the server and its data dir look like at one instant.
struct Sample {
    at: Instant,
    /// Milliseconds since the epoch, as the database stores times.
    wall_ms: i64,
    /// What the targets received, by kind.
    received: [u64; Kind::ALL.len()],
    /// From `/metrics`: checks total, lateness p50 and p99 in seconds.
    checks: u64,
    p50: f64,
    p99: f64,
    /// From `/metrics`: checks by kind and whether they passed.
    results: BTreeMap<(String, bool), u64>,
    /// utime + stime, in seconds.
    cpu: f64,
    /// Bytes in pages SQLite uses (page_count - freelist_count).
    db_used: i64,
}

impl Sample {
    fn count(&self, kind: Kind, ok: bool) -> u64 {
        let key = (kind.word().to_owned(), ok);
        self.results.get(&key).copied().unwrap_or(0)
    }
}

fn open_db(dir: &Path) -> Connection {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(dir.join("dutyduck.db"), flags).expect("open db")
}

/// `dutyduck_check_results_total{kind="K",result="R"} N` lines: (K, R == "ok") → N.
fn results_by_kind(text: &str) -> BTreeMap<(String, bool), u64> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("dutyduck_check_results_total{kind=\"")?;
            let (kind, rest) = rest.split_once("\",result=\"")?;
            let (result, value) = rest.split_once("\"}")?;
            Some((
                (kind.to_owned(), result == "ok"),
                value.trim().parse().ok()?,
            ))
        })
        .collect()
}

async fn sample(base: &str, pid: u32, dir: &Path, received: &Received, tick: f64) -> Sample {
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
    let cpu = support::cpu_seconds(&format!("/proc/{pid}/stat"), tick);
    let db = open_db(dir);
    let pragma = |p: &str| db.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0));
    let pages = pragma("page_count").unwrap() - pragma("freelist_count").unwrap();
    Sample {
        at: Instant::now(),
        wall_ms: now_ms(),
        received: std::array::from_fn(|k| received[k].load(Relaxed)),
        checks: metric("dutyduck_checks_total ") as u64,
        p50: metric("dutyduck_check_lateness_seconds{quantile=\"0.5\"} "),
        p99: metric("dutyduck_check_lateness_seconds{quantile=\"0.99\"} "),
        results: results_by_kind(&text),
        cpu,
        db_used: pages * pragma("page_size").unwrap(),
    }
}

fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.expect("clock after 1970").as_millis() as i64
}

/// By kind, sorted: milliseconds from each result's slot on its monitor's grid (interval ×
/// k + phase, the phase derived from the id as the server derives it) to when the result was
/// recorded, for results recorded in [from, to). Results recorded a whole interval or more
/// after their slot would wrap around: none are expected at 60 s.
fn slot_to_result(dir: &Path, from: i64, to: i64) -> BTreeMap<String, Vec<i64>> {
    let db = open_db(dir);
    let mut query = db
        .prepare(
            "SELECT m.id, m.kind, m.interval_seconds, r.checked_at FROM check_results r
             JOIN monitors m ON m.id = r.monitor_id WHERE r.checked_at >= ?1 AND r.checked_at < ?2",
        )
        .expect("results query");
    let rows = query
        .query_map([from, to], |r| {
            let id: String = r.get(0)?;
            Ok((
                id,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .expect("results");
    let mut by_kind: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in rows {
        let (id, kind, interval, checked_at) = row.expect("result");
        let id: MonitorId = id.parse().expect("monitor id");
        let since_slot =
            (checked_at - phase_ms(id, interval)).rem_euclid(i64::from(interval) * 1000);
        by_kind.entry(kind).or_default().push(since_slot);
    }
    for delays in by_kind.values_mut() {
        delays.sort_unstable();
    }
    by_kind
}

fn percentile(sorted: &[i64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n - 1) as f64 * p).round() as usize] as f64,
    }
}

use footprint::status_mib as status_mb;

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}

/// One row: its label, its monitors and their interval in seconds.
struct Row {
    label: String,
    mix: Vec<(Kind, usize)>,
    interval: u64,
}

impl Row {
    /// HTTP monitors only; the label names an interval other than 60 s (`http20`).
    fn http(n: usize, interval: u64) -> Row {
        let label = match interval {
            INTERVAL => "http".to_owned(),
            _ => format!("http{interval}"),
        };
        let mix = vec![(Kind::Http, n)];
        Row {
            label,
            mix,
            interval,
        }
    }
}

/// One full scenario with the monitors of `row`; prints its row, a line per kind and a note.
async fn scenario(row: &Row, secs: f64, targets: &Targets, tick: f64) {
    let Row {
        label,
        mix,
        interval,
    } = row;
    let (mix, interval) = (mix.as_slice(), *interval);
    let support::Bench {
        dir,
        mut server,
        base,
        auth,
    } = support::start().await;
    let pid = server.0.id();
    let client = reqwest::Client::builder().default_headers(auth).build();
    let client = client.expect("client");
    let bodies: Vec<_> = mix
        .iter()
        .flat_map(|&(kind, n)| (0..n).map(move |i| (kind, i)))
        .map(|(kind, i)| targets.body(kind, i, interval))
        .collect();
    let n = bodies.len();
    let created_from = Instant::now();
    let failed = support::post_all(&client, &format!("{base}/monitors"), bodies, IN_FLIGHT).await;
    let creation = created_from.elapsed().as_secs_f64();
    assert!(
        failed.is_empty(),
        "{} of {n} monitors were not created; first: {}",
        failed.len(),
        failed[0]
    );

    tokio::time::sleep(SETTLE).await;
    let received = &targets.received;
    // The peak is the window's: start-up's (the migrations, creating the monitors) is not the
    // load's. Writing 5 to clear_refs resets VmHWM to the current RSS.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the server's VmHWM");
    let start = sample(&base, pid, dir.path(), received, tick).await;
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let end = sample(&base, pid, dir.path(), received, tick).await;
    let window = (end.at - start.at).as_secs_f64();
    // What each kind's target received; pings are answered by the kernel, so for ICMP the
    // server's own count of results stands in.
    let hits = |kind: Kind| match kind {
        Kind::Icmp => {
            let done = |s: &Sample| s.count(kind, true) + s.count(kind, false);
            done(&end) - done(&start)
        }
        _ => end.received[kind as usize] - start.received[kind as usize],
    };
    let all_hits: u64 = Kind::ALL.into_iter().map(hits).sum();
    let scheduled = n as f64 / interval as f64;
    let achieved = all_hits as f64 / window;
    let server_checks = end.checks - start.checks;
    let cpu = (end.cpu - start.cpu) / window * 100.0;
    let grown = (end.db_used - start.db_used) as f64;
    let per_hour = grown / window * 3600.0 / 1e6;
    // The whole database's growth (tables, indexes, rollups) per check seen by the targets.
    let per_check = grown / all_hits.max(1) as f64;
    let (peak, rss) = (status_mb(pid, "VmHWM:"), status_mb(pid, "VmRSS:"));
    let (p50, p99) = (end.p50 * 1e3, end.p99 * 1e3);
    let pct = achieved / scheduled * 100.0;
    println!(
        "{label:<6} {n:>8} {scheduled:>9.1} {achieved:>9.1} {pct:>6.1}% {p50:>8.0} ms \
         {p99:>8.0} ms {cpu:>6.1}% {peak:>8.1} {per_hour:>9.1} {per_check:>8.0} (≤ 60)"
    );
    if (n, interval) == (footprint::LOAD_MONITORS, footprint::LOAD_INTERVAL) {
        println!(
            "         targets: CPU {cpu:.1} % of a core ({}), peak RSS {peak:.1} MiB ({})",
            footprint::versus(cpu, footprint::LOAD_TARGET_CPU, "%"),
            footprint::versus(peak, footprint::LOAD_TARGET_MIB, "MiB"),
        );
    }

    // Results still in the writer's queue at the end of the window land within a moment.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let delays = slot_to_result(dir.path(), start.wall_ms, end.wall_ms);
    for &(kind, count) in mix {
        let scheduled = count as f64 / interval as f64;
        let achieved = hits(kind) as f64 / window;
        let pct = achieved / scheduled * 100.0;
        let rate = |ok: bool| (end.count(kind, ok) - start.count(kind, ok)) as f64 / window;
        let sorted = delays.get(kind.word()).map_or(&[][..], Vec::as_slice);
        let (d50, d99) = (percentile(sorted, 0.5), percentile(sorted, 0.99));
        println!(
            "  {:<4} {count:>8} {scheduled:>9.1} {achieved:>9.1} {pct:>6.1}%   slot→result \
             p50 {d50:.0} ms, p99 {d99:.0} ms; server {:.1} ok/s, {:.1} failed/s",
            kind.word(),
            rate(true),
            rate(false),
        );
    }
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

/// BENCH_MIX: "kind=count,…", e.g. "http=10000,tcp=5000,dns=2000,tls=500".
fn parse_mix(text: &str) -> Vec<(Kind, usize)> {
    let usage = "BENCH_MIX: e.g. http=10000,tcp=5000,dns=2000,tls=500,icmp=500";
    let mix: Vec<(Kind, usize)> = text
        .split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (word, count) = part.split_once('=').expect(usage);
            let kind = Kind::ALL
                .into_iter()
                .find(|k| k.word() == word.trim())
                .unwrap_or_else(|| panic!("{usage}: no kind {word:?} (http, tcp, dns, tls, icmp)"));
            (kind, count.trim().parse().expect(usage))
        })
        .filter(|&(_, count)| count > 0)
        .collect();
    assert!(!mix.is_empty(), "{usage}: no monitors");
    mix
}

/// Raises this process's soft file-descriptor limit to the hard one (the targets hold a
/// connection per check in flight); returns both.
fn raise_fd_limit() -> (String, String) {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = rustix::process::Rlimit {
        current: limit.maximum,
        ..limit
    };
    let soft = match setrlimit(Resource::Nofile, raised) {
        Ok(()) => limit.maximum,
        Err(_) => limit.current,
    };
    let show = |v: Option<u64>| v.map_or("unlimited".to_owned(), |v| v.to_string());
    (show(soft), show(limit.maximum))
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secs: f64 =
        std::env::var("BENCH_SECONDS").map_or(120.0, |s| s.parse().expect("BENCH_SECONDS"));
    let counts = |text: &str| -> Vec<usize> {
        text.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse().expect("BENCH_MONITORS: e.g. 1000,20000"))
            .collect()
    };
    let monitors = std::env::var("BENCH_MONITORS").ok();
    let mix = std::env::var("BENCH_MIX").ok();
    let chosen_interval = std::env::var("BENCH_INTERVAL")
        .ok()
        .map(|s| s.parse::<u64>().expect("BENCH_INTERVAL: seconds, e.g. 20"));
    let interval = chosen_interval.unwrap_or(INTERVAL);
    let mut rows: Vec<Row> = Vec::new();
    let mix_mode = mix.is_some() || std::env::args().skip(1).any(|a| a == "mix");
    // The default run (no variable, not mix mode) adds the rows at rest and at 20 s.
    let default_run = !mix_mode && chosen_interval.is_none() && monitors.is_none();
    if mix_mode {
        let mix = mix.map_or_else(
            || DEFAULT_MIX.into_iter().filter(|&(_, n)| n > 0).collect(),
            |text| parse_mix(&text),
        );
        // The baseline: HTTP only, as many monitors as the mix unless BENCH_MONITORS says.
        let total = mix.iter().map(|(_, n)| n).sum();
        for n in monitors.map_or(vec![total], |text| counts(&text)) {
            rows.push(Row::http(n, interval));
        }
        let label = "mix".to_owned();
        rows.push(Row {
            label,
            mix,
            interval,
        });
    } else {
        if default_run {
            let load = (footprint::LOAD_MONITORS, footprint::LOAD_INTERVAL);
            rows.push(Row::http(load.0, load.1));
        }
        for n in counts(monitors.as_deref().unwrap_or("1000,20000")) {
            rows.push(Row::http(n, interval));
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tick = support::clock_tick();
    let (soft, hard) = raise_fd_limit();
    let targets = Targets::start().await;

    if default_run {
        footprint::idle_rows().await;
    }
    println!(
        "\nMonitors against local targets, every {INTERVAL} s (`http20`: every 20 s), {secs} s \
         window after {SETTLE:?} settle; targets, bench client and server share the machine's \
         {cores} cores; file descriptors: soft {soft}, hard {hard}"
    );
    println!(
        "config monitors   sched/s  checks/s            late p50    late p99     CPU  peak MB   DB MB/h  B/check (target)"
    );
    println!(
        "  kind monitors   sched/s  target/s            slot→result (from the DB); server's \
         results by kind (/metrics)"
    );
    for row in &rows {
        scenario(row, secs, &targets, tick).await;
    }
}
