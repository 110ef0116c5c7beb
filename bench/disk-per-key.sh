#!/usr/bin/env bash
# Bytes on disk per key: the same keys written into Redis and into one dkv node.
#
#   bench/disk-per-key.sh [--keys N] [--value-size B] [--compressible] [--quick] [RESULTS.md]
#
# Writes N keys (default 1,000,000; key:000000000000 upwards, as redis-benchmark -r names
# them) with B-byte values (default 100; random base64 text, or with --compressible all
# 'x' as redis-benchmark sends) through `redis-cli --pipe` into
#   redis  redis-server --save '' --appendonly yes --appendfsync everysec
#          --auto-aof-rewrite-percentage 0
#          measured as written (AOF), after BGREWRITEAOF (Redis 7 writes the rewritten base
#          as RDB, aof-use-rdb-preamble yes), and as an RDB snapshot (SAVE, dump.rdb)
#   dkv    ./dkv local --nodes 1 --replicas 1 --data-dir DIR
#          measured as written (SST files not yet compacted, the write-ahead log and
#          memtables not yet flushed), after a clean stop, and after a restart and a second
#          clean stop (RocksDB replays its write-ahead log into SST files when it opens: the
#          settled figure)
# and prints bytes per key (the sum of the file sizes under the data directory, divided by
# N; the space the file system allocated beside it), with SST files, write-ahead log and the
# rest apart for dkv, and how long the restarted node took from start to answering a GET
# (next to its first start, on an empty directory). --quick writes 100,000 keys. The data
# lives in a mktemp directory ($TMPDIR or /tmp), removed on exit with every server stopped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results=""
keys=1000000
value_size=100
compressible=0

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while (($#)); do
  case $1 in
    --keys) keys=${2:-}; shift ;;
    --value-size) value_size=${2:-}; shift ;;
    --compressible) compressible=1 ;;
    --quick) keys=100000 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "disk-per-key: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done
[[ $keys =~ ^[1-9][0-9]*$ && $value_size =~ ^[1-9][0-9]*$ ]] ||
  { echo "disk-per-key: --keys and --value-size take positive numbers" >&2; exit 2; }

for program in redis-server redis-cli base64 timeout; do
  command -v "$program" >/dev/null 2>&1 || { echo "disk-per-key: $program is not installed" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-disk-per-key.XXXXXX")"
server_pid=""

bench_name=disk-per-key
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

on_exit() {
  local status=$?
  stop_server
  if ((status == 0)); then
    rm -rf "$work"
  else
    rm -rf "$work/redis" "$work/dkv" "$work/load.resp"
    echo "disk-per-key: stopped with exit status $status; logs kept in $work" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


load() { # port
  local out="$work/pipe-$1.txt"
  timeout 3600 redis-cli -h 127.0.0.1 -p "$1" --pipe <"$work/load.resp" >"$out" 2>&1 || true
  if ! grep -q "errors: 0, replies: $keys" "$out"; then
    echo "disk-per-key: loading did not answer $keys SETs without error:" >&2
    tail -n 5 "$out" >&2
    exit 1
  fi
  local stored
  stored=$(redis-cli -h 127.0.0.1 -p "$1" DBSIZE)
  if [[ $stored != "$keys" ]]; then
    echo "disk-per-key: DBSIZE is $stored after writing $keys keys" >&2
    exit 1
  fi
}

bytes_under() { # dir [find-tests...]: the sum of the sizes of the matching files
  local dir=$1
  shift
  find "$dir" -type f "$@" -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s }'
}

allocated() { # path: the bytes the file system allocated for it (preallocated log space included)
  du -s -B1 "$1" | cut -f1
}

rows=()
row() { # store state bytes [detail]
  local per_key
  per_key=$(awk -v b="$3" -v n="$keys" 'BEGIN { printf "%.1f", b / n }')
  rows+=("$1|$2|$3|$per_key|${4:-}")
  printf '  %-6s %-44s %14s bytes %8s per key  %s\n' "$1" "$2" "$3" "$per_key" "${4:-}" >&2
}

dkv_row() { # state
  local dir="$work/dkv" sst wal all
  sst=$(bytes_under "$dir" -name '*.sst')
  wal=$(bytes_under "$dir" -regex '.*/[0-9]+\.log')
  all=$(bytes_under "$dir")
  row dkv "$1" "$all" "SST $sst, write-ahead log $wal, other $((all - sst - wal)); allocated $(allocated "$dir")"
}

echo "disk-per-key: $keys SETs of key:%012d with $value_size-byte $( ((compressible)) && echo "'x' values" || echo "random values")" >&2
# RESP for every SET, generated once so that both stores get exactly the same bytes.
if ((compressible)); then
  awk -v n="$keys" -v size="$value_size" 'BEGIN {
      value = sprintf("%*s", size, ""); gsub(/ /, "x", value)
      for (i = 0; i < n; i++) print value }'
