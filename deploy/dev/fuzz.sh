#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and fuzzes, for SECONDS (default 60) shared between
# them, the frame and packet decoders and the lean record layer's reader. The corpus grows in build-fuzz/corpus and is kept between runs. Exits non-zero
# on any finding; the crashing input is left in build-fuzz/ as crash-*.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}

bash deploy/dev/setup.sh
FLEETMQ_BUILD_DIR=build-fuzz FLEETMQ_BENCH=OFF \
  FLEETMQ_CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++ -DFLEETMQ_FUZZ=ON -DFLEETMQ_TESTS=OFF" \
  bash deploy/dev/build.sh

cd build-fuzz
mkdir -p seeds corpus
./tests/fuzz/fleetmq_fuzz_seeds seeds
mkdir -p corpus-lean
# The time is shared: the MQTT decoders, then the lean record layer's reader.
half=$(( (seconds + 1) / 2 ))
status=0
./tests/fuzz/fleetmq_frame_decoder_fuzz corpus seeds \
  -max_total_time="$half" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 >fuzz.log 2>&1 || status=$?
if [ "$status" -eq 0 ]; then
  ./tests/fuzz/fleetmq_lean_records_fuzz corpus-lean \
    -max_total_time="$half" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 >fuzz-lean.log 2>&1 || status=$?
  [ "$status" -eq 0 ] || cp fuzz-lean.log fuzz.log
fi
if [ "$status" -ne 0 ]; then
  tail -n 60 fuzz.log
  echo "fuzz: FAILED (exit $status); the input is in build-fuzz/crash-*, the log in build-fuzz/fuzz.log" >&2
  exit "$status"
fi
grep -E '^(Done|stat::)' fuzz.log fuzz-lean.log
echo "fuzz: ${half} s of frame decoder and ${half} s of lean record fuzzing, no findings"
