//! wrk as the load generator: a C client far lighter than an in-process one, so on a shared
//! machine more of the cores go to the servers measured. A small Lua script cycles through the
//! given paths (one per task), with the method and headers given; `wrk --latency` prints the
//! percentiles read back here.

use std::process::Command;
use std::time::Duration;

/// wrk's threads and connections: `wrk -t2 -c64`.
pub const THREADS: usize = 2;
pub const CONNECTIONS: usize = 64;

/// The installed wrk, if any (`apt-get install wrk`).
pub fn find() -> Option<String> {
    ["/usr/bin/wrk", "/usr/local/bin/wrk"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned)
}

/// What to send.
pub struct Load<'a> {
    pub method: &'a str,
    /// Cycled through, request after request.
    pub paths: &'a [String],
    pub headers: &'a [(&'a str, String)],
    /// `Connection: close`: a new connection per request (as a crontab's `curl` opens one).
    pub close: bool,
}

/// What wrk measured.
pub struct Measured {
    pub requests: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// Non-2xx/3xx answers and socket errors (connect, read, write, timeout).
    pub errors: u64,
}

/// Runs wrk against `base` for `secs` seconds.
pub fn run(bin: &str, base: &str, load: &Load<'_>, secs: f64) -> Measured {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("load.lua");
    std::fs::write(&script, lua(load)).expect("write the wrk script");
    let out = Command::new(bin)
        .args(["-t", &THREADS.to_string(), "-c", &CONNECTIONS.to_string()])
        .arg(format!("-d{}s", secs.ceil()))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(base)
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "wrk failed: {text}");
    parse(&text).unwrap_or_else(|| panic!("unexpected wrk output:\n{text}"))
}

fn lua(load: &Load<'_>) -> String {
    let quote = |s: &str| format!("{s:?}");
    let paths: Vec<String> = load.paths.iter().map(|p| quote(p)).collect();
    let mut headers: Vec<String> = load
        .headers
        .iter()
        .map(|(k, v)| format!("wrk.headers[{}] = {}", quote(k), quote(v)))
        .collect();
    if load.close {
        headers.push("wrk.headers[\"Connection\"] = \"close\"".to_owned());
    }
    format!(
        "wrk.method = {}\n{}\nlocal paths = {{ {} }}\nlocal i = 0\n\
         request = function()\n  i = i + 1\n  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n",
        quote(load.method),
        headers.join("\n"),
        paths.join(", ")
    )
}

/// "635.91us", "12.92ms", "1.02s", "1.50m".
fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let secs = match unit {
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

fn parse(text: &str) -> Option<Measured> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let find = |test: &dyn Fn(&str) -> bool| lines.iter().copied().find(|l| test(l));
    let word = |line: &str, n: usize| line.split_whitespace().nth(n).map(str::to_owned);
    let percentile = |p: &str| duration(&word(find(&|l| l.starts_with(p))?, 1)?);
    // "Socket errors: connect 0, read 0, write 0, timeout 0" (absent when none).
    let socket_errors: u64 = find(&|l| l.starts_with("Socket errors:")).map_or(0, |l| {
        l.split(',')
            .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
            .sum()
    });
    let non_2xx: u64 = find(&|l| l.starts_with("Non-2xx or 3xx responses:"))
        .and_then(|l| word(l, 4)?.parse().ok())
        .unwrap_or(0);
    // The thread statistics' "Latency  avg  stdev  max  +/-", not "Latency Distribution".
    let latency = find(&|l| l.starts_with("Latency") && !l.contains("Distribution"))?;
    Some(Measured {
        // "N requests in Ts, B read"
        requests: word(find(&|l| l.contains(" requests in "))?, 0)?
            .parse()
            .ok()?,
        per_second: word(find(&|l| l.starts_with("Requests/sec:"))?, 1)?
            .parse()
            .ok()?,
        p50: percentile("50%")?,
        p99: percentile("99%")?,
        max: duration(&word(latency, 3)?)?,
        errors: socket_errors + non_2xx,
    })
}
