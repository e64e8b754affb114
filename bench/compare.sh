#!/usr/bin/env bash
# fleetmq and Debian's mosquitto side by side, one after the other on this machine, each with an
# equivalent mTLS setup (client certificate required, identity as user name, per-device ACL
# patterns, TCP_NODELAY), through the same fleetmq-bench scenarios:
#   flood    N devices, one certificate each, connect + subscribe, held
#   pubsub   10 devices -> 10 controller connections ($share), 64 B, QoS 0 and QoS 1, 10 s
#   command  N devices each answer one command (response topic, correlation data)
#   storm    min(N, 5000) devices dropped at once, back within 5 s of jitter, full and resumed
# Prints a markdown table of both figures and their ratio. Loopback only; stops by itself.
#   usage: bash bench/compare.sh [N=5000]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
small=$((n < 5000 ? n : 5000))

source bench/lib.sh
bench_prepare "$n"
bench=build-release/bench/tool/fleetmq-bench
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# scenarios NAME PORT PID: every scenario against one broker, JSON in $work/NAME-*.json.
scenarios() {
  local name=$1 p=$2 pid=$3
  local who=(--port "$p" --ca "$work/root.pem" --cert-dir "$work" --cert-prefix device-a-
    --controller-cert "$work/controller.pem" --controller-key "$work/controller.key"
    --broker-pid "$pid" --json)
  echo "  $name: flood of $n" >&2
  "$bench" flood "${who[@]}" -n "$n" --sources 4 --hold 2 >"$work/$name-flood.json" || true
  for qos in 0 1; do
    echo "  $name: pubsub QoS $qos" >&2
    "$bench" pubsub "${who[@]}" -p 10 -s 10 --qos "$qos" --seconds 10 \
      >"$work/$name-pubsub$qos.json" || true
  done
  echo "  $name: command to $n devices" >&2
  "$bench" command "${who[@]}" -n "$n" --sources 4 >"$work/$name-command.json" || true
  echo "  $name: storm of $small devices" >&2
  "$bench" storm "${who[@]}" -n "$small" --jitter 5 --sources 4 >"$work/$name-storm.json" || true
  "$bench" storm "${who[@]}" -n "$small" --jitter 5 --sources 4 --resume \
    >"$work/$name-storm-resume.json" || true
}

# fleetmq
start_fleetmq '[limits]' "max_connections = $((n + 100))"
scenarios fleetmq "$port" "$broker"
kill "$broker"; wait "$broker" || true

