#!/bin/sh
# dutyduck under Litestream, for a container or a new VM (README, "Beyond one VM"):
#   litestream-entrypoint.sh            restore if the data dir has no database, then run
#                                       `dutyduck serve` under `litestream replicate -exec`
#   litestream-entrypoint.sh restore    the restore step alone (a new VM, before starting)
# Settings come from the environment: DUTYDUCK_DATA_DIR (required), the other DUTYDUCK_*
# variables `dutyduck serve --help` lists, LITESTREAM_CONFIG (default /etc/litestream.yml) and
# what that file reads (packaging/litestream.yml: the replica and its secrets).
# packaging/litestream-test.sh runs this script: a SIGKILLed server restored from its replica.
set -eu

: "${DUTYDUCK_DATA_DIR:?set DUTYDUCK_DATA_DIR to the data dir (the one litestream.yml names)}"
CONFIG=${LITESTREAM_CONFIG:-/etc/litestream.yml}
DB=$DUTYDUCK_DATA_DIR/dutyduck.db

restore() {
  mkdir -p "$DUTYDUCK_DATA_DIR"
  if [ ! -e "$DB" ]; then
    # Leftovers of a database that is gone would be applied to the restored one by SQLite (its
    # WAL) or confuse Litestream (its position in the old database's WAL).
    rm -rf "$DB-wal" "$DB-shm" "$DUTYDUCK_DATA_DIR/.dutyduck.db-litestream"
  fi
  # -if-db-not-exists: a data dir with a database keeps it (a restart, not a new machine).
  # -if-replica-exists: the very first start, with nothing replicated yet, starts empty.
  litestream restore -config "$CONFIG" -if-db-not-exists -if-replica-exists "$DB"
}

case "${1:-serve}" in
  restore)
    restore
    ;;
  serve)
    restore
    # Litestream starts dutyduck, passes SIGTERM on to it, and once it has exited ships the
    # last changes and exits too (failing when dutyduck failed); dutyduck's settings are the
    # DUTYDUCK_* variables.
    exec litestream replicate -config "$CONFIG" -exec "${DUTYDUCK_BIN:-dutyduck} serve"
    ;;
  *)
    echo "usage: $0 [serve | restore]" >&2
    exit 2
    ;;
esac
