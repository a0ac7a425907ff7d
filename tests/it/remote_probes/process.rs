//! `dutyduck probe` and `dutyduck serve` as separate processes (a probe optionally inside a
//! network namespace), their logs collected, stopped with SIGTERM as a supervisor would, or
//! killed.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::process::{Pid, Signal, kill_process};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

pub struct Process {
    child: Child,
    log: Arc<Mutex<Vec<u8>>>,
    /// The task copying its stderr into `log`, done at the end of the pipe.
    collector: Option<tokio::task::JoinHandle<()>>,
}

/// `dutyduck serve` on `data_dir`, listening on `listen`.
pub fn serve(data_dir: &Path, listen: &str) -> Process {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dutyduck"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", listen]);
    Process::spawn(cmd)
}

impl Process {
    /// Starts a probe of `server` with `token` (through DUTYDUCK_PROBE_TOKEN), buffering in
    /// `buffer_dir`; `netns`: the network namespace to run it in.
    pub fn probe(server: &str, token: &str, buffer_dir: &Path, netns: Option<&str>) -> Process {
        let bin = env!("CARGO_BIN_EXE_dutyduck");
        let mut cmd = match netns {
            Some(ns) => {
                let mut cmd = Command::new("ip");
                cmd.args(["netns", "exec", ns, bin]);
                cmd
            }
            None => Command::new(bin),
        };
        cmd.args(["probe", "--server", server, "--buffer-dir"])
            .arg(buffer_dir)
            .env("DUTYDUCK_PROBE_TOKEN", token)
            .env_remove("DUTYDUCK_SERVER");
        Process::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Process {
        cmd.env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("the binary runs");
        let log = Arc::new(Mutex::new(Vec::new()));
        let collector = tokio::spawn(collect(child.stderr.take().unwrap(), log.clone()));
        Process {
            child,
            log,
            collector: Some(collector),
        }
    }

    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.log.lock().unwrap()).into_owned()
    }

    /// Waits (at most 20 s) until the log says `text`.
    pub async fn wait_log(&self, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !self.log().contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "the process never logged {text:?}; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills it at once (SIGKILL), as a crash or a pulled cable would.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Stops it with SIGTERM; returns its exit code.
    pub async fn stop(&mut self) -> Option<i32> {
        self.stop_status().await.code()
    }

    /// Stops it with SIGTERM; returns how it ended (the signal that killed it, if one did),
    /// once its whole log is in `log()`: the reap can come before the last lines of its stderr
    /// are copied, and a failure is diagnosed on those lines.
    pub async fn stop_status(&mut self) -> std::process::ExitStatus {
        if let Some(id) = self.child.id() {
            // `ip netns exec` execs the probe: the pid is the probe's.
            let _ = kill_process(Pid::from_raw(id as i32).unwrap(), Signal::TERM);
        }
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("it stops within 20 s of SIGTERM")
            .unwrap();
        if let Some(collector) = self.collector.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), collector).await;
        }
        status
    }
}

async fn collect(mut from: impl AsyncRead + Unpin, into: Arc<Mutex<Vec<u8>>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            return;
        }
        into.lock().unwrap().extend_from_slice(&buf[..n]);
    }
}

/// How many results wait in a probe's buffer (lines of its segment files).
pub fn buffered(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|text| text.lines().count())
        .sum()
}
