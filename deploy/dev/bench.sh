#!/usr/bin/env bash
# Builds an optimised tree and runs the micro-benchmarks on one core: the memory and
# serialization of idle sessions, then the protocol library.
# Extra arguments go to Google Benchmark, e.g. --benchmark_filter=decode.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/dev/setup.sh
FLEETMQ_BUILD_DIR=build-release FLEETMQ_BUILD_TYPE=Release bash deploy/dev/build.sh
echo "command: bash deploy/dev/bench.sh $*"
taskset -c 0 build-release/bench/micro/fleetmq_session_memory_bench 1000000
exec taskset -c 0 build-release/bench/micro/fleetmq_protocol_bench --benchmark_min_time=0.5 "$@"
