#!/usr/bin/env bash
# Transfer learning on real hardware: autotvm --transfer on LAYERs of ResNet-18, 2 threads,
# each run in a fresh database holding only the records of HISTORY (a `tessel export` JSONL,
# e.g. the zoo's random records), so every run starts from the same other-task history.
#
#   bench/transfer/transfer.sh HISTORY.jsonl JSONL TRIALS "SEEDS" LAYER...
set -euo pipefail

if [[ $# -lt 5 ]]; then
  echo "usage: $0 HISTORY.jsonl JSONL TRIALS \"SEEDS\" LAYER..." >&2
  exit 2
fi
history=$1 jsonl=$2 trials=$3 seeds=$4
shift 4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for layer in "$@"; do
  for seed in $seeds; do
    rm -f "$work"/db*
    "$tessel" import "$history" --db "$work/db" >/dev/null
    "$tessel" tune --model resnet18 --layer "$layer" --tuner autotvm --transfer \
      --trials "$trials" --seed "$seed" --threads 2 --db "$work/db" --no-default --json >>"$jsonl"
  done
done
