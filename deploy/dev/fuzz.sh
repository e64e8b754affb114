#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and fuzzes, for SECONDS (default 60) shared between
# them, the frame and packet decoders, the lean record layer's reader and the session reader.
# The corpus grows in build-fuzz/corpus* and is kept between runs. Exits non-zero on any
# finding; the crashing input is left in build-fuzz/ as crash-*.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}

bash deploy/dev/setup.sh
FLEETMQ_BUILD_DIR=build-fuzz FLEETMQ_BENCH=OFF \
  FLEETMQ_CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++ -DFLEETMQ_FUZZ=ON -DFLEETMQ_TESTS=OFF" \
  bash deploy/dev/build.sh

cd build-fuzz
mkdir -p seeds corpus corpus-lean seeds-session corpus-session
./tests/fuzz/fleetmq_fuzz_seeds seeds
./tests/fuzz/fleetmq_session_seeds seeds-session
# The time is shared: the MQTT decoders, the lean record layer's reader, the session reader.
third=$(( (seconds + 2) / 3 ))
status=0
run() { # LOG FUZZER ARGS...: one target for its share of the time; its log is fuzz.log on failure
  local log=$1
  shift
  [ "$status" -eq 0 ] || return 0
  "$@" -max_total_time="$third" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  [ "$status" -eq 0 ] || [ "$log" = fuzz.log ] || cp "$log" fuzz.log
}
run fuzz.log ./tests/fuzz/fleetmq_frame_decoder_fuzz corpus seeds -max_len=4096
run fuzz-lean.log ./tests/fuzz/fleetmq_lean_records_fuzz corpus-lean -max_len=8192
run fuzz-session.log ./tests/fuzz/fleetmq_session_codec_fuzz corpus-session seeds-session \
  -max_len=4096
if [ "$status" -ne 0 ]; then
  tail -n 60 fuzz.log
  echo "fuzz: FAILED (exit $status); the input is in build-fuzz/crash-*, the log in build-fuzz/fuzz.log" >&2
  exit "$status"
fi
grep -E '^(Done|stat::)' fuzz.log fuzz-lean.log fuzz-session.log
echo "fuzz: ${third} s each of frame decoder, lean record and session reader fuzzing, no findings"
