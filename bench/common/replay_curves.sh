#!/usr/bin/env bash
# Tuning curves on the replay suite: every table in bench/spaces/ (or the NAMEs given), each
# TUNER and SEED, TRIALS measurements, each run in a fresh database so that no run resumes from
# another. One JSON line per run to JSONL (plot with bench/common/plot_curves.py).
#
#   bench/common/replay_curves.sh JSONL TRIALS "SEEDS" "TUNERS" [NAME...]
#   e.g. ... 500 "1 2 3" "random autotvm"
#
# TUNE_ARGS, when set, is added to every tune command, e.g. TUNE_ARGS="--ppo clip=0.2".
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: $0 JSONL TRIALS \"SEEDS\" \"TUNERS\" [NAME...]" >&2
  exit 2
fi
jsonl=$1 trials=$2 seeds=$3 tuners=$4
shift 4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for table in "$root"/bench/spaces/*.csv.gz; do names+=("$(basename "$table" .csv.gz)"); done
fi
for name in "${names[@]}"; do
  zcat "$root/bench/spaces/$name.csv.gz" >"$work/$name.csv"
  for seed in $seeds; do
    for tuner in $tuners; do
      rm -f "$work"/db*
      "$tessel" tune --space "$work/$name.csv" --tuner "$tuner" --trials "$trials" \
        --seed "$seed" --db "$work/db" --json ${TUNE_ARGS:-} >>"$jsonl"
    done
  done
done
