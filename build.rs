//! Embeds build facts (commit, time, the `--version` line) and makes cargo notice new migrations and assets, which
//! `include_str!`/`include_bytes!` in macros would otherwise miss on incremental builds.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");

    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    println!("cargo:rustc-env=DUTYDUCK_GIT_COMMIT={commit}");
    // What `dutyduck --version` prints after the name: which code a bug report is about.
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let described = match commit.as_str() {
        "" => format!("{version} (commit unknown: built outside a git checkout)"),
        commit => format!("{version} (commit {commit})"),
    };
    println!("cargo:rustc-env=DUTYDUCK_VERSION={described}");

    // Reproducible when SOURCE_DATE_EPOCH is set; otherwise the time of this build script run.
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=DUTYDUCK_BUILD_EPOCH={epoch}");
}
