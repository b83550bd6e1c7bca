#!/usr/bin/env bash
# How well tessel's gain estimate predicts what tuning a task further gains: every replay table,
# seeds 1-5, 400 measurements with --allocation predicted and no stopping (--min-gain 0), each
# run's estimates kept in its database's tuner log; stop_calibration.py then compares them with
# what the next plan and the rest of the run gained, and simulates stopping rules.
#
#   bench/tuning_time/stop_calibration.sh OUT_DIR
set -euo pipefail
tessel=${TESSEL:-build/tessel}
out=${1:?give the output directory}
mkdir -p "$out"
for table in bench/spaces/*.csv.gz; do
  name=$(basename "$table" .csv.gz)
  zcat "$table" >"$out/$name.csv"
  for seed in 1 2 3 4 5; do
    rm -f "$out/$name.$seed".db*
    "$tessel" tune --space "$out/$name.csv" --tuner tessel --budget 400 --allocation predicted \
      --min-gain 0 --seed "$seed" --db "$out/$name.$seed.db" --json --progress none \
      >"$out/$name.$seed.jsonl" 2>/dev/null
  done
  rm "$out/$name.csv"
done
bench/tuning_time/stop_calibration.py "$out"
