"""Acknowledged writes for packaging/litestream-test.sh (standard library only).

  write URL TOKEN_JSON ACKS SECONDS PGID kill|stop
      creates tasks one after another for SECONDS (ids named after ACKS, `first-acks-000001`,
      so a second round on a restored database makes new ones), noting each one the server
      acknowledged (201) and when, then SIGKILLs the process group PGID (Litestream and the
      dutyduck it supervises) while writes still flow; `stop` sends SIGTERM to Litestream
      alone instead (PGID is its pid), as systemd and Docker stop it
  check URL TOKEN_JSON ACKS BOUND
      after the restore: which acknowledged tasks the restored server lacks; prints the
      recovery point and fails if one of them was acknowledged more than BOUND seconds before
      the kill (BOUND `none`: if any is lacking)
"""

import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse


def connect(url, token_file):
    with open(token_file) as f:
        token = json.load(f)
    parts = urllib.parse.urlsplit(url)
    headers = {
        "X-Api-Token-Id": token["id"],
        "X-Api-Token-Secret-Key": token["secretKey"],
        "Content-Type": "application/json",
    }
    return lambda: http.client.HTTPConnection(parts.hostname, parts.port, timeout=10), headers


def write(url, token_file, acks_file, seconds, pgid, graceful):
    new_connection, headers = connect(url, token_file)
    acks = []  # (task id, monotonic time its 201 was read)
    failures = []
    stop = threading.Event()
    prefix = os.path.splitext(os.path.basename(acks_file))[0]

    def writer():
        conn = new_connection()
        n = 0
        while not stop.is_set():
            n += 1
            task = "%s-%06d" % (prefix, n)
            try:
                conn.request("POST", "/tasks", json.dumps({"id": task}), headers)
                reply = conn.getresponse()
                reply.read()
            except OSError:
                return  # the server is gone: the kill
            if reply.status != 201:
                # Once stopping, a server may refuse (503) what it no longer takes.
                if not stop.is_set():
                    failures.append("POST /tasks %s: %d" % (task, reply.status))
                return
            acks.append((task, time.monotonic()))

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(seconds)
    # A response read after this instant was still sent before it: acknowledged all the same.
    killed_at = time.monotonic()
    stop.set()
    if graceful:
        os.kill(pgid, signal.SIGTERM)
    else:
        os.killpg(pgid, signal.SIGKILL)
    thread.join()
    if failures:
        sys.exit(failures[0])
    if len(acks) < 20:
        sys.exit("only %d writes acknowledged in %.1f s: too few to measure anything" % (len(acks), seconds))
    with open(acks_file, "w") as f:
        json.dump({"killedAt": killed_at, "acks": acks}, f)
    print(
        "%d writes acknowledged in %.1f s, then %s"
        % (len(acks), seconds, "SIGTERM to Litestream" if graceful else "SIGKILL")
    )


def check(url, token_file, acks_file, bound):
    new_connection, headers = connect(url, token_file)
    with open(acks_file) as f:
        run = json.load(f)
    conn = new_connection()
    lost = []  # seconds between the acknowledgement and the kill
    for task, acked_at in run["acks"]:
        conn.request("GET", "/tasks/" + task, headers=headers)
        reply = conn.getresponse()
        reply.read()
        if reply.status == 404:
            lost.append(run["killedAt"] - acked_at)
        elif reply.status != 200:
            print("GET /tasks/%s: %d" % (task, reply.status), file=sys.stderr)
            return 1
        elif lost:
            # Commits reach the WAL in order and Litestream ships a prefix of it: a write kept
            # after a lost one would be a database that never existed.
            print("%s was restored but an earlier write was lost" % task, file=sys.stderr)
            return 1
    total = len(run["acks"])
    if not lost:
        print("recovery point: 0 of %d acknowledged writes lost" % total)
        return 0
    print(
        "recovery point: %d of %d acknowledged writes lost, acknowledged between %.2f s and "
        "%.2f s before the kill" % (len(lost), total, max(lost), min(lost))
    )
    if bound is None:
        print("a stop that lets Litestream finish must lose nothing", file=sys.stderr)
        return 1
    if max(lost) > bound:
        print("a write acknowledged more than %.1f s before the kill was lost" % bound, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "write":
        write(args[0], args[1], args[2], float(args[3]), int(args[4]), args[5:] == ["stop"])
    elif command == "check":
        bound = None if args[3] == "none" else float(args[3])
        sys.exit(check(args[0], args[1], args[2], bound))
    else:
        sys.exit("usage: see the top of " + sys.argv[0])
