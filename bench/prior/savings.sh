#!/usr/bin/env bash
# What --prior saves on ResNet-18 (channels-last, 1 thread, weights evicted before every run):
# a prior made from the committed records without ResNet-18's shapes, then `autotvm` with 32
# measurements per task, seeds 1 and 2, with the prior and without (cold), then the network
# with each run's records, alternating. Run from the repository root on an idle machine:
#
#   bench/prior/savings.sh OUT_DIR
set -euo pipefail
tessel=${TESSEL:-build/tessel}
out=${1:?give the output directory}
mkdir -p "$out"
TESSEL=$tessel bench/tuning_time/held_out_prior.sh resnet18 "$out/prior_without_r18.jsonl.gz"
for seed in 1 2; do
  for arm in shared cold; do
    extra=()
    [[ $arm == shared ]] && extra=(--prior "$out/prior_without_r18.jsonl.gz")
    "$tessel" tune --model resnet18 --layout nhwc --threads 1 --cache-flush --tuner autotvm \
      --trials 32 --seed $seed "${extra[@]}" --json --progress none --db "$out/${arm}_s$seed.db" \
      >"$out/${arm}_s$seed.jsonl" 2>"$out/${arm}_s$seed.err"
  done
done
MODEL=resnet18 LAYOUT=nhwc THREADS=1 ROUNDS=5 TESSEL=$tessel bench/networks/compare_records.sh \
  "$out/network.jsonl" "$out/none.db" "$out/cold_s1.db" "$out/shared_s1.db" "$out/cold_s2.db" \
  "$out/shared_s2.db" >"$out/network.txt"
bench/prior/prior_savings.py "$out"/shared_s*.jsonl -- "$out"/cold_s*.jsonl >"$out/curves.md"
