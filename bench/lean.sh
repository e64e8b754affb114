#!/usr/bin/env bash
# The lean record layer against OpenSSL holding the connection, in the same run (issue 9's
# figures): for each mode a fresh release broker holds N idle devices (fleetmq-bench flood),
# then carries QoS 0 pub/sub of 64-byte messages (10 -> 10, alternating the modes, R rounds)
# and a bulk transfer. Prints broker RSS per idle connection, kernel memory per connection
# (slab and TCP buffer pages from /proc, both ends of each loopback connection, so halved),
# messages per second and MiB/s. Loopback only; stops by itself.
#   usage: bash bench/lean.sh [N=19000] [R=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-19000}
rounds=${2:-3}

source bench/lib.sh
bench_prepare "$n"
bench=build-release/bench/tool/fleetmq-bench
base_config=$(cat "$work/fleetmq.toml")
who=(--ca "$work/root.pem" --controller-cert "$work/controller.pem"
  --controller-key "$work/controller.key")

# start MODE: a fresh broker, lean_records on (lean) or off (openssl).
start() {
  printf '%s\n' "$base_config" >"$work/fleetmq.toml"
  local lean=false
  [ "$1" = lean ] && lean=true
  sed -i "s/^key = \"server.key\"\$/&\nlean_records = $lean/" "$work/fleetmq.toml"
  rm -f "$work/ready"
  FLEETMQ_LEAN=0 start_fleetmq '[limits]' "max_connections = $((n + 100))"
}
stop() {
  kill -TERM "$broker"
  wait "$broker" || true
}
# kernel_kib: slab plus TCP buffer memory, KiB.
kernel_kib() {
  local slab tcp_pages
  slab=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
  tcp_pages=$(awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1)}' \
    /proc/net/sockstat)
  echo $((slab + tcp_pages * $(getconf PAGESIZE) / 1024))
}
json() { /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }
# slab FILE: each slab cache's name, objects in use and object size (root can read slabinfo).
slab() { awk 'NR > 2 {print $1, $2, $4}' /proc/slabinfo >"$1" 2>/dev/null || : >"$1"; }

declare -A rss kernel qos0 bulk
for mode in openssl lean; do
  start "$mode"
  sync
  kernel_before=$(kernel_kib)
  slab "$work/slab-before-$mode"
  "$bench" flood --port "$port" "${who[@]}" --cert-dir "$work" --cert-prefix device-a- \
    -n "$n" --sources 8 --hold 15 --broker-pid "$broker" --json >"$work/flood-$mode.json" &
  flood=$!
  # The kernel's share, sampled while every device is held.
  wait_until_held "$n" "$flood" >/dev/null
  sleep 2
  kernel_held=$(kernel_kib)
  slab "$work/slab-held-$mode"
  grep -E '^(TCP|Sockets):' /proc/net/sockstat >"$work/sockstat-$mode"
  wait "$flood" || true
  rss[$mode]=$(json "round((r['broker']['rss_after'] - r['broker']['rss_before']) / r['established'] / 1024, 2)" \
    <"$work/flood-$mode.json")
  held_n=$(json "r['established']" <"$work/flood-$mode.json")
  kernel[$mode]=$(/usr/bin/python3 -c "print(round(($kernel_held - $kernel_before) / $held_n / 2, 2))")
  stop
done

for mode in openssl lean; do qos0[$mode]=""; bulk[$mode]=""; done
for round in $(seq "$rounds"); do
  for mode in openssl lean; do
    start "$mode"
    rate=$("$bench" pubsub --port "$port" "${who[@]}" --cert-dir "$work" \
      --cert-prefix device-a- -p 10 -s 10 --qos 0 --payload 64 --seconds 5 --json |
      json "round(r['per_second'])")
    mib=$("$bench" bulk --port "$port" "${who[@]}" --cert "$work/device-a-0001.pem" \
      --key "$work/device-a-0001.key" --bytes $((256 << 20)) --json |
      json "r['mib_per_second'] if r['complete'] else 'incomplete'")
    qos0[$mode]+="$rate "
    bulk[$mode]+="$mib "
    stop
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo
echo "lean record layer vs OpenSSL records, $n idle devices, $rounds rounds (same run)"
echo
printf '| %-44s | %12s | %12s |\n' "" "openssl" "lean"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..14})" \
  "$(printf -- '-%.0s' {1..14})"
row() { printf '| %-44s | %12s | %12s |\n' "$1" "$2" "$3"; }
row "broker RSS per idle connection (KiB)" "${rss[openssl]}" "${rss[lean]}"
row "kernel per connection, server end (KiB)" "${kernel[openssl]}" "${kernel[lean]}"
row "QoS 0 10 -> 10, 64 B: msg/s (median)" "$(median <<<"${qos0[openssl]}")" \
  "$(median <<<"${qos0[lean]}")"
row "  each round" "${qos0[openssl]% }" "${qos0[lean]% }"
row "bulk 256 MiB each way: MiB/s (median)" "$(median <<<"${bulk[openssl]}")" \
  "$(median <<<"${bulk[lean]}")"
row "  each round" "${bulk[openssl]% }" "${bulk[lean]% }"
echo
echo "kernel memory per connection by slab cache, server end (both ends of each loopback"
echo "connection are in the figures, so halved; the largest ten), and the TCP buffer pages:"
for mode in openssl lean; do
  echo
  echo "$mode:"
  /usr/bin/python3 - "$work/slab-before-$mode" "$work/slab-held-$mode" "$n" <<'PY'
import sys
def load(path):
    caches = {}
    for line in open(path):
        name, active, size = line.split()
        caches[name] = (int(active), int(size))
    return caches
before, held, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
rows = []
for name, (active, size) in held.items():
    grown = active - before.get(name, (0, size))[0]
    if grown > 0:
        rows.append((grown * size / n / 2 / 1024, name, grown))
for kib, name, grown in sorted(rows, reverse=True)[:10]:
    print(f"  {name:<24} {kib:6.2f} KiB  ({grown} objects)")
print(f"  {'all slab caches':<24} {sum(r[0] for r in rows):6.2f} KiB")
PY
  sed 's/^/  /' "$work/sockstat-$mode"
done
echo
echo "command: bash bench/lean.sh $n $rounds"
