#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine (root):
#   1. installs the Debian packages it needs,
#   2. builds Warren and the tests (build/) and runs them with ctest: unit, component,
#      integration (real rabbitmq-server nodes, pika, amqp-tools), faults (tests/faults/, short
#      mode),
#   3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
#      runs the unit and component tests there (not integration, not faults),
#   4. builds the libFuzzer targets with clang (build-fuzz/) and runs each briefly.
# Usage: tests/run.sh [--quick]   (--quick: step 2 only)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
fuzz_seconds=${WARREN_FUZZ_SECONDS:-20}

step() { printf '\n==== %s ====\n' "$*"; }

step "Debian packages"
deploy/packages/install.sh deploy/packages/build.txt deploy/packages/test.txt

step "Build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"

step "Tests"
(cd build && ctest --output-on-failure -j "$jobs" --timeout 600)

if [ "${1:-}" = "--quick" ]; then exit 0; fi

step "Build with ASan + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWARREN_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"

step "Unit and component tests under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs" --timeout 600 -LE 'integration|faults')

step "Fuzz targets (${fuzz_seconds}s each)"
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWARREN_FUZZ=ON \
  -DWARREN_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzzers
artifacts=$(mktemp -d)
for fuzzer in build-fuzz/tests/fuzz/*_fuzz; do
  name=$(basename "$fuzzer")
  corpus=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
  if ! "$fuzzer" -max_total_time="$fuzz_seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "$corpus" >"$artifacts/$name.log" 2>&1; then
    tail -60 "$artifacts/$name.log"
    echo "$name: FAILED (reproducer in $artifacts)"
    exit 1
  fi
  echo "$name: $(grep -E '^stat::number_of_executed_units' "$artifacts/$name.log" | awk '{print $2}') runs, no crash"
  rm -rf "$corpus"
done
rm -rf "$artifacts"

step "All tests passed"
