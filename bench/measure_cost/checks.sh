#!/usr/bin/env bash
# What Halide's runtime checks cost to compile, and that leaving them out does not slow the
# kernels (bench/measure_cost/README.md, "Compiling without the checks"). For each of the seven
# tasks, measure_cost runs the same 16 configurations without the checks (the default) and
# with them (TESSEL_KERNEL_CHECKS=1), one after the other, in ROUNDS rounds; compare_checks.py
# pairs them. Run from the repository root on an otherwise idle machine, with a build that has
# TESSEL_BUILD_BENCH=ON (BUILD, default build):
#
#   bench/measure_cost/checks.sh
set -euo pipefail
build=${BUILD:-build}
rounds=${ROUNDS:-2}
out=bench/measure_cost/results/checks
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for task in r18.1 r18.2 r18.4 r18.11 r18.12 mb1.2 mb1.13; do
    for mode in without with; do
      checks=$([[ $mode == with ]] && echo 1 || echo 0)
      TESSEL_KERNEL_CHECKS=$checks "$build/measure_cost" --tasks "$task" --configs 16 --seed 1 \
        --json "$out/${mode}_${task}_round$round.json" >/dev/null
    done
  done
done
python3 bench/measure_cost/compare_checks.py "$out" | tee "$out/summary.txt"
