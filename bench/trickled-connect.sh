#!/usr/bin/env bash
# Time from TCP connect to close for a device that trickles its CONNECT a byte every GAP seconds
# after its TLS handshake, with handshake_timeout_ms = MS, on a release build. Loopback only;
# three connections; stops by itself.
#   usage: bash bench/trickled-connect.sh [MS=2000] [GAP=0.5]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_python trickled_connect.py "${1:-2000}" "${2:-0.5}"
echo "command: bash bench/trickled-connect.sh ${1:-2000} ${2:-0.5}"
