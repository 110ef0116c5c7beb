#!/usr/bin/env bash
# A node with a small heap holding a data set many times larger than that heap.
#
#   bench/big-data.sh [--keys N] [--value-size B] [--heap SIZE]
#
# Starts one durable node with the given heap (default -Xmx256m):
#   DKV_JAVA_OPTS=-XmxSIZE ./dkv local --nodes 1 --replicas 1 --data-dir DIR
# writes N keys (default 4,194,304) of B bytes (default 1024: 4 GiB of values, base64 text of
# random bytes: bench/big_data_values.py) through `redis-cli --pipe`, then checks that every
# key is there (INFO dkv stored_keys), reads 1,000 random keys back and compares their
# values, runs
#   redis-benchmark -t get -n 200000 -c 50 -r N
# over the whole key space right after the load and again a minute later (compactions the
# load started have settled), and prints the load rate, GET rates, the node's resident
# memory and heap after a full GC, and the bytes on disk. The data lives in a mktemp directory
# ($TMPDIR or /tmp; it needs about 1.3x the data free), removed on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keys=4194304
value_size=1024
heap=256m

while (($#)); do
  case $1 in
    --keys) keys=$2; shift ;;
    --value-size) value_size=$2; shift ;;
    --heap) heap=$2; shift ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "big-data: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

for program in redis-cli redis-benchmark python3 jcmd; do
  command -v "$program" >/dev/null 2>&1 || { echo "big-data: $program is not installed" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/dkv-big-data.XXXXXX")"
port=$((20000 + RANDOM % 20000))
node_pid=""

on_exit() {
  if [[ -n $node_pid ]]; then
    kill -TERM "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap on_exit EXIT

"$root/dkv" --version >/dev/null   # builds the jar first, outside the timings

DKV_JAVA_OPTS="-Xmx$heap" "$root/dkv" local --nodes 1 --replicas 1 --base-port "$port" \
  --data-dir "$work/data" >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 600); do
  [[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] && break
  sleep 0.2
done
[[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] || { cat "$work/node.log" >&2; exit 1; }
java_pid=$(pgrep -f -- "--base-port $port" | head -1)

start=$(date +%s.%N)
python3 "$root/bench/big_data_values.py" generate "$keys" "$value_size" | redis-cli -p "$port" --pipe >"$work/pipe.log"
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
grep -q "errors: 0," "$work/pipe.log" || { cat "$work/pipe.log" >&2; exit 1; }

stored=$(redis-cli -p "$port" INFO dkv | tr -d '\r' | awk -F: '$1 == "stored_keys" { print $2 }')
python3 "$root/bench/big_data_values.py" sample "$keys" "$value_size" "$work"
redis-cli -p "$port" <"$work/reads.txt" >"$work/actual.txt"
bad=$(diff "$work/expected.txt" "$work/actual.txt" | grep -c '^>' || true)
get_rate() {
  redis-benchmark -p "$port" -t get -n 200000 -c 50 -r "$keys" -q 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ { print $2 }' | tail -1
}
get_rate_after_load=$(get_rate)
sleep 60 # lets the compactions the load started settle (a benchmark, not a test)
get_rate_settled=$(get_rate)
jcmd "$java_pid" GC.run >/dev/null
heap_used=$(jcmd "$java_pid" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit } }')
rss_kib=$(awk '/VmRSS/ { print $2 }' "/proc/$java_pid/status")
disk=$(du -sb "$work/data" | cut -f1)

data_mib=$((keys * value_size / 1048576))
printf 'big-data: %d keys of %d B (%d MiB of values), heap -Xmx%s\n' "$keys" "$value_size" "$data_mib" "$heap"
printf '  loaded in %.0f s (%.0f SET/s); stored_keys %s; %d of 1000 random reads wrong\n' \
  "$elapsed" "$(echo "$keys / $elapsed" | bc -l)" "$stored" "$bad"
printf '  GET over all keys: %s/s right after the load, %s/s a minute later (redis-benchmark -t get -n 200000 -c 50 -r %d)\n' \
  "$get_rate_after_load" "$get_rate_settled" "$keys"
printf '  heap used after full GC: %s; resident: %d MiB; on disk: %d MiB\n' "$heap_used" $((rss_kib / 1024)) \
  $((disk / 1048576))
[[ $stored == "$keys" && $bad == 0 ]]
