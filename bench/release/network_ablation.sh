#!/usr/bin/env bash
# The whole-network figure of the RELEASE paper (its Tables 5 and 6): every task of each MODEL
# tuned by each TUNER with TRIALS measurements per task, 2 threads, one JSON line per task to
# JSONL (summarise with bench/common/network_table.py). For each model and seed the tuners run
# one after the other, so that the machine's slow stretches hit all of them alike.
#
#   bench/release/network_ablation.sh DB JSONL TRIALS "SEEDS" "TUNERS" MODEL...
#   e.g. bench/release/network_ablation.sh bench/out/network.db bench/out/network.jsonl 200 "1" \
#          "autotvm release" alexnet resnet18 vgg16
set -euo pipefail

if [[ $# -lt 6 ]]; then
  echo "usage: $0 DB JSONL TRIALS \"SEEDS\" \"TUNERS\" MODEL..." >&2
  exit 2
fi
db=$1 jsonl=$2 trials=$3 seeds=$4 tuners=$5
shift 5
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}

for model in "$@"; do "$tessel" zoo "$model" >/dev/null; done  # unknown models fail up front
for model in "$@"; do
  for seed in $seeds; do
    for tuner in $tuners; do
      "$tessel" tune --model "$model" --tuner "$tuner" --trials "$trials" \
        --seed "$seed" --threads 2 --db "$db" --no-default --json >>"$jsonl"
    done
  done
done
