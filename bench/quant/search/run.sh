#!/usr/bin/env bash
# The strategy comparison on the quant problem: every TUNER x SEED, TRIALS evaluations each,
# one `tessel tune --json` line per run appended to JSONL (analyse with analyse.py).
#
#   bench/quant/search/run.sh JSONL TRIALS "SEEDS" "TUNERS" NET CACHE_DB [tessel tune options]
#   e.g. ... runs.jsonl 60 "1 2 3 4 5" "random ga autotvm release bted-bao releq" lenet5 \
#            exhaustive.db --bits-set 2,3,4,5,8
#
# Every run starts from a copy of CACHE_DB (created when missing) and adds its evaluations to
# it afterwards: the problem is repeatable, so a configuration any earlier run evaluated is
# taken from the records instead of trained and measured again. Runs therefore see exactly what
# independent runs would, and wall time is the strategies' own (the JSON's "reused" says how
# many evaluations came from the records). Runs are sequential: one evaluation already uses
# both cores.
set -euo pipefail

if [[ $# -lt 6 ]]; then
  echo "usage: $0 JSONL TRIALS \"SEEDS\" \"TUNERS\" NET CACHE_DB [tessel tune options]" >&2
  exit 2
fi
jsonl=$1 trials=$2 seeds=$3 tuners=$4 net=$5 cache_db=$6
shift 6
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$jsonl"

for seed in $seeds; do
  for tuner in $tuners; do
    if [[ -f "$cache_db" ]]; then cp "$cache_db" "$work/run.db"; else rm -f "$work/run.db"; fi
    if "$tessel" tune --net "$net" --tuner "$tuner" --trials "$trials" --seed "$seed" \
      --no-default --json --db "$work/run.db" "$@" >"$work/run.json" 2>"$work/run.err"; then
      cat "$work/run.json" >>"$jsonl"
      # The run's new evaluations join the cache for the next runs.
      cp "$work/run.db" "$cache_db"
    else
      echo "run failed: $tuner seed $seed: $(tail -1 "$work/run.err")" >&2
    fi
  done
done
