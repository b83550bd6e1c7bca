#!/usr/bin/env bash
# Where a measurement's wall time goes, and what the cuts save (bench/measure_cost/README.md).
# Run from the repository root on an otherwise idle machine, with a build that has
# TESSEL_BUILD_BENCH=ON (BUILD, default build):
#
#   bench/measure_cost/run.sh
set -euo pipefail
build=${BUILD:-build}
out=bench/measure_cost/results
mkdir -p "$out"

# 1. Phase by phase, 16 random configurations of seven tasks; the real measurer with one timed
#    repeat for clearly slow kernels (--slow-cutoff 2, the default) and without (0).
for cutoff in 0 2; do
  "$build/measure_cost" --configs 16 --seed 1 --slow-cutoff "$cutoff" \
    --json "$out/phases_cutoff$cutoff.json" | tee "$out/phases_cutoff$cutoff.txt"
done

# 2. CPU time and page faults, in this process and in the forked children, on two tasks.
"$build/measure_cost" --tasks r18.2,mb1.13 --configs 16 --seed 1 \
  --json "$out/cpu_and_faults.json" | tee "$out/cpu_and_faults.txt"

# 3. Real tuning runs (autotvm, 128 measurements, 2 threads), with and without the cutoff;
#    twins (configurations that compile to the same code) are answered without compiling in
#    both. Each run's time accounting is in its database's run_times table.
for task in r18.2 mb1.13; do
  model=$([[ $task == r18.* ]] && echo resnet18 || echo mobilenet_v1)
  for cutoff in 0 2; do
    db=/tmp/measure_cost_${task}_$cutoff.db
    rm -f "$db" "$db-wal" "$db-shm"
    /usr/bin/time -f "%e s wall" "$build/tessel" tune --model "$model" --layer "$task" \
      --tuner autotvm --trials 128 --seed 1 --slow-cutoff "$cutoff" --db "$db" --json \
      >"$out/tune_${task}_cutoff$cutoff.json" 2>"$out/tune_${task}_cutoff$cutoff.err"
    sqlite3 -json "$db" "SELECT count(*) AS measurements,
        sum(compile_ms = 0 AND status = 'ok') AS twins,
        sum(json_array_length(repeats) = 1) AS one_repeat,
        min(value) AS best_ms FROM measurements" >"$out/tune_${task}_cutoff$cutoff.records.json"
    sqlite3 -json "$db" "SELECT * FROM run_times" >"$out/tune_${task}_cutoff$cutoff.times.json"
  done
done
