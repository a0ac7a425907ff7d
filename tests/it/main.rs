//! The integration tests, as one crate: the real server on loopback over a temp data dir, real
//! SQLite, real HTTP, and the real `dutyduck` binary for the CLI. One crate links the library
//! once, instead of once per file.
//!
//! Run one feature's tests with a module filter: `cargo test --test it tasks::`.

mod common;

mod access;
mod accounts;
mod architecture;
mod assets;
mod audit;
mod backups;
mod badges;
mod binary;
mod bulk;
mod chat_channels;
mod checks;
mod cli_errors;
mod config_as_code;
mod connections;
mod cors;
mod data_dir;
mod dependencies;
mod durability;
mod errors;
mod escalation;
mod imports;
mod isolation;
mod locations;
mod maintenance;
mod monitors;
mod notifications;
mod openapi;
mod overview;
mod packaging;
mod ping_protocol;
mod probes;
mod providers;
mod remote_probes;
mod run_wrapper;
mod schedule_kinds;
mod security;
mod silences;
mod status_pages;
mod store;
mod storms;
mod tags;
mod tasks;
mod team;
mod tokens;
mod two_factor;
mod upgrade;
mod watching;
mod web_push;

/// Cargo makes a crate of every `tests/*.rs` and `tests/*/main.rs`, each linking the library
/// again: new integration tests go in a module here instead.
#[test]
fn the_integration_tests_are_one_crate() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut crates: Vec<String> = std::fs::read_dir(&tests)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "rs") || path.join("main.rs").is_file()
        })
        .map(|path| path.strip_prefix(&tests).unwrap().display().to_string())
        .collect();
    crates.sort();
    assert_eq!(crates, ["it"], "test crates under tests/");
}
