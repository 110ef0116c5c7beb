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

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port P with P, P+1000 and P+2000 free (dkv's client, internode and HTTP ports).
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 900 * 10 + 5))
    if port_free "$port" && port_free $((port + 1000)) && port_free $((port + 2000)); then
      echo "$port"
      return
    fi
  done
  echo "$bench_name: no free port found" >&2
  exit 1
}
