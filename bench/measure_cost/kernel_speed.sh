#!/usr/bin/env bash
# Kernels no slower without Halide's runtime checks: each of the 16 configurations of
# measure_cost's sample (seed 1) of three tasks, timed in fresh processes with and without the
# checks, alternately (without, with, with, without), so that drifts of the machine fall on
# both. Run from the repository root on an otherwise idle machine, with a build that has
# TESSEL_BUILD_BENCH=ON (BUILD, default build):
#
#   bench/measure_cost/kernel_speed.sh
set -euo pipefail
build=${BUILD:-build}
out=bench/measure_cost/results/checks/kernel_speed.csv
echo "task,index,checks,ms" >"$out"
time_one() {  # task index checks
  local ms
  ms=$(TESSEL_KERNEL_CHECKS=$3 "$build/kernel_time" --task "$1" --configs 16 --seed 1 --index "$2")
  echo "$1,$2,$3,$ms" >>"$out"
}
for task in r18.2 r18.11 mb1.13; do
  for index in $(seq 0 15); do
    for checks in 0 1 1 0; do time_one "$task" "$index" "$checks"; done
  done
done
python3 - "$out" <<'PY' | tee "${out%.csv}.txt"
import csv, statistics, sys
times = {}
for row in csv.DictReader(open(sys.argv[1])):
    if row["ms"].startswith("failed"):
        continue
    times.setdefault((row["task"], row["index"]), {}).setdefault(row["checks"], []).append(
        float(row["ms"]))
ratios = {}
for (task, index), by in times.items():
    if len(by.get("0", [])) == 2 and len(by.get("1", [])) == 2:
        ratios.setdefault(task, []).append(statistics.mean(by["0"]) / statistics.mean(by["1"]))
print("kernel time without the checks / with them, per configuration (mean of two of each):")
for task, values in ratios.items():
    print(f"{task:8s} median {statistics.median(values):.3f}, {min(values):.3f}-{max(values):.3f} "
          f"over {len(values)} configurations")
every = [v for values in ratios.values() for v in values]
print(f"all      median {statistics.median(every):.3f} over {len(every)} configurations")
PY
