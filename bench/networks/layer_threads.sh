#!/usr/bin/env bash
# What keeping some layers to one thread (`tessel run --layer-threads fastest`, the default)
# gains over running every layer on the thread pool (`--layer-threads pool`). Runs the two in
# alternating processes, PAIRS times each (the first of each pair alternating too), and
# summarises with layer_threads.py: the ratio of end-to-end medians per pair, and which layers
# were kept to one thread how often. Run from the repository root on an otherwise idle machine:
#
#   DB=records.db MODEL=mobilenet_v1 THREADS=2 PAIRS=10 bench/networks/layer_threads.sh OUT.jsonl
set -euo pipefail
tessel=${TESSEL:-build/tessel}
model=${MODEL:-mobilenet_v1}
threads=${THREADS:-2}
pairs=${PAIRS:-10}
out=${1:?give the output file (JSON lines, one per process)}
: >"$out"
for pair in $(seq 1 "$pairs"); do
  if ((pair % 2)); then order="fastest pool"; else order="pool fastest"; fi
  for mode in $order; do
    line=$("$tessel" run --model "$model" --threads "$threads" --repeats 100 \
      --db "${DB:?give DB}" --layer-threads "$mode" --no-record --json 2>/dev/null)
    python3 -c 'import json, sys; line = json.loads(sys.argv[1])
line["pair"] = int(sys.argv[2]); line["layer_threads"] = sys.argv[3]
print(json.dumps(line))' "$line" "$pair" "$mode" >>"$out"
  done
done
python3 "$(dirname "$0")/layer_threads.py" "$out"
