#!/usr/bin/env bash
# Pooling kernels' parallel tasks: MobileNet-v1's layer times with two builds of `tessel`, run
# in alternating processes PAIRS times (the first of each pair alternating too); prints each
# pooling layer's median time per build. Built to compare one task per plane (BEFORE) with
# tasks of several planes (AFTER). Run from the repository root on an otherwise idle machine:
#
#   BEFORE=old/tessel AFTER=build/tessel DB=records.db PAIRS=6 bench/networks/pool_tasks.sh OUT.jsonl
set -euo pipefail
pairs=${PAIRS:-6}
out=${1:?give the output file (JSON lines, one per process)}
: >"$out"
for pair in $(seq 1 "$pairs"); do
  if ((pair % 2)); then order="before after"; else order="after before"; fi
  for build in $order; do
    if [[ $build == before ]]; then tessel=${BEFORE:?}; else tessel=${AFTER:?}; fi
    line=$("$tessel" run --model "${MODEL:-mobilenet_v1}" --threads "${THREADS:-2}" --repeats 100 \
      --db "${DB:?give DB}" --no-record --json 2>/dev/null)
    python3 -c 'import json, sys; line = json.loads(sys.argv[1]); line["build"] = sys.argv[2]
print(json.dumps(line))' "$line" "$build" >>"$out"
  done
done
python3 - "$out" <<'PY'
import collections, json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
times = collections.defaultdict(lambda: collections.defaultdict(list))
for run in runs:
    times["end to end"][run["build"]].append(run["median_ms"])
    for layer in run["layers"]:
        if "pool" in layer["op"]:
            times[f"{layer['name']} ({layer['op']})"][run["build"]].append(layer["median_ms"])
print(f"{len(runs) // 2} pairs of processes; medians over the processes of each one's median, ms")
print(f"{'':32s} {'before':>8s} {'after':>8s} {'after/before':>13s}")
for name, builds in times.items():
    before, after = statistics.median(builds["before"]), statistics.median(builds["after"])
    print(f"{name:32s} {before:8.4f} {after:8.4f} {after / before:13.3f}")
PY
