#!/usr/bin/env bash
# The one command that runs every test: formatting, lints, unit and integration tests (real
# server, real SQLite, real CLI), the dashboard in headless Chromium, the API fuzzer, dutyduck
# under Litestream killed and restored (packaging/litestream-test.sh, which also verifies
# packaging/dutyduck-litestream.service), and the static binary in an empty root. Everything is
# built once, and statically linked (see below).
# It first checks the prerequisites (README, *Set up*) and says what is missing and how to get
# it; on Debian it installs Chromium (and its headless shell), systemd-analyze and iproute2
# itself.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
apt_install() {
  echo "installing Debian's $* for the tests"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
# Browser tests: Debian's Chromium as a headless shell (the same engine without its windowing
# layers; the tests took two thirds of the time they took in `chromium`), and `chromium` itself
# for the web push tests (the shell shows no notifications).
command -v chromium-headless-shell >/dev/null 2>&1 || apt_install chromium-headless-shell
command -v chromium >/dev/null 2>&1 || apt_install chromium
command -v systemd-analyze >/dev/null 2>&1 || apt_install systemd       # verifies both systemd units
command -v ip >/dev/null 2>&1 || apt_install iproute2                   # ping tests: a network namespace as a host

missing=()
lacks() { missing+=("$1"); }
# "1.95.0" >= "1.95": version sort puts the smaller first.
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

rust_wanted=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
if ! command -v cargo >/dev/null 2>&1; then
  lacks "Rust >= $rust_wanted (cargo): curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy"
else
  rust_have=$(rustc --version | cut -d' ' -f2)
  at_least "$rust_have" "$rust_wanted" || lacks "Rust >= $rust_wanted (rustc is $rust_have): rustup update stable"
  cargo fmt --version >/dev/null 2>&1 || lacks "rustfmt: rustup component add rustfmt"
  cargo clippy --version >/dev/null 2>&1 || lacks "clippy: rustup component add clippy"
fi
command -v cc >/dev/null 2>&1 || lacks "a C compiler (SQLite and ring are C): apt-get install build-essential"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  lacks "Node.js >= 20 with npm (browser tests; Debian 12's nodejs is 18): https://nodejs.org/en/download or NodeSource's nodejs package"
else
  node_have=$(node --version | tr -d v)
  at_least "$node_have" 20 || lacks "Node.js >= 20 (node is $node_have; playwright-core needs 20): https://nodejs.org/en/download"
fi
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || lacks "python3 with venv (schemathesis): apt-get install python3 python3-venv"
command -v unshare >/dev/null 2>&1 || lacks "unshare (schemathesis' network namespace): apt-get install util-linux"
[ "$(id -u)" = 0 ] || lacks "root: tests/it/watching.rs mounts a small tmpfs to fill it up, tests/it/data_dir.rs a read-only view (run as root, as CI does)"
if [ ${#missing[@]} -gt 0 ]; then
  echo "packaging/test.sh: missing prerequisites:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

# A clean clone builds once: incremental compilation's caches would only cost time and disk.
[ -n "${CI:-}" ] && export CARGO_INCREMENTAL=0

# Each phase's duration, printed at the end (also when one fails): where CI's minutes go. Kept
# in a file: the phases of the browser lane (below) run in a subshell.
mkdir -p target
PHASES=target/test-phases.txt
: >"$PHASES"
phase() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  printf '  %-40s %4d s\n' "$name" $((SECONDS - start)) >>"$PHASES"
}
report() {
  local rc=$?
  kill "${python_tools_pid:-}" 2>/dev/null || true  # when an earlier phase failed
  if [ -n "${browser_lane:-}" ]; then                # not waited for: a phase before it failed
    kill -- -"$browser_lane" 2>/dev/null || true
    echo "--- the browser lane's output (target/browser-lane.log; stopped if it was still running)"
    cat target/browser-lane.log
  fi
  echo
  echo "packaging/test.sh phases (total $SECONDS s, exit $rc):"
  cat "$PHASES"
}
trap report EXIT

phase "npm ci (browser tests)" bash -c 'cd tests/browser && npm ci --no-audit --no-fund --loglevel=error'
phase "cargo fmt --check" cargo fmt --all -- --check
# One build serves every phase, and it is the static binary's: every target is built for the
# host's triple named explicitly, with glibc linked statically, as `packaging/build-static.sh
# --dev` builds it. Naming the target keeps RUSTFLAGS off the build scripts and proc macros,
# which run on the host. A dynamically linked build for the tests plus a second build of every
# crate for the static binary took 3 more of CI's minutes; the code under test is the same.
export CARGO_BUILD_TARGET
CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static"
export DUTYDUCK_BIN="$PWD/target/$CARGO_BUILD_TARGET/debug/dutyduck"
# Lint while building: packaging/clippy-rustc compiles our crates with clippy's lints, denied,
# so one build of every target (benches too) is both `cargo clippy --all-targets -D warnings`
# and the test build. The same wrapper for `cargo test`, or it would rebuild.
lint_build() { RUSTC_WORKSPACE_WRAPPER="$PWD/packaging/clippy-rustc" "$@"; }
phase "build with clippy (all targets)" lint_build cargo build --all-targets --locked
# After the build, the phases run in two lanes that share the 2 cores: the browser tests then
# Litestream's in the background, the cargo tests then schemathesis here. Each alone leaves
# part of the machine idle (the integration tests mostly wait for real servers and clocks, the
# browser tests are one Chromium's CPU); one after the other they took 12 of CI's 17 minutes.
# The Python tools (schemathesis; Litestream and moto, some sixty packages) install in the
# background too (started during the build, they slowed it by a minute). Their phases wait for
# that first, so that two installs never share a venv.
python_tools_rc=target/python-tools.rc
rm -f "$python_tools_rc"
(
  rc=0
  (packaging/schemathesis.sh --install && packaging/litestream-test.sh --install) || rc=$?
  echo "$rc" >"$python_tools_rc"
) >target/python-tools.log 2>&1 &
python_tools_pid=$!
python_tools() {  # also from the browser lane, which cannot `wait` for its sibling
  while [ ! -e "$python_tools_rc" ] && kill -0 "$python_tools_pid" 2>/dev/null; do sleep 1; done
  [ "$(cat "$python_tools_rc" 2>/dev/null)" = 0 ] ||
    echo "installing the Python tools failed (target/python-tools.log); their phases try again"
}

# The browser tests in a network namespace of their own (loopback only, which is all they use)
# where one can be made. Chromium watches the machine's addresses and fails the requests in
# flight with ERR_NETWORK_CHANGED when one changes, and the integration tests beside it add and
# remove veth pairs for their ICMP and probe networks: a page's request failed so in CI.
own_network() {
  if unshare --net true 2>/dev/null; then
    unshare --net sh -c 'ip link set lo up && exec "$@"' own_network "$@"
  else
    "$@"
  fi
}

# The browser lane in a process group of its own, so that a failure here stops it whole. Its
# output is printed when it is waited for.
set -m
(
  phase "browser tests (Chromium, beside the tests)" own_network bash -c 'cd tests/browser && npm test --silent'
  phase "Python tools (waited for, Litestream)" python_tools
  phase "litestream (beside schemathesis)" packaging/litestream-test.sh "$DUTYDUCK_BIN"  # under Litestream, SIGKILLed, restored: the recovery point
) >target/browser-lane.log 2>&1 &
browser_lane=$!
set +m

# Four test threads: most integration tests wait on servers, processes and deadlines on the
# real clock; with two the lone CPU-bound ones left a core idle (215 s against 152 s alone).
phase "cargo test (lib, it; 4 threads)" lint_build cargo test --locked -- --test-threads 4
phase "Python tools (waited for, schemathesis)" python_tools
cat target/python-tools.log
phase "schemathesis" packaging/schemathesis.sh "$DUTYDUCK_BIN"   # the API against its own /openapi.json
phase "browser lane (waited for)" wait "$browser_lane"
browser_lane=
echo "--- the browser lane's output (target/browser-lane.log)"
cat target/browser-lane.log
# The binary every phase above ran: no shared library (ldd), and it runs alone in an empty root.
phase "static binary test" lint_build env DUTYDUCK_STATIC_BIN="$DUTYDUCK_BIN" \
  cargo test --locked --test it -- --ignored packaging::
