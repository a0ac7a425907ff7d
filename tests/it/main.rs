//! The integration tests, as one crate: the real server on loopback over a temp data dir, real
//! SQLite, real HTTP, and the real `dutyduck` binary for the CLI. One crate links the library
//! once, instead of once per file.
//!
//! Run one feature's tests with a module filter: `cargo test --test it tasks::`.

mod common;

mod accounts;
mod backups;
mod binary;
mod checks;
mod cli_errors;
mod connections;
mod cors;
mod data_dir;
mod errors;
mod monitors;
mod notifications;
mod openapi;
mod packaging;
mod run_wrapper;
mod security;
mod store;
mod tasks;
mod tokens;
mod watching;
