#!/usr/bin/env bash
# Broker memory while one device floods subscribers that stopped reading (QoS 0, dropped as
# queue_full): RSS before, peak and after, for MB megabytes of messages of SIZE bytes, on a
# release build. Loopback only; stops by itself.
#   usage: bash bench/slow-subscriber.sh [MB=300] [SIZE=1024]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_python slow_subscriber.py "${1:-300}" "${2:-1024}"
echo "command: bash bench/slow-subscriber.sh ${1:-300} ${2:-1024}"
