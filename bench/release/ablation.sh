#!/usr/bin/env bash
# RELEASE's ablation on real hardware: for each layer and seed, every TUNER with the same trial
# budget, one after the other (so the machine's slow stretches hit all of them alike). Every
# measurement goes to DB; one JSON line per run (curve, elapsed seconds, search rounds, time
# breakdown) to JSONL. Layers are the zoo's labels: alex.N, vgg.N, r18.N, mb1.N, sq.N.
#
#   bench/release/ablation.sh DB JSONL TRIALS "SEEDS" "TUNERS" LAYER...
#   e.g. bench/release/ablation.sh bench/out/ablation.db bench/out/ablation.jsonl 300 "1" \
#          "autotvm rl sa-as release" alex.1 alex.4 vgg.1 vgg.2 vgg.4 r18.6 r18.9 r18.11
#
# Run it on an otherwise idle machine: two threads are the whole machine.
set -euo pipefail

if [[ $# -lt 6 ]]; then
  echo "usage: $0 DB JSONL TRIALS \"SEEDS\" \"TUNERS\" LAYER..." >&2
  exit 2
fi
db=$1 jsonl=$2 trials=$3 seeds=$4 tuners=$5
shift 5
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}

model_of() {
  case $1 in
    alex.*) echo alexnet ;;
    vgg.*) echo vgg16 ;;
    r18.*) echo resnet18 ;;
    mb1.*) echo mobilenet_v1 ;;
    sq.*) echo squeezenet_v1.1 ;;
    *) echo "unknown layer label $1 (expected alex.N, vgg.N, r18.N, mb1.N or sq.N)" >&2; exit 2 ;;
  esac
}

for layer in "$@"; do model_of "$layer" >/dev/null; done
for layer in "$@"; do
  model=$(model_of "$layer")
  for seed in $seeds; do
    for tuner in $tuners; do
      "$tessel" tune --model "$model" --layer "$layer" --tuner "$tuner" --trials "$trials" \
        --seed "$seed" --threads 2 --db "$db" --no-default --json >>"$jsonl"
    done
  done
done
