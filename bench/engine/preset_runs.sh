#!/usr/bin/env bash
# Every tuner preset on every table of the replay suite (bench/spaces/), plus a few option
# variants, each run in a fresh database, writing one `tessel tune --json` line per run with
# the wall-clock fields (elapsed_s, seconds) removed: what is left (choices, curves, bests,
# search rounds) must not depend on the machine or on how the engine is organised.
#
#   bench/engine/preset_runs.sh OUT.jsonl [TRIALS] [SEEDS]      (defaults: 200, "1 2")
#
# TESSEL names the binary (default build/tessel). Compare two outputs with
# bench/engine/compare_runs.py.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 OUT.jsonl [TRIALS] [SEEDS]" >&2
  exit 2
fi
out=$1 trials=${2:-200} seeds=${3:-1 2}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$out"

run() {  # run TABLE ARGS...: one tune run in a fresh database, its line to $out
  local table=$1
  shift
  rm -f "$work"/db*
  # A refused run (grid search over a space too large to enumerate) is a line too: its error.
  if ! "$tessel" tune --space "$work/$table.csv" --trials "$trials" --db "$work/db" --json "$@" \
    >"$work/line" 2>"$work/err"; then
    echo "{\"refused\": \"$table $*\", \"error\": \"$(tail -1 "$work/err")\"}" >>"$out"
    return
  fi
  /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    run = json.loads(line)
    run.pop("elapsed_s", None)
    run.pop("seconds", None)
    print(json.dumps(run, sort_keys=True))' <"$work/line" >>"$out"
}

for path in "$root"/bench/spaces/*.csv.gz; do
  table=$(basename "$path" .csv.gz)
  zcat "$path" >"$work/$table.csv"
  for seed in $seeds; do
    for tuner in random grid autotvm release rl sa-as bted bted-bao; do
      run "$table" --tuner "$tuner" --seed "$seed"
    done
  done
done
# Option variants, on one table and one seed.
table=r18.2
run $table --tuner autotvm --seed 3 --init bted --plan-size 16
run $table --tuner release --seed 3 --ppo clip=0.2,minibatch=32 --sampling knee=loss-drop,top=0.5
run $table --tuner bted-bao --seed 3 --bted kernel=distance,encoding=index --bao members=4,apart=0
run $table --tuner random --seed 3 --early-stopping 20 --batch-size 5
run $table --tuner autotvm --seed 3 --batch-size 3 --features knob
