#!/usr/bin/env bash
# CPU time per request, server and client, for Redis and for dkv on 1 and 3 nodes.
#
#   bench/cpu-per-request.sh [REQUESTS]     # default 400000 per row; about 2 minutes
#
# For each target (redis-server --save '' --appendonly no; dkv local --nodes 1; dkv local
# --nodes 3 --replicas 3, QUORUM) it runs redis-benchmark SET and GET with -c 50, plain and
# with -P 16, 100,000 random keys of 100 bytes, and reads the server's user and system time
# from /proc/PID/stat before and after each row, and the client's from /usr/bin/time. dkv is
# warmed (JIT) with an untimed run of every row first. Prints one line per row: ops/s, and
# per request the server's and the client's CPU, each split into user and kernel (system)
# time, and their total. Requests per second on 2 shared cores follow from the total: at most
# 2 s of CPU per second for server and client together. The kernel columns are the part a
# server pays to the machine for its system calls (Redis's is most of its total without
# pipelining); the user columns are the server's own code.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests=${1:-400000}
ticks=$(getconf CLK_TCK)
work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-cpu.XXXXXX")"
server_pid=""

cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

bench_name=cpu-per-request
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

command -v /usr/bin/time >/dev/null || { echo "cpu-per-request: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# User and system CPU of a process so far, in microseconds (fields 14 and 15 of /proc/PID/stat).
cpu_micros() {
  awk -v ticks="$ticks" '{ printf "%.0f %.0f\n", $14 * 1000000 / ticks, $15 * 1000000 / ticks }' "/proc/$1/stat"
}



measure() { # target port
  local target=$1 port=$2 row before after ops
  for row in "${request_rows[@]}"; do
    before=$(cpu_micros "$server_pid")
    # shellcheck disable=SC2086
    /usr/bin/time -f '%U %S' -o "$work/client-time" \
      redis-benchmark -p "$port" $row -n "$requests" -c 50 -r 100000 -d 100 -q >"$work/out" 2>&1
    after=$(cpu_micros "$server_pid")
    ops=$(tr '\r' '\n' <"$work/out" | grep -Eo '[0-9.]+ requests per second' | tail -1 | cut -d' ' -f1)
    echo "$before $after $(tail -1 "$work/client-time")" | awk -v t="$target" -v r="$row" -v ops="$ops" -v n="$requests" \
      '{ su = ($3 - $1) / n; ss = ($4 - $2) / n; cu = $5 * 1000000 / n; cs = $6 * 1000000 / n
         printf "| %s | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", t, r, ops, su, ss, cu, cs, su + ss + cu + cs }'
  done
}

echo "| target | redis-benchmark | ops/s | server user µs / request | server kernel µs | client user µs | client kernel µs | total µs |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"

redis-server --port 7900 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
server_pid=$!
await_ready "$work/redis.log" 7900
measure redis 7900
stop_server

for nodes in 1 3; do
  "$root/dkv" local --nodes "$nodes" --replicas "$nodes" --base-port 27400 >"$work/dkv.log" 2>&1 &
  server_pid=$!
  ports=()
  for ((i = 0; i < nodes; i++)); do ports+=($((27400 + i))); done
  await_ready "$work/dkv.log" "${ports[@]}"
  warm_request_rows 27400
  measure "dkv-$nodes" 27400
  stop_server
done
