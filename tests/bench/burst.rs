//! A burst from 200 keep-alive clients: `total` GETs, each due at its own instant, spread evenly
//! over a period. It is not open-loop: they go over `connections` keep-alive connections,
//! request `k` on connection `k % connections`, and each connection sends its next request only
//! after the previous answer (no more than `connections` in flight, as cron jobs at the top of
//! the hour would be). A request's latency counts from when it was due, so a server that falls
//! behind is still charged for the requests it made wait. Plain HTTP/1.1 written by hand: the
//! client costs little of the cores it shares with the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

pub struct Burst {
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// Requests that got no 200 answer (an error, a refused connection, another status).
    pub failures: usize,
    /// From the first request due to the last answer.
    pub took: Duration,
}

impl Burst {
    pub fn percentile(&self, p: f64) -> Duration {
        let lat = &self.latencies;
        lat[((lat.len() - 1) as f64 * p).round() as usize]
    }
}

/// Sends `GET paths[k % paths.len()]` for k in 0..total, request k due at `over * k / total`.
pub async fn run(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    total: usize,
    over: Duration,
    connections: usize,
) -> Burst {
    let start = Instant::now() + Duration::from_millis(100);
    let workers: Vec<_> = (0..connections)
        .map(|c| {
            let paths = paths.clone();
            tokio::spawn(async move {
                let mut stream = None;
                let (mut latencies, mut failures) = (Vec::new(), 0);
                for k in (c..total).step_by(connections) {
                    let due = start + over.mul_f64(k as f64 / total as f64);
                    tokio::time::sleep_until(due).await;
                    let path = &paths[k % paths.len()];
                    match get(&mut stream, addr, path).await {
                        Ok(200) => latencies.push(due.elapsed()),
                        _ => {
                            failures += 1;
                            stream = None;
                        }
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut burst = Burst {
        latencies: Vec::with_capacity(total),
        failures: 0,
        took: Duration::ZERO,
    };
    for w in workers {
        let (latencies, failures) = w.await.expect("burst connection");
        burst.latencies.extend(latencies);
        burst.failures += failures;
    }
    burst.took = start.elapsed();
    burst.latencies.sort_unstable();
    burst
}

/// One request on the connection (opened if needed); the answer's status.
async fn get(stream: &mut Option<TcpStream>, addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    if stream.is_none() {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        *stream = Some(s);
    }
    let s = stream.as_mut().expect("connected");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    let head_end = loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let bad = || std::io::Error::other("malformed answer");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(bad)?;
    let mut body = buf.len() - head_end;
    while body < length {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        body += n;
    }
    Ok(status)
}
