#!/usr/bin/env bash
# How fast partitions move when a node joins and when it leaves, and what clients get meanwhile.
#
#   bench/membership.sh [KEYS] [VALUE_BYTES] [RATE_REQUESTS]   (defaults 500000, 1000, 100000)
#
# Starts `dkv cluster up --nodes 3 --replicas 3` (durable, stream-bytes-per-second=0: no
# throttle) on a free base port and loads KEYS keys of VALUE_BYTES with redis-benchmark.
# Then, with redis-benchmark SET/GET running against n1 before and during each change:
#   - `dkv cluster add --count 1`: n4 joins and copies its share;
#   - `dkv cluster remove n4`: n4 is decommissioned and its share copied back.
# For each change it prints the wall time, the bytes copied in (INFO dkv streamed_bytes
# summed over the nodes; a gained partition is copied from RF - QUORUM + 1 = 2 of its
# current replicas), the copy rate, and client throughput during the change as a ratio to
# before it. RATE_REQUESTS is the size of each SET+GET sample: smaller gives more samples
# during a change on a slow or busy machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keys=${1:-500000}
value=${2:-1000}
requests=${3:-100000}
"$root/dkv" --version >/dev/null
work=$(mktemp -d /tmp/dkv-membership.XXXXXX)
port=7800
while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || (echo >/dev/tcp/127.0.0.1/$((port + 1000))) 2>/dev/null; do
  port=$((port + 10))
done
cleanup() {
  "$root/dkv" cluster down --dir "$work/c" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$root/dkv" cluster up --nodes 3 --replicas 3 --dir "$work/c" --base-port $port \
  --set stream-bytes-per-second=0 --jvm-opt=-Xmx1g >/dev/null
echo "loading $keys keys of $value bytes (port $port) ..."
redis-benchmark -p $port -t set -n "$keys" -r "$keys" -d "$value" -c 8 -P 4 -q | tr '\r' '\n' | grep 'per second' | tail -1

rate() { # requests per second of a SET+GET run through n1
  redis-benchmark -p $port -t set,get -n "$requests" -r "$keys" -d 100 -c 50 -q \
    | awk '{for (i = 1; i <= NF; i++) if ($i == "requests") s += $(i - 1)} END {printf "%.0f", s / 2}'
}
streamed() { # NODES: bytes copied in so far, summed over n1..nNODES
  local sum=0 n bytes
  for ((n = 0; n < $1; n++)); do
    bytes=$(redis-cli -p $((port + n)) INFO dkv 2>/dev/null | tr -d '\r' | awk -F: '$1 == "streamed_bytes" {print $2}')
    sum=$((sum + ${bytes:-0}))
  done
  echo $sum
}
log_lines() { # lines in every node log so far, as "file lines" pairs
  local f
  for f in "$work"/c/n*/node.log; do
    [[ -f $f ]] && echo "$f $(wc -l <"$f")"
  done
}
copy_seconds() { # LINES_BEFORE: from the first "takes N partitions" to the last "holds all" logged since
  local f skip
  for f in "$work"/c/n*/node.log; do
    skip=$(awk -v f="$f" '$1 == f {print $2}' <<<"$1")
    tail -n +$(( ${skip:-0} + 1 )) "$f"
  done | awk '/ takes [0-9]+ partitions at ring epoch/ || / holds all [0-9]+ partitions/ {
      split($1, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]
      if ($0 ~ / holds all /) { if (s > last) last = s } else if (first == "" || s < first) first = s
    } END { if (first != "" && last != "") printf "%.1f", last - first; else print "?" }'
}
measure() { # LABEL NODES COMMAND... (NODES: the nodes that copy in, n1..nNODES)
  local label=$1 nodes=$2; shift 2
  local before bytes0 start change seconds bytes mean lines copy
  before=$(rate)
  bytes0=$(streamed "$nodes")
  lines=$(log_lines)
  start=$(date +%s.%N)
  "$@" >"$work/change.log" 2>&1 &
  change=$!
  local during=()
  while kill -0 $change 2>/dev/null; do
    during+=("$(rate)")
  done
  wait $change || { cat "$work/change.log"; exit 1; }
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  bytes=$(( $(streamed "$nodes") - bytes0 ))
  mean=$(printf '%s\n' "${during[@]}" | awk '{s += $1} END {if (NR) printf "%.0f", s / NR; else print 0}')
  copy=$(copy_seconds "$lines")
  printf '%s: copying took %s s of it (node logs: first "takes" to last "holds all"), %.1f MB/s\n' "$label" "$copy" \
    "$( [[ $copy == "?" ]] && echo 0 || echo "$bytes / 1000000 / $copy" | bc -l)"
  printf '%s: %.1f s, %d MB copied in, %.1f MB/s; SET+GET through n1: %d req/s before, %d during (%d runs) = %.2fx; load average %s\n' \
    "$label" "$seconds" $((bytes / 1000000)) "$(echo "$bytes / 1000000 / $seconds" | bc -l)" "$before" "$mean" \
    "${#during[@]}" "$(echo "$mean / $before" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
measure "n4 joins 3 nodes" 4 "$root/dkv" cluster add --dir "$work/c" --count 1
measure "n4 is decommissioned" 3 "$root/dkv" cluster remove --dir "$work/c" n4
