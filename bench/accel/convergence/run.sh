#!/usr/bin/env bash
# The convergence comparison: every NET x OBJECTIVE x BUDGET x TUNER x SEED, TRIALS evaluations
# each on the accel problem (shi dataflow, budget at ConfuciuX's ratio 0.5), every run in a
# fresh database. One `tessel tune --json` line per run, appended to JSONL (analyse with
# analyse.py). JOBS runs at once (default 2), each single-threaded.
#
#   bench/accel/convergence/run.sh JSONL TRIALS "SEEDS" "TUNERS" "NETS" ["OBJECTIVES"] ["BUDGETS"]
#   e.g. ... runs.jsonl 500 "1 2 3 4 5" "confuciux reinforce ga random autotvm" \
#            "example alexnet resnet18 mobilenet_v2" "latency energy" "area power"
set -euo pipefail

if [[ $# -lt 5 ]]; then
  echo "usage: $0 JSONL TRIALS \"SEEDS\" \"TUNERS\" \"NETS\" [\"OBJECTIVES\"] [\"BUDGETS\"]" >&2
  exit 2
fi
jsonl=$1 trials=$2 seeds=$3 tuners=$4 nets=$5 objectives=${6:-latency} budgets=${7:-area}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
jobs=${JOBS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One line per run: its arguments; xargs runs them JOBS at a time.
for net in $nets; do
  for objective in $objectives; do
    for budget in $budgets; do
      for seed in $seeds; do
        for tuner in $tuners; do
          echo "$net $objective $budget $seed $tuner"
        done
      done
    done
  done
done >"$work/runs"

run_one() {
  local net=$1 objective=$2 budget=$3 seed=$4 tuner=$5
  local name="$work/$net-$objective-$budget-$seed-$tuner"
  if OMP_NUM_THREADS=1 "$tessel" tune --problem accel --net "$net" --dataflow shi \
    --objective "$objective" --constraint "$budget" --constraint-ratio 0.5 --tuner "$tuner" \
    --trials "$trials" --seed "$seed" --json --db "$name.db" >"$name.json" 2>"$name.err"; then
    # Whole lines only, one run at a time, however long the line.
    flock "$jsonl" cat "$name.json" >>"$jsonl"
  else
    echo "run failed: $net $objective $budget $seed $tuner: $(tail -1 "$name.err")" >&2
  fi
  rm -f "$name.db" "$name.json" "$name.err"
}
export -f run_one
export tessel trials work jsonl
touch "$jsonl"
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ <"$work/runs"
