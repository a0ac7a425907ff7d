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
