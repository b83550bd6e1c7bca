#!/usr/bin/env bash
# How stable a network's end-to-end time is between processes, and whether a slow round is slow
# on a few layers (small ones waking threads) or on all alike (the machine). Runs `tessel run
# --json` ROUNDS times, one process per round, and summarises with stability.py. Run from the
# repository root on an otherwise idle machine:
#
#   DB=records.db MODEL=mobilenet_v1 THREADS=2 ROUNDS=8 bench/networks/stability.sh OUT.jsonl
set -euo pipefail
tessel=${TESSEL:-build/tessel}
model=${MODEL:-mobilenet_v1}
threads=${THREADS:-2}
rounds=${ROUNDS:-8}
out=${1:?give the output file (JSON lines, one per round)}
: >"$out"
for round in $(seq 1 "$rounds"); do
  "$tessel" run --model "$model" --threads "$threads" --repeats 100 --db "${DB:?give DB}" \
    --no-record --json 2>/dev/null >>"$out"
done
python3 "$(dirname "$0")/stability.py" "$out"
