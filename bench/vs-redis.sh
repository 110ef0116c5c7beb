#!/usr/bin/env bash
# dkv next to Redis on this machine, through the same clients.
#
#   bench/vs-redis.sh [--quick] [--only memory|durable|tls] [--tls] [--runs N] [RESULTS.md]
#
# In memory (--only memory), one after the other, each on free ports of its own:
#   redis         redis-server --save '' --appendonly no
#   dkv-1         ./dkv local --nodes 1 --replicas 1
#   dkv-3         ./dkv local --nodes 3 --replicas 3   (QUORUM reads and writes, the default)
# and against each
#   redis-benchmark -t set,get -n 200000 -c 50
#   redis-benchmark -t set,get -n 200000 -c 50 -P 16
#   redis-benchmark -t set,get -n 2000   -c 50 -d 1048576
#   redis-benchmark -n 200000 -c 50 -r 100000 SET key:__rand_int__ xxx EX 600
#   redis-benchmark -n 200000 -c 50 -r 100000 HSET hash:__rand_int__ field xxx, then
#     HGET hash:__rand_int__ field: 100,000 small hashes, as sessions and profiles use them
#     (not -t hset: that writes 100,000 fields into one hash, and a dkv HSET costs time in
#     the size of its hash, docs/BENCHMARKS.md; a target that refuses HSET gets 'refused')
# plus `dkv bench` (50 clients, 1:1, 100-byte values, 20 s) against redis and dkv-3.
# Durable (--only durable), each with a fresh data directory:
#   redis-aof     redis-server --save '' --appendonly yes --appendfsync everysec
#   dkv-1-disk    ./dkv local --nodes 1 --replicas 1 --data-dir DIR   (sync: periodic, 100 ms)
#   dkv-3-disk    ./dkv local --nodes 3 --replicas 3 --data-dir DIR
# with the first two redis-benchmark runs above, and
#   redis-always  redis-server --save '' --appendonly yes --appendfsync always
#   dkv-1-always  ./dkv local --nodes 1 --replicas 1 --data-dir DIR --set sync=always
# with redis-benchmark -t set -n 20000 -c 50, plain and with -P 16.
# With TLS (--tls, or --only tls; certificates made with openssl, no client certificates asked):
#   redis-tls     redis-server --tls-port ... --tls-auth-clients no
#   dkv-1-tls     ./dkv local --nodes 1 --replicas 1 --set tls-cert-file=... --set tls-key-file=...
# with redis-benchmark --tls --cacert CA -t set,get -n 200000 -c 50, plain and with -P 16,
# against each one's TLS port.
# Without --only, memory and durable (and TLS with --tls). dkv targets are warmed up (JIT) with an untimed run first. A ratio
# is to the Redis target of the same durability (redis, redis-aof, redis-always) in the same
# run. --runs N repeats the whole sequence N times and reports per row the median and the
# worst ratio. Prints a table and writes it as Markdown to RESULTS.md (default
# bench/results.md). --quick divides -n by 10 and runs dkv bench for 3 s: a check that
# everything works, not a measurement. Every server it starts is stopped on exit; the data
# directories live under one mktemp directory ($TMPDIR or /tmp) and are removed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/results.md"
quick=0
only=all
runs=1
tls=0

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --tls) tls=1 ;;
    --only)
      only=${2:-}
      [[ $only == memory || $only == durable || $only == tls ]] ||
        { echo "vs-redis: --only takes memory, durable or tls" >&2; exit 2; }
      shift ;;
    --runs)
      runs=${2:-}
      [[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "vs-redis: --runs takes a positive number" >&2; exit 2; }
      shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "vs-redis: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done

with_memory=0 with_durable=0 with_tls=$tls
[[ $only == all || $only == memory ]] && with_memory=1
[[ $only == all || $only == durable ]] && with_durable=1
[[ $only == tls ]] && with_tls=1

clients=50
requests=200000
big_requests=2000
big_value=1048576
always_requests=20000
bench_seconds=20
warmup_requests=100000
if ((quick)); then
  requests=$((requests / 10))
  big_requests=$((big_requests / 10))
  always_requests=$((always_requests / 10))
  bench_seconds=3
  warmup_requests=$((warmup_requests / 10))
fi

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "vs-redis: $1 is not installed; on Debian: sudo apt-get install $2" >&2
    exit 1
  fi
}
need redis-server redis-server
need redis-benchmark redis-tools
need redis-cli redis-tools
need timeout coreutils
need "${JAVA_HOME:+$JAVA_HOME/bin/}java" openjdk-17-jdk-headless
if ((with_tls)); then
  need openssl openssl
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-vs-redis.XXXXXX")"
failures=0 # measurements that produced no figure; their logs are kept
# The one server running at a time: its pid, its (first) client port, and its data directory.
server_pid=""
server_port=""
server_data=""
run=1

