#!/usr/bin/env bash
# The same connection flood against fleetmq and against Debian's mosquitto, one after the other
# on this machine, each broker with an equivalent mTLS setup (client certificate required,
# identity as user name, a per-device ACL pattern, TCP_NODELAY); prints a markdown table of
# both figures and their ratio. Loopback only; stops by itself.
#   usage: bash bench/compare.sh [N=5000]
# (pubsub, command and storm scenarios will join the table as fleetmq-bench grows them.)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}

source bench/lib.sh
bench_prepare "$n"
bench=build-release/bench/tool/fleetmq-bench
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

flood() { # PORT PID -> JSON on stdout
  "$bench" flood --port "$1" --ca "$work/root.pem" --cert-dir "$work" --cert-prefix device-a- \
    -n "$n" --sources 4 --hold 2 --broker-pid "$2" --json || true
}

# fleetmq
start_fleetmq '[limits]' "max_connections = $((n + 100))"
flood "$port" "$broker" >"$work/fleetmq.json"
kill "$broker"; wait "$broker" || true

# mosquitto: the device certificates chain to the vendor CA, under the root.
cat "$work/root.pem" "$work/vendor-a.pem" >"$work/cas.pem"
printf 'pattern read device/%%u/commands\npattern write device/%%u/responses\n' >"$work/acl"
port=$(free_port)
cat >"$work/mosquitto.conf" <<CONF
per_listener_settings false
listener $port 127.0.0.1
cafile $work/cas.pem
certfile $work/server.pem
keyfile $work/server.key
require_certificate true
use_identity_as_username true
set_tcp_nodelay true
acl_file $work/acl
max_connections -1
persistence false
log_dest none
CONF
# Started as root, mosquitto drops to its own user: it must be able to read these.
chmod 755 "$work"
chmod 644 "$work"/*.key "$work"/*.pem "$work/acl" "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
broker=$!
sleep 1
flood "$port" "$broker" >"$work/mosquitto.json"
kill "$broker"; wait "$broker" || true

/usr/bin/python3 - "$work/fleetmq.json" "$work/mosquitto.json" "$n" <<'PY'
import json, sys
f, m = (json.load(open(p)) for p in sys.argv[1:3])
def rss(r): return (r["broker"]["rss_after"] - r["broker"]["rss_before"]) / 1024 / max(r["established"], 1)
def cpu(r): return r["broker"]["cpu_seconds"] * 1e6 / max(r["established"], 1)
rows = [
    ("devices established", f["established"], m["established"], "{:.0f}"),
    ("connections per second (mTLS + CONNECT + SUBSCRIBE)", f["per_second"], m["per_second"], "{:.0f}"),
    ("broker CPU per connection (us)", cpu(f), cpu(m), "{:.0f}"),
    ("broker RSS per held connection (KiB)", rss(f), rss(m), "{:.1f}"),
    ("CONNACK latency p50 (ms)", f["connack_ms"]["p50"], m["connack_ms"]["p50"], "{:.1f}"),
    ("CONNACK latency p99 (ms)", f["connack_ms"]["p99"], m["connack_ms"]["p99"], "{:.1f}"),
]
print(f"flood of {sys.argv[3]} devices, one certificate each, TLS 1.2/1.3 as negotiated, MQTT 5.0\n")
print("| figure | fleetmq | mosquitto | fleetmq / mosquitto |")
print("|---|---:|---:|---:|")
for name, a, b, fmt in rows:
    ratio = f"{a / b:.2f}" if b else "-"
    print(f"| {name} | {fmt.format(a)} | {fmt.format(b)} | {ratio} |")
for name, r in (("fleetmq", f), ("mosquitto", m)):
    if r["failures"]:
        print(f"\n{name} failures: {r['failures']}")
print(f"\ncommand: bash bench/compare.sh {sys.argv[3]}")
PY
