#!/usr/bin/env bash
# Configures and builds fleetmq. Used by the other scripts here; settings come from the
# environment so that each caller states only what differs:
#   FLEETMQ_BUILD_DIR   build directory (default: build)
#   FLEETMQ_BUILD_TYPE  CMake build type (default: RelWithDebInfo)
#   FLEETMQ_WERROR      ON to treat warnings as errors (CI sets it)
#   FLEETMQ_SANITIZE    ON for AddressSanitizer + UndefinedBehaviorSanitizer
#   FLEETMQ_TSAN        ON for ThreadSanitizer
#   FLEETMQ_BENCH       OFF to skip the benchmarks
#   FLEETMQ_CMAKE_ARGS  anything else for cmake
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir=${FLEETMQ_BUILD_DIR:-build}
args=(
  -S . -B "$build_dir" -G Ninja
  -DCMAKE_BUILD_TYPE="${FLEETMQ_BUILD_TYPE:-RelWithDebInfo}"
  -DFLEETMQ_WERROR="${FLEETMQ_WERROR:-OFF}"
  -DFLEETMQ_SANITIZE="${FLEETMQ_SANITIZE:-OFF}"
  -DFLEETMQ_TSAN="${FLEETMQ_TSAN:-OFF}"
  -DFLEETMQ_BENCH="${FLEETMQ_BENCH:-ON}"
)
if command -v ccache >/dev/null 2>&1; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# shellcheck disable=SC2206 # word splitting of extra arguments is intended
args+=(${FLEETMQ_CMAKE_ARGS:-})

cmake "${args[@]}" >/dev/null
cmake --build "$build_dir" -j "${FLEETMQ_JOBS:-2}"
