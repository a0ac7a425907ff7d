#!/usr/bin/env bash
# Builds a static dutyduck for any x86_64 Linux (no glibc version required on the target), then
# shows its size and what `ldd` says about it.
#
#   packaging/build-static.sh            # → target/x86_64-unknown-linux-gnu/release/dutyduck
#   packaging/build-static.sh --dev      # → target/x86_64-unknown-linux-gnu/debug/dutyduck
#
# --dev builds with the dev profile: unoptimized, in about 2 minutes instead of 8; what the
# static binary's test checks (no shared library, names resolved alone) is the same in both.
# packaging/test.sh builds every target this way, and runs all its tests on that build. Ship
# the release one.
#
# glibc linked statically (`+crt-static`), as a static-pie; the release profile of Cargo.toml
# (size-optimized, LTO, stripped): 12.6 MB. From a clean target dir, 11 minutes on a busy 2-core VM,
# about 4 when idle (it does not share compiled crates with `cargo build --release`).
#
# Name resolution: the static glibc reads /etc/hosts and /etc/resolv.conf itself (files and DNS
# are built into glibc since 2.34), so names resolve in a scratch or distroless container
# (Docker writes both files) and on any host. Host-specific NSS modules named in
# /etc/nsswitch.conf (mDNS, LDAP, systemd's `resolve`) are not used by a static binary: use the
# dynamically linked `cargo build --release` binary if you need them.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
profile=(--release) dir=release
case "${1:-}" in
  "") ;;
  --dev) profile=() dir=debug ;;
  *) echo "usage: packaging/build-static.sh [--dev]" >&2; exit 2 ;;
esac
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build "${profile[@]}" --locked --target "$target" --bin dutyduck

bin="target/$target/$dir/dutyduck"
echo
echo "$bin: $(stat -c %s "$bin") bytes ($(du -h "$bin" | cut -f1))"
if command -v file >/dev/null; then file "$bin" | sed 's/^[^:]*: //'; fi
echo "ldd: $(ldd "$bin" 2>&1 || true)"
"$bin" --version
