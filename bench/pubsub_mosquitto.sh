#!/usr/bin/env bash
# QoS 0 throughput through fleetmq with mosquitto's own clients: PAIRS publishers
# (`mosquitto_pub -l`, as fast as they can) each to one of PAIRS subscribers (`mosquitto_sub`),
# MESSAGES messages of 64 bytes per pair, over TLS on 127.0.0.1. The broker runs with large
# per-session queues so that the burst is measured, not dropped (with the default 1 MiB a burst
# this size is cut, by design). Reports messages delivered and the rate. Clients and broker
# share this machine's cores. Stops by itself (60 s at most).
#   usage: bash bench/pubsub_mosquitto.sh [PAIRS=10] [MESSAGES=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-10}
messages=${2:-20000}

source bench/lib.sh
bench_prepare "$pairs"
start_fleetmq '[limits]' 'max_queued_bytes = 268435456' 'max_queued_messages = 1000000'
/usr/bin/python3 -c "import sys; sys.stdout.write(('x' * 64 + '\n') * $messages)" >"$work/lines"

tls=(-h 127.0.0.1 -p "$port" --cafile "$work/root.pem")
subscribers=()
for i in $(seq 1 "$pairs"); do
  id=$(printf 'a-%04d' "$i")
  mosquitto_sub "${tls[@]}" --cert "$work/device-$id.pem" --key "$work/device-$id.key" -i "$id" \
    -t "device/$id/commands" -C "$messages" -W 60 >"$work/sub-$i" 2>&1 &
  subscribers+=($!)
done
# Publish only once every subscriber is connected (and a moment for its SUBSCRIBE).
for _ in $(seq 200); do
  [ "$(grep -c 'connected: ' "$work/broker.log" || true)" -ge "$pairs" ] && break
  sleep 0.05
done
sleep 0.5
start=$(date +%s.%N)
for i in $(seq 1 "$pairs"); do
  id=$(printf 'a-%04d' "$i")
  mosquitto_pub "${tls[@]}" --cert "$work/controller.pem" --key "$work/controller.key" \
    -i "dispatcher/p$i" -t "device/$id/commands" -q 0 -l <"$work/lines" &
done
wait "${subscribers[@]}" || true
end=$(date +%s.%N)
received=$(cat "$work"/sub-* | grep -c '^x' || true)
total=$((pairs * messages))
/usr/bin/python3 - "$received" "$total" "$start" "$end" "$pairs" <<'PY'
import sys
received, total, start, end, pairs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
elapsed = end - start
print(f"command: bash bench/pubsub_mosquitto.sh {pairs} {total // int(pairs)}")
print(f"{pairs} -> {pairs} QoS 0, 64 B over TLS: {received} of {total} delivered in {elapsed:.2f} s "
      f"= {received / elapsed:,.0f} messages/s")
PY
