//! What both benchmarks need: the release binary, admin commands on a data dir, and a guard
//! that never leaves a server behind.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

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
    let server = Server(dutyduck(dir.path(), &serve).spawn().expect("start server"));
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
