#!/usr/bin/env bash
# A prior without one network's shapes: every record committed in bench/networks/results whose
# workload (either layout) is not a task of MODEL, merged by bench/prior/make_prior.sh. Tuning
# MODEL with it shows what the prior does for shapes it has never seen.
#
#   bench/tuning_time/held_out_prior.sh MODEL OUT.jsonl.gz
set -euo pipefail
tessel=${TESSEL:-build/tessel}
model=${1:?give the model}
out=${2:?give the output file}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tessel" zoo "$model" | awk 'NR > 1 {print $NF}' >"$work/shapes.txt"
zcat bench/networks/results/*records*.jsonl.gz | python3 -c '
import json, sys
shapes = {line.strip() for line in open(sys.argv[1])}
for line in sys.stdin:
    if json.loads(line)["instance"].replace(",layout=nhwc", "") not in shapes:
        sys.stdout.write(line)' "$work/shapes.txt" >"$work/records.jsonl"
TESSEL=$tessel bench/prior/make_prior.sh "$out" "$work/records.jsonl"
