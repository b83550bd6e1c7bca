#!/usr/bin/env bash
# Real Halide kernels that read 4 GiB out of bounds (SIGSEGV), run for hours, or allocate
# 1.5 GiB under a 1 GiB limit, measured by the real measurer and tuned by the real loop
# (src/problems/schedule/faulty_kernels_test.cc), REPEAT times over.
# Usage: bench/reliability/faults.sh [BUILD_DIR] [REPEAT]
set -euo pipefail
build=${1:-build}
repeat=${2:-25}
cd "$(dirname "$0")/../.."
log=$(mktemp)
"$build/tessel_tests" --gtest_filter='FaultyKernels.*' --gtest_repeat="$repeat" >"$log" 2>&1 || true
passed=$(grep -c '^\[       OK \]' "$log" || true)
failed=$(grep -c '^\[  FAILED  \] FaultyKernels' "$log" || true)
# Each repeat injects three faults into the measurer and three into a tuning run.
echo "repeats: $repeat, tests passed: $passed, failed: $failed, faults injected: $((6 * repeat))"
rm -f "$log"
