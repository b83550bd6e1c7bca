#!/usr/bin/env bash
# One network run with the records of several databases, alternating ROUNDS times (a database
# that does not exist runs every layer on its default schedule). One JSON line per run to OUT
# (the database's name, the round, the end-to-end median and each layer's), then per database
# the median over rounds and its range. Run from the repository root on an otherwise idle
# machine:
#
#   MODEL=resnet18 LAYOUT=nhwc THREADS=1 ROUNDS=5 bench/networks/compare_records.sh OUT.jsonl \
#     none.db hot.db flush.db
#
# With TESSELS, a space-separated list of tessel binaries (two builds, say), every database is
# run by each of them in turn, and each line and summary row names the binary too.
set -euo pipefail
out=${1:?give the output file (JSON lines), then the databases}
shift
: >"$out"
for round in $(seq 1 "${ROUNDS:-5}"); do
  for db in "$@"; do
    for tessel in ${TESSELS:-${TESSEL:-build/tessel}}; do
      line=$("$tessel" run --model "${MODEL:-resnet18}" --layout "${LAYOUT:-nchw}" --db "$db" \
        --threads "${THREADS:-1}" --repeats 50 --no-record --no-check --json 2>/dev/null)
      python3 -c 'import json, os, sys; line = json.loads(sys.argv[1])
run = {"records": os.path.basename(sys.argv[2]), "round": int(sys.argv[3])}
if sys.argv[4]:
    run["tessel"] = sys.argv[4]
run.update({"layout": line["layout"], "threads": line["threads"],
            "median_ms": line["median_ms"], "tuned": line["tuned"],
            "layers": [{"name": l["name"], "median_ms": l["median_ms"],
                        "config": l.get("config", "")} for l in line["layers"]]})
print(json.dumps(run))' "$line" "$db" "$round" "${TESSELS:+$tessel}" >>"$out"
    done
  done
done
python3 - "$out" <<'PY'
import collections, json, statistics, sys
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    run = json.loads(line)
    name = run["records"] + (f" ({run['tessel']})" if "tessel" in run else "")
    by[name].append(run["median_ms"])
print("records              end to end ms, median over rounds (range)")
for records, times in by.items():
    print(f"{records:20s} {statistics.median(times):8.3f} ({min(times):.3f}-{max(times):.3f})")
PY
