//! `dutyduck import`: the real binary importing the sample Uptime Kuma database and
//! Healthchecks exports (tests/fixtures/imports/, written by the real servers) into a data dir,
//! then the server showing what it brought and answering the old ping and push URLs.

mod healthchecks;
mod ids;
mod kuma;
mod unusual;

use std::path::PathBuf;
use std::process::Output;

use crate::common::TestServer;

pub fn fixture(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/imports")
        .join(path);
    path.to_str().unwrap().to_owned()
}

/// Runs `dutyduck import …` on the server's data dir, the server stopped meanwhile (as the
/// command requires); its standard output, or a panic with its error.
pub async fn import(server: &mut TestServer, args: &[&str]) -> String {
    let mut all = vec!["import"];
    all.extend(args);
    server.stop().await;
    let out: Output = server.cli(&all);
    server.restart().await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "import {args:?} failed: {stderr}\n{stdout}"
    );
    stdout.into_owned()
}
