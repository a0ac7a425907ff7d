//! The monitors benchmark's memory figures: the server's resident memory at rest next to
//! nginx's, measured in the same run, and the targets printed beside the figures.

use std::time::Duration;

use crate::{nginx, support};

/// Resident memory at rest, no monitors: at most this (MiB).
pub const IDLE_TARGET_MIB: f64 = 12.0;
/// 1,000 HTTP monitors at a 20 s interval: at most this resident memory (MiB) and CPU (% of
/// one core).
pub const LOAD_TARGET_MIB: f64 = 15.0;
pub const LOAD_TARGET_CPU: f64 = 2.0;
/// The row the targets above are for.
pub const LOAD_MONITORS: usize = 1_000;
pub const LOAD_INTERVAL: u64 = 20;

/// How long a fresh server rests before its memory is read: start-up work and its temporary
/// threads are over, and the server has given its start-up pages back to the kernel.
const REST: Duration = Duration::from_secs(dutyduck::startup_pages::AFTER_START.as_secs() + 5);

/// A `/proc/PID/status` figure in MiB (the file gives kB).
pub fn status_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find_map(|l| l.strip_prefix(key));
    let kb: f64 = line
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

/// `VmRSS (anonymous + file)` of a process, for the rows.
fn rss_text(pid: u32) -> String {
    format!(
        "{:5.1} MiB (anonymous {:.1} + file {:.1})",
        status_mib(pid, "VmRSS:"),
        status_mib(pid, "RssAnon:"),
        status_mib(pid, "RssFile:")
    )
}

/// "≤ target" or "> target", for a figure printed beside its target.
pub fn versus(figure: f64, target: f64, unit: &str) -> String {
    let sign = if figure <= target { "≤" } else { ">" };
    format!("{sign} {target} {unit} target")
}

/// Prints the idle rows: dutyduck at rest with its defaults and with one worker thread and one
/// reader, then nginx (master and workers summed) at rest, serving a 2-byte file.
pub async fn idle_rows() {
    println!(
        "\nAt rest, no monitors ({} s after start; a fresh data dir with one user):",
        REST.as_secs()
    );
    for (label, extra) in [
        ("dutyduck (defaults)", ""),
        (
            "dutyduck --worker-threads 1 --readers 1",
            "--worker-threads 1 --readers 1",
        ),
    ] {
        let bench = support::start_with(|mut serve| {
            serve.args(extra.split_whitespace());
            serve
        })
        .await;
        tokio::time::sleep(REST).await;
        let pid = bench.server.0.id();
        let rss = status_mib(pid, "VmRSS:");
        println!(
            "  {label:<40} {}, threads {}: {}",
            rss_text(pid),
            threads(pid),
            versus(rss, IDLE_TARGET_MIB, "MiB")
        );
    }
    let Some(bin) = nginx::find() else {
        println!("  nginx is not installed (apt-get install nginx-light): no baseline");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, url) = nginx::start(&bin, dir.path(), b"ok");
    nginx::wait_until_serving(&url).await;
    tokio::time::sleep(REST).await;
    let master = server.0.id();
    let workers = children(master);
    let mut total = status_mib(master, "VmRSS:");
    for &w in &workers {
        total += status_mib(w, "VmRSS:");
    }
    println!(
        "  {:<40} {total:5.1} MiB, master {} + {} workers summed (shared pages counted in each)",
        "nginx (worker_processes auto, a 2-byte file)",
        rss_text(master),
        workers.len(),
    );
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |d| d.count())
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // Fields after "(comm)": state, then the parent's pid.
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()));
            parent == Some(pid)
        })
        .collect()
}
