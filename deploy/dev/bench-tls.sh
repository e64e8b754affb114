#!/usr/bin/env bash
# Builds an optimised tree and runs fleetmq-tls-bench: memory per idle mTLS connection (19,000
# by default) and server CPU per full and resumed handshake, next to OpenSSL's in-process cost.
# Arguments go to fleetmq-tls-bench (--help lists them). Loopback only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/dev/setup.sh
FLEETMQ_BUILD_DIR=build-release FLEETMQ_BUILD_TYPE=Release bash deploy/dev/build.sh
exec build-release/bench/tls/fleetmq-tls-bench "$@"
