#!/usr/bin/env bash
# The network table of the BTED and BAO paper ("Deep Neural Network Hardware Deployment
# Optimization via Advanced Active Learning"): every task of each MODEL tuned by each TUNER for
# each of SEEDS, with TRIALS measurements per task, summarised by
# bench/bted/latency_variance_table.py.
#
#   bench/bted/network_variance.sh OUTDIR TRIALS "SEEDS" "TUNERS" MODEL...
#   (a TUNERS entry PRESET@ARG@... adds those arguments to that tuner's runs, e.g.
#   bted@--bted=kernel=distance,mu=5; TASKS="alex.3 r18.11 ..." keeps only those tasks)
#   e.g. TUNE_ARGS="--plan-size 8" BAO_ARGS="--bao batch=8" \
#        bench/bted/network_variance.sh bench/out/variance 40 "1 2 3 4 5" \
#          "autotvm bted bted-bao release" alexnet resnet18 vgg16 mobilenet_v1 squeezenet_v1.1
#
# The work is items of (seed, model, task), each tuned by every tuner one after the other so
# that the machine's slow stretches hit all tuners alike. WORKERS (default: the number of
# cores) processes share the items, each pinned to its own core, measuring with one thread and
# compiling one configuration at a time: compiling dominates a measurement and is serial, so
# this runs about WORKERS times faster than one process on all cores, at the price of timings
# taken beside a busy neighbour core (re-time the bests on an idle machine for the final
# figures). Worker W appends to OUTDIR/runs.W.jsonl and records to OUTDIR/worker.W.db.
#
# Resumable: an item's lines are appended only once all its tuners are done, and finished items
# (OUTDIR/done.W) are skipped when the script is started again.
# Pausable: `bench/bted/network_variance.sh --pause OUTDIR` returns once every worker has
# finished its item and waits; `--resume OUTDIR` lets them go on.
set -euo pipefail

if [[ ${1:-} == --pause || ${1:-} == --resume ]]; then
  [[ $# -eq 2 ]] || { echo "usage: $0 --pause|--resume OUTDIR" >&2; exit 2; }
  outdir=$2
  if [[ $1 == --resume ]]; then rm -f "$outdir/pause"; exit 0; fi
  touch "$outdir/pause"
  workers=$(cat "$outdir/workers" 2>/dev/null || nproc)
  for ((w = 0; w < workers; w++)); do
    until [[ -e $outdir/paused.$w || -e $outdir/finished.$w ]]; do sleep 2; done
  done
  exit 0
fi

if [[ $# -lt 5 ]]; then
  echo "usage: $0 OUTDIR TRIALS \"SEEDS\" \"TUNERS\" MODEL...  (or --pause|--resume OUTDIR)" >&2
  exit 2
fi
outdir=$1 trials=$2 seeds=$3 tuners=$4
shift 4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
workers=${WORKERS:-$(nproc)}
read -r -a tune_args <<<"${TUNE_ARGS:-}"
read -r -a bao_args <<<"${BAO_ARGS:-}"

mkdir -p "$outdir"
echo "$workers" >"$outdir/workers"
rm -f "$outdir"/paused.* "$outdir"/finished.*

# Every item, in order: seed, then model, then the model's tasks (unknown models fail here).
items=()
for seed in $seeds; do
  for model in "$@"; do
    tasks=$("$tessel" zoo "$model" | awk 'NR > 1 { print $1 }')
    for task in $tasks; do
      [[ -z ${TASKS:-} || " $TASKS " == *" $task "* ]] && items+=("$seed $model $task")
    done
  done
done

run_worker() {
  local w=$1 i seed model task entry tuner extra
  local done_file=$outdir/done.$w pending=$outdir/pending.$w.jsonl
  touch "$done_file"
  for ((i = w; i < ${#items[@]}; i += workers)); do
    while [[ -e $outdir/pause ]]; do
      touch "$outdir/paused.$w"
      sleep 2
    done
    rm -f "$outdir/paused.$w"
    grep -qxF "${items[i]}" "$done_file" && continue
    read -r seed model task <<<"${items[i]}"
    : >"$pending"
    for entry in $tuners; do
      # "PRESET@ARG@ARG..." runs PRESET with those extra arguments.
      IFS=@ read -r -a extra <<<"$entry"
      tuner=${extra[0]}
      extra=("${extra[@]:1}")
      [[ $tuner == bted-bao ]] && extra+=("${bao_args[@]}")
      taskset -c "$w" "$tessel" tune --model "$model" --layer "$task" --tuner "$tuner" \
        --trials "$trials" --seed "$seed" --threads 1 --build-jobs 1 --no-default --json \
        --db "$outdir/worker.$w.db" "${tune_args[@]}" "${extra[@]}" >>"$pending" \
        2>>"$outdir/worker.$w.log"
    done
    cat "$pending" >>"$outdir/runs.$w.jsonl"
    echo "${items[i]}" >>"$done_file"
  done
  touch "$outdir/finished.$w"
}

for ((w = 0; w < workers; w++)); do run_worker "$w" & done
wait
