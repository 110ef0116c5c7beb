#!/usr/bin/env bash
# dkv next to Redis on this machine, through the same clients.
#
#   bench/vs-redis.sh [--quick] [--tls] [RESULTS.md]
#
# Starts, one after the other and each on free ports of its own:
#   redis   redis-server --save '' --appendonly no
#   dkv-1   ./dkv local --nodes 1 --replicas 1
#   dkv-3   ./dkv local --nodes 3 --replicas 3   (QUORUM reads and writes, the default)
# and runs against each
#   redis-benchmark -t set,get -n 200000 -c 50
#   redis-benchmark -t set,get -n 200000 -c 50 -P 16
#   redis-benchmark -t set,get -n 2000   -c 50 -d 1048576
# plus `dkv bench` (50 clients, 1:1, 100-byte values, 20 s) against redis and dkv-3.
# dkv targets are warmed up (JIT) with an untimed run first. Prints a table of ops/s and
# the ratio to Redis on the same test, and writes it as Markdown to RESULTS.md (default
# bench/results.md). --quick divides -n by 10 and runs dkv bench for 3 s: a check that
# everything works, not a measurement. --tls adds TLS rows: redis-server with --tls-port and
# dkv-1 with tls-cert-file (certificates made with openssl, no client certificates asked),
# each run with redis-benchmark --tls --cacert (plain and -P 16). Every server it starts is
# stopped on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/results.md"
quick=0
tls=0

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --tls) tls=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "vs-redis: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) results=$1 ;;
  esac
  shift
done

clients=50
requests=200000
big_requests=2000
big_value=1048576
bench_seconds=20
warmup_requests=100000
if ((quick)); then
  requests=$((requests / 10))
  big_requests=$((big_requests / 10))
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
if ((tls)); then
  need openssl openssl
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-vs-redis.XXXXXX")"
failures=0 # measurements that produced no figure; their logs are kept
# The one server running at a time: its pid and its (first) client port.
server_pid=""
server_port=""

