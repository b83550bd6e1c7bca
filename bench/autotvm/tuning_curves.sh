#!/usr/bin/env bash
# Tuning curves of random and autotvm on real hardware: for each layer and seed, both tuners
# with the same trial budget, one after the other (so machine noise hits both alike). Every
# measurement goes to DB; one JSON line per run (curve, best, time breakdown) to JSONL.
#
#   bench/autotvm/tuning_curves.sh DB JSONL TRIALS "SEEDS" LAYER...
#   e.g. ... 500 "1 2 3" r18.6 r18.9
#
# Run it on an otherwise idle machine: two threads are the whole machine.
set -euo pipefail

if [[ $# -lt 5 ]]; then
  echo "usage: $0 DB JSONL TRIALS \"SEEDS\" LAYER..." >&2
  exit 2
fi
db=$1 jsonl=$2 trials=$3 seeds=$4
shift 4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}

for layer in "$@"; do
  for seed in $seeds; do
    for tuner in random autotvm; do
      "$tessel" tune --model resnet18 --layer "$layer" --tuner "$tuner" --trials "$trials" \
        --seed "$seed" --threads 2 --db "$db" --no-default --json >>"$jsonl"
    done
  done
done
