#!/usr/bin/env bash
# Memory per key: the same keys written into Redis and into one dkv node.
#
#   bench/memory-per-key.sh [--keys N] [--value-size B] [--idle S] [--no-durable] [--quick] [RESULTS.md]
#
# Writes N keys (default 1,000,000; key:000000000000 upwards, as redis-benchmark -r names
# them) with B-byte random base64 values (default 100) through `redis-cli --pipe` into
#   redis      redis-server --save '' --appendonly no
#              measured: INFO memory used_memory, and the process's resident memory (VmRSS)
#   dkv        ./dkv local --nodes 1 --replicas 1            (the memory engine)
#   dkv-disk   ./dkv local --nodes 1 --replicas 1 --data-dir DIR   (RocksDB; --no-durable skips it)
#              measured S seconds after the load (default 45, idle: what the JVM gives back
#              by itself, e.g. through G1's periodic collection): VmRSS and heap committed;
#              then after `jcmd PID GC.run` (a full GC): heap used (GC.heap_info, the live
#              heap), heap committed and VmRSS
# and prints bytes per key for each (divided by N, the empty process's own figures not taken
# off) and the ratio to Redis's used_memory (heap) or resident memory (resident). JVM options come from DKV_JAVA_OPTS as `./dkv` takes them
# (printed with the table). --quick writes 100,000 keys. The live figures (used_memory, heap
# after a full GC) do not depend on CPU load; how far G1 grows the heap during the load does
# (it sizes the heap by the time its collections take), so the idle resident figure varies
# from run to run on a busy machine, the one after a full GC much less. Data lives in a
# mktemp directory ($TMPDIR or /tmp), removed on exit with every server stopped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results=""
keys=1000000
value_size=100
durable=1
idle=45

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while (($#)); do
  case $1 in
    --keys) keys=${2:-}; shift ;;
    --value-size) value_size=${2:-}; shift ;;
    --no-durable) durable=0 ;;
    --idle) idle=${2:-}; shift ;;
    --quick) keys=100000 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "memory-per-key: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done
[[ $keys =~ ^[1-9][0-9]*$ && $value_size =~ ^[1-9][0-9]*$ && $idle =~ ^[0-9]+$ ]] ||
  { echo "memory-per-key: --keys, --value-size and --idle take positive numbers" >&2; exit 2; }

for program in redis-server redis-cli base64 timeout jcmd; do
  command -v "$program" >/dev/null 2>&1 || { echo "memory-per-key: $program is not installed" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-memory-per-key.XXXXXX")"
server_pid=""

bench_name=memory-per-key
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

on_exit() {
  local status=$?
  stop_server
  if ((status == 0)); then
    rm -rf "$work"
  else
    rm -rf "$work/dkv-data" "$work/load.resp"
    echo "memory-per-key: stopped with exit status $status; logs kept in $work" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


load() { # port
  local out="$work/pipe-$1.txt" stored
  timeout 3600 redis-cli -h 127.0.0.1 -p "$1" --pipe <"$work/load.resp" >"$out" 2>&1 || true
  if ! grep -q "errors: 0, replies: $keys" "$out"; then
    echo "memory-per-key: loading did not answer $keys SETs without error:" >&2
    tail -n 5 "$out" >&2
    exit 1
  fi
  stored=$(redis-cli -h 127.0.0.1 -p "$1" DBSIZE)
  if [[ $stored != "$keys" ]]; then
    echo "memory-per-key: DBSIZE is $stored after writing $keys keys" >&2
    exit 1
  fi
}

rss_bytes() { # pid
  awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status"
}

heap_figure() { # pid used|total: bytes, from GC.heap_info's first line
  to_bytes "$(jcmd "$1" GC.heap_info | awk -v what="$2" 'NR == 2 { for (i = 1; i <= NF; i++) if ($i == what) { sub(/,$/, "", $(i + 1)); print $(i + 1); exit } }')"
}

to_bytes() { # 123456K, 12M, 1G -> bytes
  awk -v v="$1" 'BEGIN { n = v + 0; u = substr(v, length(v));
    if (u == "K") n *= 1024; else if (u == "M") n *= 1048576; else if (u == "G") n *= 1073741824;
    printf "%d\n", n }'
}

rows=()
redis_live=0
redis_rss=0
row() { # store measure bytes ratio-to [detail]
  local per_key ratio
  per_key=$(awk -v b="$3" -v n="$keys" 'BEGIN { printf "%.1f", b / n }')
  ratio=$(awk -v b="$3" -v r="$4" 'BEGIN { if (r > 0) printf "%.2fx", b / r; else printf "-" }')
  rows+=("$1|$2|$(($3 / 1048576))|$per_key|$ratio|${5:-}")
  printf '  %-9s %-38s %6d MiB %8s per key %7s  %s\n' "$1" "$2" $(($3 / 1048576)) "$per_key" "$ratio" "${5:-}" >&2
}

echo "memory-per-key: $keys SETs of key:%012d with $value_size-byte random values" >&2
head -c $(((keys + 2) * value_size * 3 / 4 + 3)) /dev/urandom | base64 -w "$value_size" | head -n "$keys" |
  awk -v size="$value_size" '{
    key = sprintf("key:%012d", NR - 1)
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, $0
  }' >"$work/load.resp"