else
  head -c $(((keys + 2) * value_size * 3 / 4 + 3)) /dev/urandom | base64 -w "$value_size" | head -n "$keys"
fi | awk -v size="$value_size" '{
    key = sprintf("key:%012d", NR - 1)
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, $0
  }' >"$work/load.resp"

echo "disk-per-key: redis ($(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2))" >&2
mkdir -p "$work/redis"
port=$(free_base_port 1)
redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --save '' --appendonly yes --appendfsync everysec \
  --auto-aof-rewrite-percentage 0 </dev/null >"$work/redis.log" 2>&1 &
server_pid=$!
await_ready "$work/redis.log" "$port"
load "$port"
sleep 2 # appendfsync everysec: let the last second reach the file
row redis "AOF as written" "$(bytes_under "$work/redis/appendonlydir")" "allocated $(allocated "$work/redis/appendonlydir")"
redis-cli -h 127.0.0.1 -p "$port" BGREWRITEAOF >/dev/null
for ((tries = 0; ; tries++)); do
  info=$(redis-cli -h 127.0.0.1 -p "$port" INFO persistence | tr -d '\r')
  [[ $info == *aof_rewrite_in_progress:0* && $info == *aof_rewrite_scheduled:0* ]] && break
  ((tries < 3000)) || { echo "disk-per-key: BGREWRITEAOF did not finish" >&2; exit 1; }
  sleep 0.1
done
row redis "AOF after BGREWRITEAOF (RDB preamble)" "$(bytes_under "$work/redis/appendonlydir")" \
  "allocated $(allocated "$work/redis/appendonlydir")"
redis-cli -h 127.0.0.1 -p "$port" SAVE >/dev/null
row redis "RDB (SAVE)" "$(bytes_under "$work/redis" -name dump.rdb)" "allocated $(allocated "$work/redis/dump.rdb")"
stop_server
rm -rf "$work/redis"

echo "disk-per-key: dkv (dkv local --nodes 1 --replicas 1 --data-dir DIR)" >&2
"$root/dkv" --version >/dev/null
port=$(free_base_port 1)
start_dkv() { # log
  "$root/dkv" local --nodes 1 --replicas 1 --base-port "$port" --data-dir "$work/dkv" </dev/null >"$1" 2>&1 &
  server_pid=$!
}
started=$(date +%s%N)
start_dkv "$work/dkv-1.log"
await_ready "$work/dkv-1.log" "$port"
fresh_ms=$((($(date +%s%N) - started) / 1000000))
echo "  dkv start on an empty directory: ready $fresh_ms ms after the process started" >&2
load "$port"
dkv_row "as written"
stop_server
dkv_row "after a clean stop"
started=$(date +%s%N)
start_dkv "$work/dkv-2.log"
first_key=$(sed -n 5p "$work/load.resp" | tr -d '\r')
first_value=$(sed -n 7p "$work/load.resp" | tr -d '\r')
for ((tries = 0; ; tries++)); do
  [[ $(redis-cli -h 127.0.0.1 -p "$port" GET "$first_key" 2>/dev/null) == "$first_value" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null || ((tries > 6000)); then
    echo "disk-per-key: the restarted node did not answer GET $first_key; end of its log:" >&2
    tail -n 30 "$work/dkv-2.log" >&2
    exit 1
  fi
  sleep 0.05
done
restart_ms=$((($(date +%s%N) - started) / 1000000))
echo "  dkv restart: GET answered $restart_ms ms after the process started (JVM start included; empty: $fresh_ms ms)" >&2
stored=$(redis-cli -h 127.0.0.1 -p "$port" DBSIZE)
[[ $stored == "$keys" ]] || { echo "disk-per-key: DBSIZE is $stored after the restart" >&2; exit 1; }
stop_server
dkv_row "after a restart and a clean stop (settled)"

print_markdown() {
  local line store state bytes per_key detail
  echo "# Bytes on disk per key"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), dkv commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- $(redis-server --version | cut -d' ' -f1-3); data on $(df -PT "$work" | awk 'NR == 2 { print $2 }')"
  echo "- $keys keys \`key:%012d\` (16 bytes), $value_size-byte $( ((compressible)) && echo "'x' values" || echo "random base64 values")," \
    "$((16 + value_size)) bytes of key and value each, written with \`redis-cli --pipe\`"
  echo "- dkv restarted with the data: GET answered $restart_ms ms after the process started" \
    "(the first start, on an empty directory, took $fresh_ms ms to answer: JVM start and the rest)"
  echo
  echo "| store | state | bytes | per key | detail |"
  echo "| --- | --- | ---: | ---: | --- |"
  for line in "${rows[@]}"; do
    IFS='|' read -r store state bytes per_key detail <<<"$line"
    echo "| $store | $state | $bytes | $per_key | $detail |"
  done
}

echo
print_markdown
if [[ -n $results ]]; then
  print_markdown >"$results"
  echo
  echo "disk-per-key: table written to $results"
fi
