#!/usr/bin/env bash
# How long a durable node holding many keys takes to serve again after a clean stop.
#
#   bench/restart-time.sh [KEYS] [RUNS]        (defaults 1000000 and 3)
#
# Starts `dkv local --nodes 1 --replicas 1 --data-dir DIR` on a free base port, loads KEYS
# keys of 100 bytes (key:000000000000 ...) with `redis-cli --pipe`, stops it cleanly and
# keeps the directory. Then RUNS times: starts the node again on a copy of it and prints,
# from launching the JVM, when a GET of a stored key was answered and when INFO dkv showed
# every Merkle tree built (merkle_trees_build_ms no longer -1), and the GET time counted from
# the node's "storage: RocksDB in" log line (JVM start and RocksDB open left out). The same
# runs on an empty directory give the floor. Runs the jar in $DKV_JAR (default the one
# ./dkv builds), so two builds can be compared on the same machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keys=${1:-1000000}
runs=${2:-3}
jar=${DKV_JAR:-$root/dkv-cli/target/dkv.jar}
[[ -n ${DKV_JAR:-} ]] || "$root/dkv" --version >/dev/null
work=$(mktemp -d /tmp/dkv-restart.XXXXXX)
port=7700
while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || (echo >/dev/tcp/127.0.0.1/$((port + 1000))) 2>/dev/null; do
  port=$((port + 10))
done
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

start_node() { # DIR LOG
  java ${DKV_JAVA_OPTS:-} -jar "$jar" local --nodes 1 --replicas 1 --base-port $port --data-dir "$1" >"$2" 2>&1 &
  pid=$!
}
stop_node() {
  kill "$pid"; wait "$pid" || true; pid=
}

echo "loading $keys keys into $work/full (port $port) ..."
python3 - "$keys" >"$work/load.resp" <<'PY'
import sys
out = sys.stdout.buffer
value = b"x" * 100
for i in range(int(sys.argv[1])):
    key = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n" % (len(key), key, value))
PY
for dir in full empty; do
  start_node "$work/$dir" "$work/load.log"
  until redis-cli -p $port PING 2>/dev/null | grep -q PONG; do sleep 0.1; done
  [[ $dir == full ]] && redis-cli -p $port --pipe <"$work/load.resp" | tail -1
  stop_node
done
rm "$work/load.resp"
probe=key:$(printf %012d $((keys / 2)))

measure() { # LABEL SRC
  rm -rf "$work/run" && cp -a "$work/$2" "$work/run"
  local log=$work/run.log started got ready info opened reply
  started=$(date +%s%N)
  start_node "$work/run" "$log"
  until reply=$(redis-cli -p $port GET "$probe" 2>/dev/null) && [[ $reply == xxx* || ( $2 == empty && -z $reply ) ]]; do
    sleep 0.01
  done
  got=$(date +%s%N)
  until info=$(redis-cli -p $port INFO dkv 2>/dev/null) && [[ -n $info ]] && ! grep -q '^merkle_trees_build_ms:-1' <<<"$info"; do
    sleep 0.01
  done
  ready=$(date +%s%N)
  opened=$(date -d "$(date +%F) $(grep -m1 'storage: RocksDB in' "$log" | cut -c1-12)" +%s%N)
  printf '%-6s GET answered %6d ms after launch, %6d ms after the data directory was open; trees built %6d ms after launch\n' \
    "$1" $(((got - started) / 1000000)) $(((got - opened) / 1000000)) $(((ready - started) / 1000000))
  grep -h 'merkle trees built' "$log" | sed 's/.*: merkle/       merkle/; s/;.*//' || true
  stop_node
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= runs; i++)); do
  measure full full
  measure empty empty
done
