#!/usr/bin/env bash
# Real Halide kernels that read 4 GiB out of bounds (SIGSEGV), run for hours, or allocate
# 1.37 GiB under a 1 GiB limit, measured by the real measurer and tuned by the real loop
# (src/problems/schedule/faulty_kernels_test.cc), REPEAT times over.
# Usage: bench/reliability/faults.sh [BUILD_DIR] [REPEAT]
# Prints one summary line; exits non-zero when a test failed or the tests did not run.
set -euo pipefail
build=${1:-build}
repeat=${2:-25}
cd "$(dirname "$0")/../.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$build/tessel_tests" --gtest_filter='FaultyKernels.*' --gtest_repeat="$repeat" >"$log" 2>&1 ||
  status=$?
passed=$(grep -c '^\[       OK \] FaultyKernels\.' "$log" || true)
# A failed test is named twice, once with its time and once in the summary: count the first.
failed=$(grep -cE '^\[  FAILED  \] FaultyKernels\.[A-Za-z]+ \(' "$log" || true)
# The tests do not print the statuses they see; each one that passes has checked that its three
# faults (crash, timeout, out_of_memory; out_of_memory only where the address space can be
# limited, not under AddressSanitizer) were recorded with their status. So the count below is
# 3 x the tests passed, not a count read from the records.
echo "repeats: $repeat, tests passed: $passed, failed: $failed," \
  "faults recorded with their status: $((3 * passed)) (3 per passed test)," \
  "test program's exit status: $status"
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  grep -E -A6 ': Failure$' "$log" | head -60 >&2 || true
  [[ $passed -gt 0 || $failed -gt 0 ]] || tail -n 20 "$log" >&2
  exit 1
fi