stop_server() {
  local pid=$server_pid
  server_pid=""
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "vs-redis: pid $pid did not stop on SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

on_exit() {
  local status=$?
  stop_server
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

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A base port P whose dkv layout (P+i, P+1000+i, P+2000+i, P+3000+i for i < nodes) is free; below the
# ephemeral range so that outgoing connections cannot take it meanwhile.
free_base_port() {
  local nodes=$1 base offset i ok
  for _ in $(seq 200); do
    base=$((20000 + RANDOM % 900 * 10))
    ok=1
    for offset in 0 1000 2000 3000; do
      for ((i = 0; i < nodes; i++)); do
        port_free $((base + offset + i)) || ok=0
      done
    done
    if ((ok)); then
      echo "$base"
      return
    fi
  done
  echo "vs-redis: no free base port found" >&2
  exit 1
}

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

start_redis() {
  server_port=$(free_base_port 1)
  redis-server --port "$server_port" --bind 127.0.0.1 --save '' --appendonly no </dev/null >"$work/redis.log" 2>&1 &
  server_pid=$!
  await_ping "$work/redis.log" "$server_port"
}

start_dkv() { # nodes [more dkv local arguments]
  local nodes=$1 ports=() i
  shift
  server_port=$(free_base_port "$nodes")
  "$root/dkv" local --nodes "$nodes" --replicas "$nodes" --base-port "$server_port" "$@" </dev/null >"$work/dkv-$nodes.log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < nodes; i++)); do
    ports+=($((server_port + i)))
  done
  await_ping "$work/dkv-$nodes.log" "${ports[@]}"
}

# Result rows, in the order they were measured.
rows=()
declare -A ops latency

record() { # target test ops/s latency
  rows+=("$1|$2")
  [[ $3 != failed ]] || failures=$((failures + 1))
  ops["$1|$2"]=$3
  latency["$1|$2"]=$4
  printf '  %-6s %-28s %12s ops/s  %s\n' "$1" "$2" "$3" "$4" >&2
}

# redis-benchmark -q prints progress lines ending in a carriage return, then one final
# "SET: 91701.05 requests per second, p50=0.279 msec" line per test.
run_redis_benchmark() { # target port label redis-benchmark-args...
  local target=$1 port=$2 label=$3 raw test line rps p50
  shift 3
  raw="$work/rb-$target-${label// /_}.txt"
  timeout 1800 redis-benchmark -h 127.0.0.1 -p "$port" -q "$@" >"$raw" 2>&1 || true
  for test in SET GET; do
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

# An authority and a server certificate for the TLS rows, under $work/tls.
make_certificates() {
  local dir="$work/tls"
  mkdir -p "$dir"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$dir/ca.key" \
    -out "$dir/ca.crt" -days 2 -subj "/CN=vs-redis CA" >/dev/null 2>&1
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$dir/server.key" \
    -out "$dir/server.csr" -subj "/CN=vs-redis server" >/dev/null 2>&1
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -out "$dir/server.crt" -extfile <(echo "subjectAltName=DNS:localhost,IP:127.0.0.1") >/dev/null 2>&1
}

start_redis_tls() {
  server_port=$(free_base_port 1)
  redis-server --port "$server_port" --tls-port $((server_port + 3000)) --bind 127.0.0.1 --save '' --appendonly no \
    --tls-cert-file "$work/tls/server.crt" --tls-key-file "$work/tls/server.key" \
    --tls-ca-cert-file "$work/tls/ca.crt" --tls-auth-clients no </dev/null >"$work/redis-tls.log" 2>&1 &
  server_pid=$!
  await_ping "$work/redis-tls.log" "$server_port"
}

run_tls_benchmarks() { # target tls-port
  local cacert="$work/tls/ca.crt"
  run_redis_benchmark "$1" "$2" "-c $clients TLS" --tls --cacert "$cacert" -t set,get -n "$requests" -c "$clients"
  run_redis_benchmark "$1" "$2" "-c $clients -P 16 TLS" --tls --cacert "$cacert" -t set,get -n "$requests" -c "$clients" -P 16
}

run_redis_benchmarks() { # target port
  run_redis_benchmark "$1" "$2" "-c $clients" -t set,get -n "$requests" -c "$clients"
  run_redis_benchmark "$1" "$2" "-c $clients -P 16" -t set,get -n "$requests" -c "$clients" -P 16
  run_redis_benchmark "$1" "$2" "-c $clients -d 1MiB" -t set,get -n "$big_requests" -c "$clients" -d "$big_value"
}

warm_up() { # port
  echo "  warming up (untimed)" >&2
  timeout 600 redis-benchmark -h 127.0.0.1 -p "$1" -q -t set,get -n "$warmup_requests" -c "$clients" >/dev/null 2>&1 || true
  timeout 600 redis-benchmark -h 127.0.0.1 -p "$1" -q -t set,get -n "$warmup_requests" -c "$clients" -P 16 >/dev/null 2>&1 || true
}

dkv_bench_label="dkv bench ${clients}c 1:1 100B ${bench_seconds}s"

run_dkv_bench() { # target port
  local target=$1 port=$2 out="$work/dkv-bench-$1"
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

echo "vs-redis: building dkv if needed" >&2
"$root/dkv" --version >/dev/null

echo "vs-redis: redis ($(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2))" >&2
start_redis
run_redis_benchmarks redis "$server_port"
run_dkv_bench redis "$server_port"
stop_server

echo "vs-redis: dkv-1 (dkv local --nodes 1 --replicas 1)" >&2
start_dkv 1
warm_up "$server_port"
run_redis_benchmarks dkv-1 "$server_port"
stop_server

echo "vs-redis: dkv-3 (dkv local --nodes 3 --replicas 3, QUORUM)" >&2
start_dkv 3
warm_up "$server_port"
run_redis_benchmarks dkv-3 "$server_port"
run_dkv_bench dkv-3 "$server_port"
stop_server

if ((tls)); then
  make_certificates
  echo "vs-redis: redis with TLS (--tls-port, no client certificates)" >&2
  start_redis_tls
  run_tls_benchmarks redis $((server_port + 3000))
  stop_server

  echo "vs-redis: dkv-1 with TLS (tls-cert-file, tls-key-file)" >&2
  start_dkv 1 --set tls-cert-file="$work/tls/server.crt" --set tls-key-file="$work/tls/server.key"
  warm_up "$server_port"
  run_tls_benchmarks dkv-1 $((server_port + 3000))
  grep -m1 -oE 'TLS by [^:]+' "$work/dkv-1.log" | sed 's/^/  dkv /' >&2 || true
  stop_server
fi

vs_redis() { # target test
  local mine=${ops["$1|$2"]} theirs=${ops["redis|$2"]:-}
  if [[ $mine =~ ^[0-9.]+$ && $theirs =~ ^[0-9.]+$ ]] && awk "BEGIN { exit !($theirs > 0) }"; then
    awk -v a="$mine" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }'
  else
    echo "-"
  fi
}

print_table() {
  printf '%-6s  %-28s  %12s  %8s  %s\n' target test ops/s vs-redis latency
  local row target test
  for row in "${rows[@]}"; do
    target=${row%%|*}
    test=${row#*|}
    printf '%-6s  %-28s  %12s  %8s  %s\n' "$target" "$test" "${ops[$row]}" "$(vs_redis "$target" "$test")" "${latency[$row]}"
  done
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
  echo "- targets: redis = \`redis-server --save '' --appendonly no\`; dkv-1 = \`dkv local --nodes 1 --replicas 1\`;" \
    "dkv-3 = \`dkv local --nodes 3 --replicas 3\` (QUORUM reads and writes); dkv warmed up with an untimed" \
    "\`redis-benchmark -n $warmup_requests\` (plain and -P 16) first"
  echo "- redis-benchmark: \`-t set,get -n $requests -c $clients\`, the same with \`-P 16\`, and \`-t set,get -n $big_requests -c $clients -d $big_value\`"
  echo "- dkv bench: \`--clients $clients --ratio 1:1 --value-size 100 --keys 100000 --duration $bench_seconds\`"
  if ((tls)); then
    echo "- TLS rows (--tls): redis = \`redis-server --tls-port ... --tls-auth-clients no\`, dkv-1 = \`dkv local --nodes 1" \
      "--replicas 1 --set tls-cert-file=... --set tls-key-file=...\`; \`redis-benchmark --tls --cacert ca.crt\` against" \
      "each one's TLS port, EC P-256 certificates; dkv's TLS provider: $(grep -m1 -oE 'TLS by [^:]+' "$work/dkv-1.log" 2>/dev/null || echo unknown)"
  fi
  echo
  echo "| target | test | ops/s | vs redis | latency |"
  echo "| --- | --- | ---: | ---: | --- |"
  for row in "${rows[@]}"; do
    target=${row%%|*}
    test=${row#*|}
    echo "| $target | $test | ${ops[$row]} | $(vs_redis "$target" "$test") | ${latency[$row]} |"
  done
}

echo
print_table
mkdir -p "$(dirname "$results")"
write_markdown >"$results"
echo
echo "vs-redis: table written to $results"
