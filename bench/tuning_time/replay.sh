#!/usr/bin/env bash
# The replay suite at 100 measurements: every model-based preset and random search, 10 seeds,
# then autotvm, bted and bted-bao with plans of 16 and 32, and the fraction of each table's
# optimum they reach (replay_table.py). Replay runs are exact, so the machine need not be idle.
#
#   bench/tuning_time/replay.sh OUT_DIR
set -euo pipefail
out=${1:?give the output directory}
mkdir -p "$out"
seeds="1 2 3 4 5 6 7 8 9 10"
curves=bench/common/replay_curves.sh
rm -f "$out"/replay_*.jsonl
$curves "$out/replay_presets.jsonl" 100 "$seeds" "random autotvm release bted bted-bao tessel"
for plan in 16 32; do
  TUNE_ARGS="--plan-size $plan" $curves "$out/replay_plan$plan.jsonl" 100 "$seeds" \
    "autotvm bted bted-bao"
done
bench/tuning_time/replay_table.py 100 "$out"/replay_*.jsonl
