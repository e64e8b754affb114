#!/usr/bin/env bash
# The README's test command: installs what is missing (Debian 12, as root), builds, and runs
# every test with ctest. Exits non-zero on any failure.
#   FLEETMQ_CTEST_LABEL  run only the tests with this label (unit, check, integration)
#   FLEETMQ_CTEST_EXCLUDE  leave out the tests whose names match this regular expression
# and the build settings of build.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/dev/setup.sh
bash deploy/dev/build.sh

ctest_args=(--test-dir "${FLEETMQ_BUILD_DIR:-build}" --output-on-failure -j 2 --timeout 600)
if [ -n "${FLEETMQ_CTEST_LABEL:-}" ]; then
  ctest_args+=(-L "$FLEETMQ_CTEST_LABEL")
fi
if [ -n "${FLEETMQ_CTEST_EXCLUDE:-}" ]; then
  ctest_args+=(-E "$FLEETMQ_CTEST_EXCLUDE")
fi
ctest "${ctest_args[@]}"
