#!/usr/bin/env bash
# Latency tails: a 3-node dkv cluster next to Redis, at the same load.
#
#   bench/tails.sh [--runs N] [--quick] [RESULTS.md]
#
# Per run, one server at a time on free ports (dkv-3 = ./dkv local --nodes 3 --replicas 3,
# QUORUM; redis = redis-server --save '' --appendonly no):
#   1. dkv-3, closed loop: dkv bench --clients 50 --ratio 1:1 --duration 15 --warmup 3,
#      its throughput is dkv's maximum M for this workload (100,000 keys, 100-byte values);
#   2. dkv-3 and then redis, open loop at R = M/2: dkv bench --clients 50 --rate R
#      --duration 20 --warmup 3 (latency from each request's due time: no coordinated
#      omission), p99 and p99.9;
#   3. dkv-3 and redis, redis-benchmark -t set (then get) -n 200000 -c 32 -r 100000 --csv:
#      its own p99 per command (a C client, not the bottleneck of either server at 32
#      connections), and its throughput: in a closed loop the mean latency is connections /
#      throughput (Little's law), so Redis's ops/s over dkv's is the p99 ratio a tail of the
#      same shape would give, the floor under the p99 ratio at that throughput. Beside them,
#      from /proc/PID/task/*/schedstat, the server's CPU per request and the time its threads
#      spent runnable but waiting for a core, per request: where the machine is the limit.
# Prints per run and the median over runs: p99 dkv / p99 redis (issue goal: at most 2) and
# open-loop p99.9 dkv / redis (goal: at most 3). RESULTS.md (default bench/tails.md) gets
# the table. --quick shortens every step (a check of the script, not a measurement).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/tails.md"
runs=1
closed_seconds=15 open_seconds=20 warmup=3 requests=200000

