#!/usr/bin/env bash
# The networks behind the table, timed end to end and interleaved (bench/networks/
# compare_records.sh, ROUNDS rounds, NCHW, both cores): every layer on its default schedule,
# each baseline run's final records, and each other run's records cut at SHARE of the
# baseline's median wall time (curves.py --truncate); CUT_ARMS names the arms to cut (default:
# every arm but the baseline). Run after run.sh, on an idle machine:
#
#   MODEL=resnet18 CUT_ARMS="tessel+prior" bench/tuning_time/end_to_end.sh OUT_DIR
set -euo pipefail
out=${1:?give the output directory run.sh wrote}
model=${MODEL:-resnet18}
baseline=${BASELINE:-autotvm}
cut="$out/cut_${SHARE:-0.2}"
rm -rf "$cut"
bench/tuning_time/curves.py "$out" "$model" --baseline "$baseline" --share "${SHARE:-0.2}" \
  --truncate "$cut" >/dev/null
cuts=()
if [[ -n ${CUT_ARMS:-} ]]; then
  for arm in $CUT_ARMS; do cuts+=("$cut/$model.$arm".s*.db); done
else
  cuts=("$cut/$model".*.db)
fi
MODEL=$model LAYOUT=nchw THREADS=${THREADS:-2} ROUNDS=${ROUNDS:-3} \
  bench/networks/compare_records.sh "$out/$model.end_to_end.jsonl" "$out/defaults.db" \
  "$out/$model.$baseline".s*.db "${cuts[@]}"