bench_name=vs-redis
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

# Stops the server running now (lib.sh) and removes its data directory.
stop_target() {
  stop_server
  if [[ -n $server_data ]]; then
    rm -rf "$server_data"
    server_data=""
  fi
}

on_exit() {
  local status=$?
  stop_target
  rm -rf "$work/data"
  if ((status == 0 && failures == 0)); then
    rm -rf "$work"
  elif ((status == 0)); then
    echo "vs-redis: $failures measurement(s) failed; logs kept in $work" >&2
  else
    echo "vs-redis: stopped with exit status $status; logs kept in $work" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until every port answers PING, or fails with the end of the server's log.
await_ping() {
  local log=$1 port tries
  shift
  for port in "$@"; do
    for ((tries = 0; ; tries++)); do
      [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == PONG ]] && break
      if ! kill -0 "$server_pid" 2>/dev/null || ((tries > 900)); then
        echo "vs-redis: the server on port $port did not come up; end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
      fi
      sleep 0.2
    done
  done
}

# Waits until no dkv node is recovering (nodes on new data directories start so, and answer
# PING meanwhile, but do not count toward quorums until they have compared their partitions).
await_voting() {
  local log=$1 port tries
  shift
  for port in "$@"; do
    for ((tries = 0; ; tries++)); do
      redis-cli -h 127.0.0.1 -p "$port" INFO dkv 2>/dev/null | tr -d '\r' | grep -x 'recovering:0' >/dev/null && break
      if ! kill -0 "$server_pid" 2>/dev/null || ((tries > 900)); then
        echo "vs-redis: the node on port $port is still recovering; end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
      fi
      sleep 0.2
    done
  done
}

# A fresh, empty data directory for the next server; stop_target removes it.
new_data_dir() { # target
  server_data="$work/data/$1-run$run"
  mkdir -p "$server_data"
}

start_redis() { # target redis-server-args...
  local target=$1 log="$work/$1-run$run.log"
  shift
  server_port=$(free_base_port 1)
  new_data_dir "$target"
  redis-server --port "$server_port" --bind 127.0.0.1 --dir "$server_data" "$@" </dev/null >"$log" 2>&1 &
  server_pid=$!
  await_ping "$log" "$server_port"
}

start_dkv() { # target nodes durable(0|1) dkv-local-args...
  local target=$1 nodes=$2 durable=$3 log="$work/$1-run$run.log" ports=() i
  shift 3
  server_port=$(free_base_port "$nodes")
  if ((durable)); then
    new_data_dir "$target"
    set -- --data-dir "$server_data" "$@"
  fi
  "$root/dkv" local --nodes "$nodes" --replicas "$nodes" --base-port "$server_port" "$@" </dev/null >"$log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < nodes; i++)); do
    ports+=($((server_port + i)))
  done
  await_ping "$log" "${ports[@]}"
  await_voting "$log" "${ports[@]}"
}

# The Redis target each target is compared with: the one that keeps its data the same way.
declare -A baseline=(
  [redis]=redis [dkv-1]=redis [dkv-3]=redis
  [redis-aof]=redis-aof [dkv-1-disk]=redis-aof [dkv-3-disk]=redis-aof
  [redis-always]=redis-always [dkv-1-always]=redis-always
  [redis-tls]=redis-tls [dkv-1-tls]=redis-tls
)

# Result rows ("target|test"), in the order they were first measured; figures per run.
rows=()
declare -A seen ops latency

record() { # target test ops/s latency
  local row="$1|$2"
  if [[ -z ${seen[$row]:-} ]]; then
    seen[$row]=1
    rows+=("$row")
  fi
  [[ $3 != failed ]] || failures=$((failures + 1))
  ops["$run|$row"]=$3
  latency["$run|$row"]=$4
  printf '  %-13s %-28s %12s ops/s  %s\n' "$1" "$2" "$3" "$4" >&2
}

