# Functions shared by the bench scripts that run one server at a time. Source it after
# setting `bench_name` (the script's name, used in messages); stop_server reads and clears
# `server_pid`.

# Stops the server started last: SIGTERM, up to 60 s to exit, then SIGKILL.
stop_server() {
  local pid=$server_pid
  server_pid=""
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$bench_name: pid $pid did not stop on SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Waits until each PORT answers PING and (a dkv node) no longer reports recovering:1 in INFO
# dkv; up to 300 s in all. Exits with the end of LOG when the server started last
# ($server_pid) has died or the time is up.
await_ready() { # log port...
  local log=$1 port tries
  shift
  for port in "$@"; do
    for ((tries = 0; ; tries++)); do
      if [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == PONG ]] &&
        ! redis-cli -h 127.0.0.1 -p "$port" INFO dkv 2>/dev/null | tr -d '\r' | grep -qx 'recovering:1'; then
        break
      fi
      if ! kill -0 "$server_pid" 2>/dev/null || ((tries > 1500)); then
        echo "$bench_name: the server on port $port did not come up; end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
      fi
      sleep 0.2
    done
  done
}

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
  echo "$bench_name: no free base port found" >&2
  exit 1
}

# The rows of cpu-per-request.sh and alloc-per-request.sh: SET and GET, plain and with -P 16,
# each run as redis-benchmark ROW -c 50 -r 100000 -d 100 (100,000 random keys of 100 bytes).
request_rows=("-t set" "-t get" "-t set -P 16" "-t get -P 16")

# An untimed run of every request row against the server on port $1, so that the JIT has
# compiled what the timed runs use.
warm_request_rows() { # port
  local row
  for row in "${request_rows[@]}"; do
    # shellcheck disable=SC2086
    redis-benchmark -p "$1" $row -n 100000 -c 50 -r 100000 -d 100 -q >/dev/null 2>&1
  done
}
