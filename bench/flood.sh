#!/usr/bin/env bash
# Holds N devices on fleetmq (release build, development PKI with one certificate per device,
# 8 source addresses) with `fleetmq-bench flood`, and while they are held times five scrapes of
# /metrics. Prints the flood's table, the scrape times and a
# sample of the page. Loopback only; stops by itself.
#   usage: bash bench/flood.sh [N=19000] [more fleetmq-bench flood options]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-19000}
shift || true

source bench/lib.sh
bench_prepare "$n"
start_fleetmq '[limits]' "max_connections = $((n + 100))"

build-release/bench/tool/fleetmq-bench flood --port "$port" --ca "$work/root.pem" \
  --cert-dir "$work" --cert-prefix device-a- -n "$n" --sources 8 \
  --hold 20 --broker-pid "$broker" "$@" >"$work/flood.txt" &
bench=$!

# Wait until the broker holds them all (or the flood ends), then scrape while they are held.
echo "devices held by the broker: $(wait_until_held "$n" "$bench")"
for i in 1 2 3 4 5; do
  curl -s -o "$work/metrics" -w "scrape $i: %{time_total} s, %{size_download} bytes\n" \
    "http://127.0.0.1:$admin/metrics"
done
wait "$bench" || true
cat "$work/flood.txt"
echo
echo "sample of /metrics at $n devices:"
grep -E '^(fleetmq_connections|fleetmq_tls_handshakes_total\{.*result="ok"|fleetmq_connects_total|fleetmq_client_cert_expiry_seconds_bucket\{trust="vendor-a",le="(2592000|\+Inf)"|fleetmq_sessions|fleetmq_shard_connections|fleetmq_mailbox_depth|process_resident_memory_bytes|process_open_fds|fleetmq_tls_handshake_duration_seconds_(sum|count))' \
  "$work/metrics"
echo "command: bash bench/flood.sh $n $*"