# redis-benchmark -q prints progress lines ending in a carriage return, then one final
# "SET: 91701.05 requests per second, p50=0.279 msec" line per test.
run_redis_benchmark() { # target port label tests redis-benchmark-args...
  local target=$1 port=$2 label=$3 tests=$4 raw test line rps p50
  shift 4
  raw="$work/rb-$target-run$run-${label// /_}.txt"
  timeout 1800 redis-benchmark -h 127.0.0.1 -p "$port" -q -t "$tests" "$@" >"$raw" 2>&1 || true
  for test in ${tests//,/ }; do
    test=${test^^}
    line=$(tr '\r' '\n' <"$raw" | grep -E "^ *$test: [0-9.]+ requests per second" | tail -n 1 || true)
    rps=$(sed -E 's/^ *[A-Z]+: ([0-9.]+) requests per second.*/\1/' <<<"$line")
    p50=$(grep -oE 'p50=[0-9.]+' <<<"$line" | cut -d= -f2 || true)
    if [[ -z $line ]]; then
      record "$target" "$test $label" "failed" "see $raw"
    else
      record "$target" "$test $label" "$rps" "${p50:+p50 $p50 ms}"
    fi
  done
}

run_redis_benchmarks() { # target port [big]
  run_redis_benchmark "$1" "$2" "-c $clients" set,get -n "$requests" -c "$clients"
  run_redis_benchmark "$1" "$2" "-c $clients -P 16" set,get -n "$requests" -c "$clients" -P 16
  if [[ ${3:-} == big ]]; then
    run_redis_benchmark "$1" "$2" "-c $clients -d 1MiB" set,get -n "$big_requests" -c "$clients" -d "$big_value"
  fi
}

# One custom-command row: redis-benchmark names the test by the command line it was given
# ("SET key:__rand_int__ xxx EX 600: 91701.05 requests per second, p50=...").
run_custom_benchmark() { # target port test-label redis-benchmark-args... -- command...
  local target=$1 port=$2 label=$3 args=() raw line rps p50 shown
  shift 3
  while [[ $1 != -- ]]; do
    args+=("$1")
    shift
  done
  shift
  shown="$*"
  raw="$work/rb-$target-run$run-${label// /_}.txt"
  timeout 1800 redis-benchmark -h 127.0.0.1 -p "$port" -q "${args[@]}" "$@" >"$raw" 2>&1 || true
  line=$(tr '\r' '\n' <"$raw" | grep -F "$shown: " | grep -E ': [0-9.]+ requests per second' | tail -n 1 || true)
  rps=$(sed -E 's/.*: ([0-9.]+) requests per second.*/\1/' <<<"$line")
  p50=$(grep -oE 'p50=[0-9.]+' <<<"$line" | cut -d= -f2 || true)
  if [[ -z $line ]]; then
    record "$target" "$label" "failed" "see $raw"
  else
    record "$target" "$label" "$rps" "${p50:+p50 $p50 ms}"
  fi
}

# SET with a time to live, and hash fields, next to the plain SET/GET rows. A target that
# answers HSET with an error (dkv while hashes are not served) gets 'refused' in both hash
# rows: redis-benchmark would only count errors as replies.
run_command_benchmarks() { # target port
  local target=$1 port=$2 answer
  run_custom_benchmark "$target" "$port" "SET EX 600 -c $clients" -n "$requests" -c "$clients" -r 100000 \
    -- SET key:__rand_int__ xxx EX 600
  answer=$(redis-cli -h 127.0.0.1 -p "$port" HSET vs-redis:probe field value 2>&1 | tr -d '\r' | head -n 1 || true)
  if [[ ! $answer =~ ^[0-9]+$ ]]; then
    record "$target" "HSET -c $clients" "refused" "${answer:0:80}"
    record "$target" "HGET -c $clients" "refused" "${answer:0:80}"
    return
  fi
  redis-cli -h 127.0.0.1 -p "$port" DEL vs-redis:probe >/dev/null 2>&1 || true
  run_custom_benchmark "$target" "$port" "HSET -c $clients" -n "$requests" -c "$clients" -r 100000 \
    -- HSET hash:__rand_int__ field xxx
  run_custom_benchmark "$target" "$port" "HGET -c $clients" -n "$requests" -c "$clients" -r 100000 \
    -- HGET hash:__rand_int__ field
}

run_always_benchmarks() { # target port
  run_redis_benchmark "$1" "$2" "-c $clients" set -n "$always_requests" -c "$clients"
  run_redis_benchmark "$1" "$2" "-c $clients -P 16" set -n "$always_requests" -c "$clients" -P 16
}

warm_up() { # port [always]
  echo "  warming up (untimed)" >&2
  if [[ ${2:-} == always ]]; then
    # SETs that each wait for an fsync: fewer of them, GETs to warm the rest.
    timeout 600 redis-benchmark -h 127.0.0.1 -p "$1" -q -t get -n "$warmup_requests" -c "$clients" >/dev/null 2>&1 || true
    timeout 600 redis-benchmark -h 127.0.0.1 -p "$1" -q -t set -n $((always_requests / 4)) -c "$clients" >/dev/null 2>&1 || true
    return
  fi
  timeout 600 redis-benchmark -h 127.0.0.1 -p "$1" -q -t set,get -n "$warmup_requests" -c "$clients" >/dev/null 2>&1 || true
  timeout 600 redis-benchmark -h 127.0.0.1 -p "$1" -q -t set,get -n "$warmup_requests" -c "$clients" -P 16 >/dev/null 2>&1 || true
}

dkv_bench_label="dkv bench ${clients}c 1:1 100B ${bench_seconds}s"

run_dkv_bench() { # target port
  local target=$1 port=$2 out="$work/dkv-bench-$1-run$run"
  if ! "$root/dkv" bench -h 127.0.0.1 -p "$port" --clients "$clients" --ratio 1:1 --value-size 100 --keys 100000 \
      --duration "$bench_seconds" --json "$out.json" >"$out.out" 2>"$out.err"; then
    record "$target" "$dkv_bench_label" "failed" "see $out.err"
    return
  fi
  local throughput p50 p99
  throughput=$(awk '$1 == "throughput" { print $2 }' "$out.out")
  read -r p50 p99 < <(awk '$1 == "ALL" { print $5, $7 }' "$out.out")
  record "$target" "$dkv_bench_label" "$throughput" "p50 $p50 ms, p99 $p99 ms"
}

# An authority and a server certificate for the TLS rows, under $work/tls.
make_certificates() {
  local dir="$work/tls"
  [[ -f $dir/server.crt ]] && return
  mkdir -p "$dir"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$dir/ca.key" \
    -out "$dir/ca.crt" -days 2 -subj "/CN=vs-redis CA" >/dev/null 2>&1
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$dir/server.key" \
    -out "$dir/server.csr" -subj "/CN=vs-redis server" >/dev/null 2>&1
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -out "$dir/server.crt" -extfile <(echo "subjectAltName=DNS:localhost,IP:127.0.0.1") >/dev/null 2>&1
}

start_redis_tls() { # target
  local log="$work/$1-run$run.log"
  server_port=$(free_base_port 1)
  new_data_dir "$1"
  redis-server --port "$server_port" --tls-port $((server_port + 3000)) --bind 127.0.0.1 --dir "$server_data" \
    --save '' --appendonly no --tls-cert-file "$work/tls/server.crt" --tls-key-file "$work/tls/server.key" \
    --tls-ca-cert-file "$work/tls/ca.crt" --tls-auth-clients no </dev/null >"$log" 2>&1 &
  server_pid=$!
  await_ping "$log" "$server_port"
}

run_tls_benchmarks() { # target tls-port
  local cacert="$work/tls/ca.crt"
  run_redis_benchmark "$1" "$2" "-c $clients TLS" set,get --tls --cacert "$cacert" -n "$requests" -c "$clients"
  run_redis_benchmark "$1" "$2" "-c $clients -P 16 TLS" set,get --tls --cacert "$cacert" -n "$requests" \
    -c "$clients" -P 16
}

run_tls() {
  make_certificates
  echo "vs-redis: redis-tls (--tls-port, no client certificates)" >&2
  start_redis_tls redis-tls
  run_tls_benchmarks redis-tls $((server_port + 3000))
  stop_target

  echo "vs-redis: dkv-1-tls (tls-cert-file, tls-key-file)" >&2
  start_dkv dkv-1-tls 1 0 --set tls-cert-file="$work/tls/server.crt" --set tls-key-file="$work/tls/server.key"
  warm_up "$server_port"
  run_tls_benchmarks dkv-1-tls $((server_port + 3000))
  grep -m1 -oE 'TLS by [^:]+' "$work/dkv-1-tls-run$run.log" | sed 's/^/  dkv /' >&2 || true
  stop_target
}

run_memory() {
  echo "vs-redis: redis ($(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2))" >&2
  start_redis redis --save '' --appendonly no
  run_redis_benchmarks redis "$server_port" big
  run_command_benchmarks redis "$server_port"
  run_dkv_bench redis "$server_port"
  stop_target

  echo "vs-redis: dkv-1 (dkv local --nodes 1 --replicas 1)" >&2
  start_dkv dkv-1 1 0
  warm_up "$server_port"
  run_redis_benchmarks dkv-1 "$server_port" big
  run_command_benchmarks dkv-1 "$server_port"
  stop_target

  echo "vs-redis: dkv-3 (dkv local --nodes 3 --replicas 3, QUORUM)" >&2
  start_dkv dkv-3 3 0
  warm_up "$server_port"
  run_redis_benchmarks dkv-3 "$server_port" big
  run_command_benchmarks dkv-3 "$server_port"
  run_dkv_bench dkv-3 "$server_port"
  stop_target
}

run_durable() {
  echo "vs-redis: redis-aof (--appendonly yes --appendfsync everysec)" >&2
  start_redis redis-aof --save '' --appendonly yes --appendfsync everysec
  run_redis_benchmarks redis-aof "$server_port"
  stop_target

  echo "vs-redis: dkv-1-disk (dkv local --nodes 1 --replicas 1 --data-dir DIR)" >&2
  start_dkv dkv-1-disk 1 1
  warm_up "$server_port"
  run_redis_benchmarks dkv-1-disk "$server_port"
  stop_target

  echo "vs-redis: dkv-3-disk (dkv local --nodes 3 --replicas 3 --data-dir DIR, QUORUM)" >&2
  start_dkv dkv-3-disk 3 1
  warm_up "$server_port"
  run_redis_benchmarks dkv-3-disk "$server_port"
  stop_target

  echo "vs-redis: redis-always (--appendonly yes --appendfsync always)" >&2
  start_redis redis-always --save '' --appendonly yes --appendfsync always
  run_always_benchmarks redis-always "$server_port"
  stop_target

  echo "vs-redis: dkv-1-always (dkv local --nodes 1 --replicas 1 --data-dir DIR --set sync=always)" >&2
  start_dkv dkv-1-always 1 1 --set sync=always
  warm_up "$server_port" always
  run_always_benchmarks dkv-1-always "$server_port"
  stop_target
}

echo "vs-redis: building dkv if needed" >&2
"$root/dkv" --version >/dev/null
if ((with_durable)) && [[ $(stat -f -c %T "$work") == tmpfs ]]; then
  echo "vs-redis: warning: $work is on tmpfs, where fsync costs nothing; set TMPDIR to a disk" >&2
fi

for ((run = 1; run <= runs; run++)); do
  ((runs == 1)) || echo "vs-redis: run $run of $runs" >&2
  if ((with_memory)); then run_memory; fi
  if ((with_durable)); then run_durable; fi
  if ((with_tls)); then run_tls; fi
done

vs_redis() { # run target test
  local base=${baseline[$2]}
  local mine=${ops["$1|$2|$3"]:-} theirs=${ops["$1|$base|$3"]:-}
  if [[ $mine =~ ^[0-9.]+$ && $theirs =~ ^[0-9.]+$ ]] && awk "BEGIN { exit !($theirs > 0) }"; then
    awk -v a="$mine" -v b="$theirs" 'BEGIN { r = a / b; printf(r < 0.1 ? "%.3f" : "%.2f", r) }'
  else
    echo "-"
  fi
}

# "median worst count" of the numbers among the arguments ("- - 0" when there are none);
# worst is the smallest.
stats() {
  printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g |
    awk '{ v[NR] = $1 }
         END {
           if (NR == 0) { print "- - 0"; exit }
           m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
           printf(m < 0.1 ? "%.3f " : "%.2f ", m); printf(v[1] < 0.1 ? "%.3f " : "%.2f ", v[1]); print NR
         }'
}

# Per row over the runs: "median-ops median-ratio worst-ratio runs ratios-per-run".
summary() { # row
  local row=$1 target=${1%%|*} test=${1#*|} r all_ops=() all_ratios=() med_ops med worst n
  for ((r = 1; r <= runs; r++)); do
    all_ops+=("${ops["$r|$row"]:-}")
    all_ratios+=("$(vs_redis "$r" "$target" "$test")")
  done
  read -r med_ops _ _ < <(stats "${all_ops[@]}")
  read -r med worst n < <(stats "${all_ratios[@]}")
  echo "$med_ops|$med|$worst|$n|${all_ratios[*]}"
}

# Goals: target|test|ratio. In memory from the performance issue (14: 1 node at parity and
# 0.8 pipelined, 3 nodes 0.85 and 0.4 pipelined), durable ones from the durability issue.
goals=(
  "dkv-1|SET -c $clients|1.0" "dkv-1|GET -c $clients|1.0"
  "dkv-1|SET -c $clients -P 16|0.8" "dkv-1|GET -c $clients -P 16|0.8"
  "dkv-3|SET -c $clients|0.85" "dkv-3|GET -c $clients|0.85"
  "dkv-3|SET -c $clients -P 16|0.4" "dkv-3|GET -c $clients -P 16|0.4"
  "dkv-1-disk|SET -c $clients|0.9" "dkv-1-disk|GET -c $clients|0.9"
  "dkv-1-disk|SET -c $clients -P 16|0.5" "dkv-1-disk|GET -c $clients -P 16|0.5"
  "dkv-3-disk|SET -c $clients|0.6" "dkv-3-disk|GET -c $clients|0.6"
  "dkv-1-tls|SET -c $clients TLS|0.9" "dkv-1-tls|GET -c $clients TLS|0.9"
)

# target|test|goal|median|worst|verdict for each goal whose row was measured.
goal_lines() {
  local goal row want med worst n verdict
  for goal in "${goals[@]}"; do
    row=${goal%|*}
    want=${goal##*|}
    [[ -n ${seen[$row]:-} ]] || continue
    IFS='|' read -r _ med worst n _ <<<"$(summary "$row")"
    if ((n == 0)); then
      verdict="no figure"
    elif awk -v w="$worst" -v g="$want" 'BEGIN { exit !(w >= g) }'; then
      verdict="met in every run"
    elif awk -v m="$med" -v g="$want" 'BEGIN { exit !(m >= g) }'; then
      verdict="met in the median, not in every run"
    else
      verdict="missed"
    fi
    echo "$row|≥ $want|$med|$worst|$verdict"
  done
}

print_table() {
  local row target test
  if ((runs == 1)); then
    printf '%-13s  %-28s  %12s  %8s  %s\n' target test ops/s vs-redis latency
    for row in "${rows[@]}"; do
      target=${row%%|*}
      test=${row#*|}
      printf '%-13s  %-28s  %12s  %8s  %s\n' "$target" "$test" "${ops["1|$row"]}" \
        "$(vs_redis 1 "$target" "$test")" "${latency["1|$row"]}"
    done
  else
    printf '%-13s  %-28s  %12s  %8s  %8s  %s\n' target test "median ops/s" median worst "vs-redis per run"
    local med_ops med worst n ratios
    for row in "${rows[@]}"; do
      IFS='|' read -r med_ops med worst n ratios <<<"$(summary "$row")"
      printf '%-13s  %-28s  %12s  %8s  %8s  %s\n' "${row%%|*}" "${row#*|}" "$med_ops" "$med" "$worst" "$ratios"
    done
  fi
  local goal
  if [[ -n $(goal_lines) ]]; then
    echo
    printf '%-13s  %-28s  %6s  %8s  %8s  %s\n' target test goal median worst verdict
    while IFS='|' read -r target test goal med worst verdict; do
      printf '%-13s  %-28s  %6s  %8s  %8s  %s\n' "$target" "$test" "$goal" "$med" "$worst" "$verdict"
    done < <(goal_lines)
  fi
}

write_markdown() {
  local row target test commit
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -n $(git -C "$root" status --porcelain 2>/dev/null) ]]; then
    commit="$commit (with uncommitted changes)"
  fi
  echo "# dkv next to Redis"
  echo
  if ((quick)); then
    echo "**Quick run (--quick): request counts divided by 10 — a smoke test, not a measurement.**"
    echo
  fi
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), dkv commit $commit"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//')), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; clients and servers share it"
  echo "- $(redis-server --version | cut -d' ' -f1-3), $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -n 1)"
  echo "- command: \`bench/vs-redis.sh$( ((quick)) && echo ' --quick')$([[ $only == all ]] || echo " --only $only")$( ((tls)) && echo ' --tls')$( ((runs == 1)) || echo " --runs $runs")\`"
  if ((with_memory)); then
    echo "- in memory: redis = \`redis-server --save '' --appendonly no\`; dkv-1 = \`dkv local --nodes 1 --replicas 1\`;" \
      "dkv-3 = \`dkv local --nodes 3 --replicas 3\` (QUORUM reads and writes)"
  fi
  if ((with_durable)); then
    echo "- durable, data on $(df -PT "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }'):" \
      "redis-aof = \`redis-server --save '' --appendonly yes --appendfsync everysec\`;" \
      "dkv-1-disk = \`dkv local --nodes 1 --replicas 1 --data-dir DIR\` (sync: periodic, 100 ms);" \
      "dkv-3-disk = \`dkv local --nodes 3 --replicas 3 --data-dir DIR\` (QUORUM);" \
      "redis-always = \`redis-server --save '' --appendonly yes --appendfsync always\`;" \
      "dkv-1-always = \`dkv local --nodes 1 --replicas 1 --data-dir DIR --set sync=always\`"
  fi
  local warm="- dkv warmed up with an untimed \`redis-benchmark -n $warmup_requests\` (plain and -P 16) first"
  local tests="- redis-benchmark: \`-t set,get -n $requests -c $clients\`, the same with \`-P 16\`"
  if ((with_memory)); then
    tests+=", and (in memory) \`-t set,get -n $big_requests -c $clients -d $big_value\`"
    tests+="; \`-n $requests -c $clients -r 100000 SET key:__rand_int__ xxx EX 600\`, \`HSET hash:__rand_int__ field xxx\` and"
    tests+=" \`HGET hash:__rand_int__ field\` with the same counts ('refused': the target answered HSET with an error)"
  fi
  if ((with_durable)); then
    warm+=" (dkv-1-always: GETs, and $((always_requests / 4)) SETs)"
    tests+="; the \`always\` targets \`-t set -n $always_requests -c $clients\`, plain and with \`-P 16\`"
  fi
  echo "$warm"
  echo "$tests"
  if ((with_memory)); then
    echo "- dkv bench: \`--clients $clients --ratio 1:1 --value-size 100 --keys 100000 --duration $bench_seconds\`"
  fi
  if ((with_tls)); then
    echo "- TLS: redis-tls = \`redis-server --tls-port ... --tls-auth-clients no\`; dkv-1-tls = \`dkv local --nodes 1" \
      "--replicas 1 --set tls-cert-file=... --set tls-key-file=...\`; \`redis-benchmark --tls --cacert ca.crt\` against" \
      "each one's TLS port, EC P-256 certificates; dkv's TLS provider:" \
      "$(grep -m1 -ohE 'TLS by [^:]+' "$work"/dkv-1-tls-run1.log 2>/dev/null || echo unknown)"
  fi
  echo "- vs redis: the ratio to the Redis target that keeps its data the same way (redis, redis-aof, redis-always, redis-tls) in the same run"
  echo
  if ((runs == 1)); then
    echo "| target | test | ops/s | vs redis | latency |"
    echo "| --- | --- | ---: | ---: | --- |"
    for row in "${rows[@]}"; do
      target=${row%%|*}
      test=${row#*|}
      echo "| $target | $test | ${ops["1|$row"]} | $(vs_redis 1 "$target" "$test") | ${latency["1|$row"]} |"
    done
  else
    echo "$runs runs, one after the other; per row the median ops/s, and the median and worst (lowest) ratio."
    echo
    echo "| target | test | median ops/s | median vs redis | worst | per run |"
    echo "| --- | --- | ---: | ---: | ---: | --- |"
    local med_ops med worst n ratios
    for row in "${rows[@]}"; do
      IFS='|' read -r med_ops med worst n ratios <<<"$(summary "$row")"
      echo "| ${row%%|*} | ${row#*|} | $med_ops | $med | $worst | ${ratios// / · } |"
    done
  fi
  if [[ -n $(goal_lines) ]]; then
    echo
    echo "| target | test | goal | median | worst | verdict |"
    echo "| --- | --- | ---: | ---: | ---: | --- |"
    local goal
    while IFS='|' read -r target test goal med worst verdict; do
      echo "| $target | $test | $goal | $med | $worst | $verdict |"
    done < <(goal_lines)
  fi
}

echo
print_table
mkdir -p "$(dirname "$results")"
write_markdown >"$results"
echo
echo "vs-redis: table written to $results"
