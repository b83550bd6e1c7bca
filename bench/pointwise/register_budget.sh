#!/usr/bin/env bash
# The pointwise kernel's register budget: AVX2's 16 registers (BEFORE, a build from before the
# budget followed the host) against AVX-512's 32 (AFTER), on an AVX-512 host. Each build tunes
# MobileNet-v1's nine 1x1 layers with autotvm (64 measurements per layer, seed 1) into its own
# database at THREADS threads, exported next to the logs. Then onednn_compare times each
# database's best kernels against oneDNN in 5 interleaved rounds (one build serves both: every
# configuration the smaller budget allows, the larger allows too). Run from the repository root
# on an otherwise idle machine:
#
#   BEFORE=old/tessel AFTER=build/tessel COMPARE=build-bench/onednn_compare THREADS=1 \
#     bench/pointwise/register_budget.sh
set -euo pipefail
threads=${THREADS:-1}
out=bench/pointwise/results/register_budget
mkdir -p "$out"
for build in before after; do
  if [[ $build == before ]]; then tessel=${BEFORE:?}; else tessel=${AFTER:?}; fi
  db=$out/$build-t$threads.db
  rm -f "$db"
  "$tessel" tune --model mobilenet_v1 --layer 11 --layer 12 --layer 13 --layer 14 --layer 15 \
    --layer 16 --layer 17 --layer 18 --layer 19 --tuner autotvm --trials 64 --seed 1 \
    --threads "$threads" --db "$db" >"$out/tune_${build}_t$threads.log" 2>&1
  "$tessel" export --db "$db" | gzip -9n >"$out/records_${build}_t$threads.jsonl.gz"
done
for build in before after; do
  "${COMPARE:?}" --threads "$threads" --db "$out/$build-t$threads.db" --models mobilenet_v1 \
    --rounds 5 >"$out/compare_${build}_t$threads.md"
done
