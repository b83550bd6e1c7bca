#!/usr/bin/env bash
# Builds Tessel with AddressSanitizer and UndefinedBehaviorSanitizer (TESSEL_SANITIZE=ON) and
# runs the whole test suite under them; ctest's summary goes to results/ctest.txt beside this
# script, its full output to ctest.log in the build directory.
#
#   bench/reliability/sanitizers/run.sh
#
# BUILD names the build directory (default build-asan), JOBS the parallel jobs (default 2).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BUILD:-$root/build-asan}
jobs=${JOBS:-2}

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# RelWithDebInfo: optimised enough to run the suite in a reasonable time, with the line numbers
# the reports need.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSEL_SANITIZE=ON \
  "${launcher[@]}"
cmake --build "$build" -j"$jobs"

# A kernel process that crashes must die of its signal, which the measurer records (and the
# tests check); ASan's own SIGSEGV handler would turn it into exit status 1. Out-of-bounds and
# use-after-free accesses in Tessel's code are caught by the instrumentation, before any signal;
# a wild access there still fails its test, by the signal. Leak detection stays on.
export ASAN_OPTIONS=handle_segv=0
# Any UBSan report aborts its test, with the stack that led to it.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

mkdir -p "$here/results"
cd "$build"
status=0
ctest -j"$jobs" --output-on-failure >ctest.log 2>&1 || status=$?
{
  compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' CMakeCache.txt)
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  echo "# TESSEL_SANITIZE=ON, $("$compiler" --version | head -1), ctest -j$jobs, commit $commit"
  echo "# ASAN_OPTIONS=$ASAN_OPTIONS"
  echo "# UBSAN_OPTIONS=$UBSAN_OPTIONS"
  echo
  sed -n '/tests passed/,$p' ctest.log
  echo
  echo "Slowest tests:"
  grep -E 'Test +#[0-9]+: ' ctest.log | sed -E 's/^.*Test +#[0-9]+: //' |
    awk '{print $(NF-1), $0}' | sort -rn | head -15 | cut -d' ' -f2- | sed 's/^/  /'
} >"$here/results/ctest.txt"
cat "$here/results/ctest.txt"
exit "$status"
