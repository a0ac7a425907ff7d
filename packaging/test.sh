#!/usr/bin/env bash
# The one command that runs every test: formatting, lints, unit and integration tests (real
# server, real SQLite, real CLI), then the dashboard in headless Chromium.
# On a fresh Debian machine it first installs what it needs (Chromium, playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked                      # also builds target/debug/dutyduck for the browser tests
(cd tests/browser && DUTYDUCK_BIN="$PWD/../../target/debug/dutyduck" npm test --silent)
packaging/schemathesis.sh target/debug/dutyduck   # the API against its own /openapi.json