# mosquitto: the device certificates chain to the vendor CA, under the root, and so does the
# controller's (controllers CA). Devices on their own topics, the controller on all of them.
cat "$work/root.pem" "$work/vendor-a.pem" "$work/controllers.pem" >"$work/cas.pem"
cat >"$work/acl" <<'ACL'
pattern read device/%u/commands
pattern write device/%u/responses
user dispatcher
topic write device/+/commands
topic read device/+/responses
topic read $share/bench/device/+/responses
ACL
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
max_inflight_messages 32
max_queued_messages 1000
persistence false
log_dest none
CONF
# Started as root, mosquitto drops to its own user: it must be able to read these.
chmod 755 "$work"
chmod 644 "$work"/*.key "$work"/*.pem "$work/acl" "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
broker=$!
sleep 1
scenarios mosquitto "$port" "$broker"
kill "$broker"; wait "$broker" || true

/usr/bin/python3 - "$work" "$n" "$small" <<'PY'
import json, sys
work, n, small = sys.argv[1], sys.argv[2], sys.argv[3]
def load(broker, scenario):
    try:
        return json.load(open(f"{work}/{broker}-{scenario}.json"))
    except (OSError, ValueError):
        return None
def per(value, count): return value / count if count else 0
figures = [
    ("flood", f"devices established (of {n})", lambda r: r["established"], "{:.0f}"),
    ("flood", "connections per second (mTLS + CONNECT + SUBSCRIBE)", lambda r: r["per_second"], "{:.0f}"),
    ("flood", "broker CPU per connection (us)",
     lambda r: per(r["broker"]["cpu_seconds"] * 1e6, r["established"]), "{:.0f}"),
    ("flood", "broker RSS per held connection (KiB)",
     lambda r: per((r["broker"]["rss_after"] - r["broker"]["rss_before"]) / 1024, r["established"]), "{:.1f}"),
    ("flood", "CONNACK latency p50 (ms)", lambda r: r["connack_ms"]["p50"], "{:.1f}"),
    ("flood", "CONNACK latency p99 (ms)", lambda r: r["connack_ms"]["p99"], "{:.1f}"),
    ("pubsub0", "pubsub 10 -> 10, QoS 0: messages per second", lambda r: r["per_second"], "{:.0f}"),
    ("pubsub0", "pubsub QoS 0: latency p50 (ms)", lambda r: r["latency_ms"]["p50"], "{:.2f}"),
    ("pubsub0", "pubsub QoS 0: latency p99 (ms)", lambda r: r["latency_ms"]["p99"], "{:.2f}"),
    ("pubsub0", "pubsub QoS 0: broker CPU per message (us)",
     lambda r: per(r["broker"]["cpu_seconds"] * 1e6, r["received"]), "{:.2f}"),
    ("pubsub0", "pubsub QoS 0: lost", lambda r: r["sent"] - r["received"], "{:.0f}"),
    ("pubsub1", "pubsub 10 -> 10, QoS 1: messages per second", lambda r: r["per_second"], "{:.0f}"),
    ("pubsub1", "pubsub QoS 1: latency p99 (ms)", lambda r: r["latency_ms"]["p99"], "{:.2f}"),
    ("command", f"command to {n} devices: seconds until the last answer", lambda r: r["seconds"], "{:.3f}"),
    ("command", "command: answered", lambda r: r["answered"], "{:.0f}"),
    ("command", "command: round trip p50 (ms)", lambda r: r["round_trip_ms"]["p50"], "{:.2f}"),
    ("command", "command: round trip p99 (ms)", lambda r: r["round_trip_ms"]["p99"], "{:.2f}"),
    ("storm", f"storm of {small}: seconds until all back (5 s jitter)", lambda r: r["seconds_until_all_back"], "{:.2f}"),
    ("storm", "storm: broker CPU per reconnection, full handshake (us)",
     lambda r: per(r["broker"]["cpu_seconds"] * 1e6, r["back"]), "{:.0f}"),
    ("storm-resume", "storm: reconnections resumed", lambda r: r["resumed"], "{:.0f}"),
    ("storm-resume", "storm: broker CPU per reconnection, resumed (us)",
     lambda r: per(r["broker"]["cpu_seconds"] * 1e6, r["back"]), "{:.0f}"),
]
print(f"fleetmq and mosquitto on this machine, mTLS, MQTT 5.0, one certificate per device\n")
print("| figure | fleetmq | mosquitto | fleetmq / mosquitto |")
print("|---|---:|---:|---:|")
for scenario, name, get, fmt in figures:
    cells = []
    for broker in ("fleetmq", "mosquitto"):
        r = load(broker, scenario)
        try:
            cells.append(get(r) if r else None)
        except (KeyError, TypeError):
            cells.append(None)
    a, b = cells
    show = lambda v: fmt.format(v) if v is not None else "failed"
    ratio = f"{a / b:.2f}" if a is not None and b else "-"
    print(f"| {name} | {show(a)} | {show(b)} | {ratio} |")
for broker in ("fleetmq", "mosquitto"):
    for scenario in ("flood", "pubsub0", "pubsub1", "command", "storm", "storm-resume"):
        r = load(broker, scenario)
        problems = r and (r.get("failures") or r.get("connect_failures") or r.get("retry_reasons"))
        if problems:
            print(f"\n{broker} {scenario}: {problems}")
print(f"\ncommand: bash bench/compare.sh {n}")
PY
