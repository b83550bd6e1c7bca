#!/usr/bin/env bash
# A fuzzing campaign over Tessel's parsers of user input (fuzz/fuzz_targets.h): builds the
# libFuzzer programs (clang, with AddressSanitizer and UndefinedBehaviorSanitizer), runs each
# target from its starting inputs (fuzz/corpus/TARGET/) with its dictionary, copies every
# crash, leak, timeout or out-of-memory input to fuzz/regressions/TARGET/ for triage, and
# writes libFuzzer's final statistics to bench/reliability/fuzz/results/TARGET.txt.
#
#   bench/reliability/fuzz/run.sh [TARGET...]     (default: every target)
#
# Environment (defaults in brackets):
#   BUILD     the fuzzing build directory, configured and built when needed [build-fuzz]
#   NO_BUILD  set to 1 to use BUILD as it is
#   JOBS      compile jobs [2]
#   PARALLEL  targets fuzzed at once [2]
#   MAX_TIME  seconds per target [1800]
#   RUNS      executions per target [1000000]
#   WORK      working corpora, logs and artifacts [bench/out/fuzz]
#
# libFuzzer stops a target at its first crash; fix it, keep the input (the regression test
# replays it), and run that target again.
#
# Exit status: 0 when every target ran to its limits without a crash; 1 when a target's fuzzer
# found a crash, leak, timeout or out-of-memory input, exited with another non-zero status, or
# did not run; 2 for an unknown target. The build's failure ends the script first.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here=$root/bench/reliability/fuzz
build=${BUILD:-$root/build-fuzz}
work=${WORK:-$root/bench/out/fuzz}
jobs=${JOBS:-2}
parallel=${PARALLEL:-2}
max_time=${MAX_TIME:-1800}
runs=${RUNS:-1000000}
all_targets=(workload_spec replay_csv layer_table jsonl_import onnx_import options record_store)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

# Inputs longer than any sensible instance only slow the search down.
max_len_of() {
  case $1 in
    workload_spec) echo 256 ;;
    options) echo 512 ;;
    replay_csv | layer_table) echo 4096 ;;
    jsonl_import | onnx_import) echo 16384 ;;
    record_store) echo 65536 ;;
    *) echo "unknown target $1 (known: ${all_targets[*]})" >&2; exit 2 ;;
  esac
}
for target in "${targets[@]}"; do max_len_of "$target" >/dev/null; done

if [[ ${NO_BUILD:-0} != 1 ]]; then
  if [[ ! -f $build/CMakeCache.txt ]]; then
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSEL_FUZZ=ON "${launcher[@]}"
  fi
  cmake --build "$build" -j"$jobs" --target "${targets[@]/#/fuzz_}"
fi

fuzz_one() {
  local target=$1
  local dir=$work/$target
  mkdir -p "$dir/corpus" "$dir/artifacts" "$root/fuzz/regressions/$target" "$here/results"
  local dict=()
  [[ -f $root/fuzz/dictionaries/$target.dict ]] && dict=(-dict="$root/fuzz/dictionaries/$target.dict")
  local before
  before=$(ls "$dir/artifacts" | sort)
  local start=$(date +%s)
  local status=0
  # The first corpus directory receives new inputs; the starting inputs stay as they are.
  "$build/fuzz_$target" -runs="$runs" -max_total_time="$max_time" -rss_limit_mb=2048 \
    -timeout=10 -max_len="$(max_len_of "$target")" "${dict[@]}" -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" "$root/fuzz/corpus/$target" \
    >"$dir/log" 2>&1 || status=$?
  local seconds=$(($(date +%s) - start))
  local found=()
  for artifact in $(comm -13 <(echo "$before") <(ls "$dir/artifacts" | sort)); do
    cp "$dir/artifacts/$artifact" "$root/fuzz/regressions/$target/$artifact"
    found+=("$artifact")
  done
  final_stat() { sed -n "s/^stat::$1: *//p" "$dir/log" | tail -1; }
  {
    echo "target: $target"
    echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "executions: $(final_stat number_of_executed_units)"
    echo "seconds: $seconds"
    echo "exec_per_second: $(final_stat average_exec_per_sec)"
    echo "new_units_added: $(final_stat new_units_added)"
    echo "corpus_size: $(ls "$dir/corpus" | wc -l)"
    echo "peak_rss_mb: $(final_stat peak_rss_mb)"
    echo "crashes: ${#found[@]}"
    for artifact in "${found[@]}"; do echo "  fuzz/regressions/$target/$artifact"; done
    echo "exit_status: $status"
    echo "flags: -runs=$runs -max_total_time=$max_time -rss_limit_mb=2048 -timeout=10" \
      "-max_len=$(max_len_of "$target")"
    if [[ ${#found[@]} -gt 0 ]]; then
      echo "--- the crash report"
      grep -a -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz target|terminate called|  what)" \
        "$dir/log" | head -20 || true
    fi
  } >"$here/results/$target.txt"
  echo "$target: $(grep -a -E '^(executions|seconds|crashes|exit_status):' "$here/results/$target.txt" | tr '\n' ' ')"
  # What the summary at the end reads: the fuzzer's exit status and the inputs it kept.
  echo "$status ${#found[@]}" >"$statuses/$target"
}

# Each target's verdict, written by fuzz_one; a target without one did not finish.
statuses=$(mktemp -d)
trap 'rm -rf "$statuses"' EXIT
for target in "${targets[@]}"; do
  # The statuses are read from $statuses below, so a finished job's own status is not needed.
  while [[ $(jobs -rp | wc -l) -ge $parallel ]]; do wait -n || true; done
  fuzz_one "$target" &
done
wait

failed=()
for target in "${targets[@]}"; do
  if [[ ! -f $statuses/$target ]]; then
    failed+=("$target (did not finish)")
  else
    read -r status found <"$statuses/$target"
    if [[ $status != 0 || $found != 0 ]]; then
      failed+=("$target (fuzzer exit status $status, $found inputs kept; see $here/results/$target.txt)")
    fi
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed: ${#failed[@]} of ${#targets[@]} targets:" >&2
  for line in "${failed[@]}"; do echo "  $line" >&2; done
  exit 1
fi
echo "all ${#targets[@]} targets ran without a crash"
