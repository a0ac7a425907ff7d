//! The real binary as a self-hoster runs it: first start, log lines, signals, restart.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Served {
    child: Child,
    base: String,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dutyduck serve` on a free port and waits for its "listening on" line.
fn serve(data_dir: &std::path::Path) -> Served {
    serve_with(data_dir, &[])
}

/// `serve` with more flags.
fn serve_with(data_dir: &std::path::Path, flags: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(flags)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // From here on, Drop kills and reaps the child whatever happens.
    let mut served = Served {
        child,
        base: String::new(),
        lines,
        log: Vec::new(),
    };
    loop {
        let line = served
            .lines
            .recv_timeout(Duration::from_secs(20))
            .expect("server logs its address");
        served.log.push(line.clone());
        if let Some(rest) = line.split("listening on ").nth(1) {
            served.base = rest.split_whitespace().next().unwrap().to_owned();
            return served;
        }
    }
}

fn stop(mut served: Served) -> (std::process::ExitStatus, Vec<String>) {
    let pid = served.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = served.child.wait().unwrap();
    let mut log = std::mem::take(&mut served.log);
    // Everything up to the end of its stderr: the reader thread may not have passed on the
    // last lines yet when the process is reaped.
    log.extend(served.lines.iter());
    (status, log)
}

#[tokio::test(flavor = "multi_thread")]
async fn first_start_restart_and_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("fresh");

    let served = serve(&data_dir);
    assert!(
        data_dir.join("dutyduck.db").exists(),
        "database created on first start"
    );
    let start = served.log.join("\n");
    assert!(
        start.contains(env!("CARGO_PKG_VERSION")) && start.contains(data_dir.to_str().unwrap()),
        "{start}"
    );
    assert!(
        start.contains("dutyduck user create"),
        "tells how to create the first user: {start}"
    );

    let client = common::client();
    let health = client
        .get(format!("{}/healthz", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok", "problems": []})
    );
    let info: serde_json::Value = client
        .get(&served.base)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["buildTime"].is_string());

    let (status, log) = stop(served);
    assert!(status.success(), "SIGTERM exits 0, got {status}");
    assert!(log.iter().any(|l| l.contains("stopped")), "{log:?}");

    // Second start: migrations are a no-op, and with a user there is no first-user hint.
    let out = common::cli(
        &data_dir,
        &[
            "user",
            "create",
            "--email",
            "ada@example.com",
            "--first-name",
            "Ada",
            "--last-name",
            "L",
            "--password-stdin",
        ],
        Some(common::PASSWORD),
    );
    assert!(out.status.success());
    let served = serve(&data_dir);
    assert!(!served.log.join("\n").contains("no user yet"));
    let (status, _) = stop(served);
    assert!(status.success());
}

#[test]
fn help_explains_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "user", "token", "backup", "--data-dir"] {
        assert!(help.contains(command), "--help lacks {command}: {help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .args(["token", "create", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--user",
        "--label",
        "--expires-in",
        "--expires-at",
        "--scope",
        "--json",
    ] {
        assert!(help.contains(flag), "token create --help lacks {flag}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_dutyduck"))
        .args(["token", "create", "--user", "a@b.c", "--label", "x"])
        .output()
        .unwrap();
    assert!(!bad.status.success(), "an expiry is required");
}

#[test]
fn after_sigterm_the_db_file_alone_is_complete_and_restore_waits_for_the_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let served = serve(&data_dir);
    let created = common::create_user(&data_dir, "ada@example.com", Some("Acme"), None);
    assert!(created.status.success(), "{created:?}");
    let backup = tmp.path().join("copy.db");
    let out = common::cli(
        &data_dir,
        &["backup", "--to", backup.to_str().unwrap()],
        None,
    );
    assert!(out.status.success());
    let refused = common::cli(
        &data_dir,
        &["restore", "--from", backup.to_str().unwrap()],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("server (or a restore) is using"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let (status, _) = stop(served);
    assert!(status.success());
    let alone = tmp.path().join("alone.db");
    std::fs::copy(data_dir.join("dutyduck.db"), &alone).unwrap();
    let users: i64 = rusqlite::Connection::open(&alone)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1, "the copied file alone holds the user");
    let restored = common::cli(
        &data_dir,
        &["restore", "--from", backup.to_str().unwrap()],
        None,
    );
    assert!(restored.status.success());
}

/// The smallest server: one worker thread, one reader, the smallest cache. It answers reads and
/// writes, runs a check and records it, and stops cleanly.
#[tokio::test(flavor = "multi_thread")]
async fn the_smallest_server_serves_checks_and_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("small");
    let out = common::create_user(&data_dir, "ada@example.com", Some("Acme"), None);
    assert!(out.status.success());
    let token = common::cli(
        &data_dir,
        &[
            "token",
            "create",
            "--user",
            "ada@example.com",
            "--label",
            "t",
            "--expires-in",
            "1d",
            "--json",
        ],
        None,
    );
    let token: serde_json::Value = serde_json::from_slice(&token.stdout).unwrap();
    let flags = [
        "--worker-threads",
        "1",
        "--readers",
        "1",
        "--db-cache",
        "64KiB",
    ];
    let served = serve_with(&data_dir, &flags);

    let client = common::client();
    let api = |req: reqwest::RequestBuilder| {
        req.header("x-api-token-id", token["id"].as_str().unwrap())
            .header(
                "x-api-token-secret-key",
                token["secretKey"].as_str().unwrap(),
            )
    };
    let body = serde_json::json!({
        "name": "itself", "intervalSeconds": 5, "url": format!("{}/healthz", served.base),
    });
    let created = api(client.post(format!("{}/monitors", served.base)))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The first check comes within 5 s of creation, and goes through the batched recording.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let monitor: serde_json::Value = api(client.get(format!("{}/monitors/{id}", served.base)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if monitor["monitor"]["lastCheckAt"].is_string() {
            assert_eq!(monitor["monitor"]["status"], "up", "{monitor}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no check recorded: {monitor}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, _) = stop(served);
    assert!(status.success(), "SIGTERM exits 0, got {status}");
}
