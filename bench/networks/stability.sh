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
# The machine's steal time (ticks a hypervisor ran someone else while this VM wanted to run) and
# the CPU time of other processes are read around each round: the 9th field of /proc/stat's
# cpu line, and the busy ticks minus this round's own.
cpu_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $9}' /proc/stat; }
for round in $(seq 1 "$rounds"); do
  read -r busy_before steal_before < <(cpu_ticks)
  line=$("$tessel" run --model "$model" --threads "$threads" --repeats 100 --db "${DB:?give DB}" \
    --no-record --json 2>/dev/null)
  read -r busy_after steal_after < <(cpu_ticks)
  python3 -c 'import json, sys; line = json.loads(sys.argv[1])
line["steal_ticks"] = int(sys.argv[2]); line["busy_ticks"] = int(sys.argv[3])
print(json.dumps(line))' "$line" $((steal_after - steal_before)) $((busy_after - busy_before)) >>"$out"
done
python3 "$(dirname "$0")/stability.py" "$out"
