#!/usr/bin/env bash
# How fast a node's partitions move when it is decommissioned, and what clients get meanwhile.
#
#   bench/shrink.sh [KEYS] [VALUE_BYTES]        (defaults 500000 and 1000)
#
# Starts `dkv cluster up --nodes 4 --replicas 3` (durable, stream-bytes-per-second=0: no
# throttle) on a free base port, loads KEYS keys of VALUE_BYTES with redis-benchmark, then
# measures redis-benchmark SET/GET through n1 before the change, decommissions n4 with
# `dkv decommission` while redis-benchmark keeps running against n1, and prints: the
# change's wall time, the bytes the three remaining nodes copied in (INFO dkv
# streamed_bytes; each partition n4 gives away is copied from every live replica, n4
# included), the copy rate, and client throughput during the change as a ratio to before.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keys=${1:-500000}
value=${2:-1000}
"$root/dkv" --version >/dev/null
work=$(mktemp -d /tmp/dkv-shrink.XXXXXX)
port=7800
while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || (echo >/dev/tcp/127.0.0.1/$((port + 1000))) 2>/dev/null; do
  port=$((port + 10))
done
cleanup() {
  "$root/dkv" cluster down --dir "$work/c" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$root/dkv" cluster up --nodes 4 --replicas 3 --dir "$work/c" --base-port $port \
  --set stream-bytes-per-second=0 --jvm-opt=-Xmx1g >/dev/null
echo "loading $keys keys of $value bytes (port $port) ..."
redis-benchmark -p $port -t set -n "$keys" -r "$keys" -d "$value" -c 16 -P 16 -q | tail -1

rate() { # prints requests per second of a SET+GET run through n1
  redis-benchmark -p $port -t set,get -n 100000 -r "$keys" -d 100 -c 50 -q \
    | awk '{for (i = 1; i <= NF; i++) if ($i == "requests") s += $(i - 1)} END {printf "%.0f", s / 2}'
}
before=$(rate)
streamed() {
  local sum=0
  for n in 0 1 2; do
    sum=$((sum + $(redis-cli -p $((port + n)) INFO dkv | tr -d '\r' | awk -F: '$1 == "streamed_bytes" {print $2}')))
  done
  echo $sum
}
bytes0=$(streamed)
start=$(date +%s.%N)
"$root/dkv" decommission -p $((port + 3)) >"$work/decommission.log" 2>&1 &
change=$!
during=()
while kill -0 $change 2>/dev/null; do
  during+=("$(rate)")
done
wait $change || { cat "$work/decommission.log"; exit 1; }
seconds=$(echo "$(date +%s.%N) - $start" | bc)
bytes=$(( $(streamed) - bytes0 ))
tail -1 "$work/decommission.log"
mean=$(printf '%s\n' "${during[@]}" | awk '{s += $1} END {if (NR) printf "%.0f", s / NR; else print 0}')
printf 'decommission of n4: %.1f s, %d MB copied in, %.0f MB/s; SET+GET through n1: %d req/s before, %d during (%d runs) = %.2fx\n' \
  "$seconds" $((bytes / 1000000)) "$(echo "$bytes / 1000000 / $seconds" | bc -l)" "$before" "$mean" "${#during[@]}" \
  "$(echo "$mean / $before" | bc -l)"