while (($#)); do
  case $1 in
    --runs) runs=${2:-}; [[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "tails: --runs takes a positive number" >&2; exit 2; }; shift ;;
    --quick) closed_seconds=3 open_seconds=3 warmup=1 requests=20000 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "tails: unknown option $1" >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done
for program in redis-server redis-cli redis-benchmark timeout; do
  command -v "$program" >/dev/null 2>&1 || { echo "tails: $program is not installed (Debian: redis-server, redis-tools)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-tails.XXXXXX")"
server_pid="" port=""

bench_name=tails
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
trap 'status=$?; stop_server; ((status == 0)) && rm -rf "$work" || echo "tails: logs kept in $work" >&2' EXIT

await_up() { # log
  for _ in $(seq 600); do
    [[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] && return
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "tails: the server on port $port did not come up; end of $1:" >&2
  tail -n 20 "$1" >&2
  exit 1
}

start_dkv() {
  port=$(free_base_port 3)
  "$root/dkv" local --nodes 3 --replicas 3 --base-port "$port" >"$work/dkv-run$run.log" 2>&1 &
  server_pid=$!
  await_up "$work/dkv-run$run.log"
  for p in $((port + 1)) $((port + 2)); do
    until [[ $(redis-cli -p "$p" PING 2>/dev/null) == PONG ]]; do sleep 0.2; done
  done
  # The JIT warms up on an untimed load first, as in vs-redis.sh.
  redis-benchmark -p "$port" -q -t set,get -n 100000 -c 50 -r 100000 >/dev/null 2>&1 || true
}

start_redis() {
  port=$(free_base_port 1)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis-run$run.log" 2>&1 &
  server_pid=$!
  await_up "$work/redis-run$run.log"
}

# dkv bench against $port; prints "throughput p99 p99.9" of all requests.
dkv_bench() { # label args...
  local out="$work/bench-$1-run$run"
  shift
  "$root/dkv" bench -p "$port" --clients 50 --ratio 1:1 --value-size 100 --keys 100000 --warmup "$warmup" "$@" \
    >"$out.out" 2>"$out.err" || { echo "tails: dkv bench failed, see $out.err" >&2; exit 1; }
  awk '$1 == "throughput" { t = $2 } $1 == "ALL" { p99 = $7; p999 = $8 } END { print t, p99, p999 }' "$out.out"
}

# CPU and run-queue wait, in ns, summed over the server's threads (Linux schedstat); prints
# "cpu wait". A thread that ends while it is read is left out (the cat fails for it alone);
# %.0f, not %d, because mawk's %d stops at 2^31 ns.
server_schedstat() {
  { cat /proc/"$server_pid"/task/*/schedstat 2>/dev/null || true; } |
    awk '{ cpu += $1; wait += $2 } END { printf "%.0f %.0f\n", cpu, wait }'
}

# redis-benchmark's own p99 and throughput for one command, and the server's CPU and run-queue
# wait per request in µs while it ran; prints "p99 ops cpu-us wait-us".
closed_loop_row() { # label command
  local before after
  before=$(server_schedstat)
  redis-benchmark -p "$port" -t "$2" -n "$requests" -c 32 -r 100000 --csv >"$work/rb-$1-$2-run$run.csv" 2>&1 || true
  after=$(server_schedstat)
  awk -F'"' -v before="$before" -v after="$after" -v n="$requests" '
    NR > 1 && $4 != "" { p99 = $14; ops = $4 }
    END {
      split(before, b, " "); split(after, a, " ")
      printf "%s %s %.1f %.1f\n", p99, ops, (a[1] - b[1]) / n / 1000, (a[2] - b[2]) / n / 1000
    }' "$work/rb-$1-$2-run$run.csv"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

lines=() set_ratios="" get_ratios="" open_ratios=""
for run in $(seq "$runs"); do
  echo "tails: run $run of $runs: dkv-3" >&2
  start_dkv
  read -r max _ _ < <(dkv_bench dkv-closed --duration "$closed_seconds")
  rate=$(awk -v m="$max" 'BEGIN { printf "%d", m / 2 }')
  read -r _ dkv_open_p99 dkv_open_p999 < <(dkv_bench dkv-open --duration "$open_seconds" --rate "$rate")
  read -r dkv_set_p99 dkv_set_ops dkv_set_cpu dkv_set_wait < <(closed_loop_row dkv set)
  read -r dkv_get_p99 dkv_get_ops dkv_get_cpu dkv_get_wait < <(closed_loop_row dkv get)
  stop_server
  echo "tails: run $run of $runs: redis" >&2
  start_redis
  read -r _ redis_open_p99 redis_open_p999 < <(dkv_bench redis-open --duration "$open_seconds" --rate "$rate")
  read -r redis_set_p99 redis_set_ops redis_set_cpu redis_set_wait < <(closed_loop_row redis set)
  read -r redis_get_p99 redis_get_ops redis_get_cpu redis_get_wait < <(closed_loop_row redis get)
  stop_server
  set_ratio=$(ratio "$dkv_set_p99" "$redis_set_p99") get_ratio=$(ratio "$dkv_get_p99" "$redis_get_p99")
  open_ratio=$(ratio "$dkv_open_p999" "$redis_open_p999")
  # In a closed loop the mean latency is connections / throughput (Little's law), so Redis
  # ops/s over dkv's is the p99 ratio a tail of the same shape would give.
  set_floor=$(ratio "$redis_set_ops" "$dkv_set_ops") get_floor=$(ratio "$redis_get_ops" "$dkv_get_ops")
  set_ratios+=" $set_ratio" get_ratios+=" $get_ratio" open_ratios+=" $open_ratio"
  lines+=("| $run | $max | $dkv_set_p99 / $redis_set_p99 = **$set_ratio** | $set_floor | $dkv_set_cpu + $dkv_set_wait / $redis_set_cpu + $redis_set_wait | $dkv_get_p99 / $redis_get_p99 = **$get_ratio** | $get_floor | $dkv_get_cpu + $dkv_get_wait / $redis_get_cpu + $redis_get_wait | $rate | $dkv_open_p99 / $redis_open_p99 | $dkv_open_p999 / $redis_open_p999 = **$open_ratio** |")
  echo "  ${lines[-1]}" >&2
done

{
  echo "# Latency tails: dkv-3 next to Redis"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), dkv commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) cores, clients and servers share it; $(redis-server --version | cut -d' ' -f1-3)"
  echo "- command: \`bench/tails.sh --runs $runs$( [[ $requests == 20000 ]] && echo ' --quick')\`"
  echo
  echo "| run | dkv-3 max ops/s (closed loop) | SET p99 ms dkv / redis (redis-benchmark -c 32) | SET ops/s redis / dkv | SET server µs/request, CPU + run-queue wait, dkv / redis | GET p99 ms dkv / redis | GET ops/s redis / dkv | GET server µs/request dkv / redis | open-loop rate | open p99 ms dkv / redis | open p99.9 ms dkv / redis |"
  echo "| ---: | ---: | --- | ---: | --- | --- | ---: | --- | ---: | --- | --- |"
  printf '%s\n' "${lines[@]}"
  echo
  echo "Median over $runs run(s): SET p99 ratio $(median <<<"$set_ratios"), GET p99 ratio $(median <<<"$get_ratios")" \
    "(goal ≤ 2); open-loop p99.9 ratio $(median <<<"$open_ratios") (goal ≤ 3)."
} | tee "$results"
