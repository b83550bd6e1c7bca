#!/usr/bin/env bash
# Re-times each tuning run's best kernels against oneDNN: for every TUNER and SEED, the records
# of that run alone (from DB) go into a fresh database and onednn_compare times their best
# per layer next to oneDNN, in one process (2 threads). Appends the reports to OUT; summarise
# them with bench/common/retime_table.py.
#
#   bench/common/compare_runs_onednn.sh DB OUT "SEEDS" TUNER...
#
# MODELS (default resnet18; comma-separated), ROUNDS (21) and MIN_TIME_MS (1000) pass on to
# onednn_compare.
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: $0 DB OUT \"SEEDS\" TUNER..." >&2
  exit 2
fi
db=$1 out=$2 seeds=$3
shift 3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
compare=${ONEDNN_COMPARE:-$root/build-bench/onednn_compare}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$tessel" export --db "$db" --format jsonl >"$work/all.jsonl"
for tuner in "$@"; do
  for seed in $seeds; do
    python3 -c '
import json, sys
tuner, seed = sys.argv[1], int(sys.argv[2])
for line in sys.stdin:
    record = json.loads(line)
    if record["run_tuner"] == tuner and record["run_seed"] == seed:
        sys.stdout.write(line)' "$tuner" "$seed" <"$work/all.jsonl" >"$work/run.jsonl"
    rm -f "$work"/run.db*
    "$tessel" import "$work/run.jsonl" --db "$work/run.db" >/dev/null
    echo "### $tuner, seed $seed" >>"$out"
    "$compare" --threads 2 --db "$work/run.db" --models "${MODELS:-resnet18}" \
      --rounds "${ROUNDS:-21}" --min-time-ms "${MIN_TIME_MS:-1000}" >>"$out"
    echo >>"$out"
  done
done