redis_version=$(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2)
echo "memory-per-key: redis $redis_version" >&2
port=$(free_base_port 1)
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no </dev/null >"$work/redis.log" 2>&1 &
server_pid=$!
await_ready "$work/redis.log" "$port"
redis_idle=$(redis-cli -h 127.0.0.1 -p "$port" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }')
load "$port"
redis_live=$(redis-cli -h 127.0.0.1 -p "$port" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }')
redis_rss=$(rss_bytes "$server_pid")
row redis "used_memory" "$redis_live" 0 "empty: $((redis_idle / 1024)) KiB"
row redis "resident (VmRSS)" "$redis_rss" 0
stop_server

"$root/dkv" --version >/dev/null # builds the jar first
measure_dkv() { # name [dkv local options...]
  local name=$1 used committed committed_idle rss rss_idle
  shift
  echo "memory-per-key: $name (./dkv local --nodes 1 --replicas 1 $*; DKV_JAVA_OPTS='${DKV_JAVA_OPTS:-}')" >&2
  port=$(free_base_port 1)
  "$root/dkv" local --nodes 1 --replicas 1 --base-port "$port" "$@" </dev/null >"$work/$name.log" 2>&1 &
  server_pid=$!
  await_ready "$work/$name.log" "$port"
  load "$port"
  sleep "$idle" # what the JVM gives back by itself once the load stops (periodic collection, if set)
  rss_idle=$(rss_bytes "$server_pid")
  committed_idle=$(heap_figure "$server_pid" total)
  jcmd "$server_pid" GC.run >/dev/null
  used=$(heap_figure "$server_pid" used)
  committed=$(heap_figure "$server_pid" total)
  rss=$(rss_bytes "$server_pid")
  row "$name" "heap used after a full GC" "$used" "$redis_live" "to used_memory; heap committed $((committed / 1048576)) MiB"
  row "$name" "resident $idle s after the load, idle" "$rss_idle" "$redis_rss" "to Redis's resident; heap committed $((committed_idle / 1048576)) MiB"
  row "$name" "resident after the full GC" "$rss" "$redis_rss" "to Redis's resident"
  stop_server
}
measure_dkv dkv
if ((durable)); then
  measure_dkv dkv-disk --data-dir "$work/dkv-data"
fi

print_markdown() {
  local line store measure mib per_key ratio detail
  echo "# Memory per key"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), dkv commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- Redis $redis_version; $(java -version 2>&1 | head -1); DKV_JAVA_OPTS='${DKV_JAVA_OPTS:-}'"
  echo "- $keys keys \`key:%012d\` (16 bytes), $value_size-byte random base64 values, written with \`redis-cli --pipe\`"
  echo
  echo "| store | measure | MiB | bytes per key | ratio to Redis | detail |"
  echo "| --- | --- | ---: | ---: | ---: | --- |"
  for line in "${rows[@]}"; do
    IFS='|' read -r store measure mib per_key ratio detail <<<"$line"
    echo "| $store | $measure | $mib | $per_key | $ratio | $detail |"
  done
}

echo
print_markdown
if [[ -n $results ]]; then
  print_markdown >"$results"
  echo
  echo "memory-per-key: table written to $results"
fi
