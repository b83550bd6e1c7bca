#!/usr/bin/env bash
# A network's end-to-end time with `tessel run` against oneDNN's layer sum (onednn_network:
# its conv2d and dense layers timed alone, summed), alternating ROUNDS times per thread count,
# without PyTorch (network_latency.sh has all four implementations); `tessel run` once per
# activation layout in LAYOUTS (default nchw) each round. One JSON line per measurement to OUT,
# then a summary: per thread count and layout the medians over rounds and the median of the
# rounds' paired ratios. Run from the repository root on an otherwise idle machine:
#
#   DB=records.db MODEL=mobilenet_v1 THREADS="1 2" LAYOUTS="nchw nhwc" ROUNDS=3 \
#     bench/networks/tessel_vs_onednn.sh OUT.jsonl
set -euo pipefail
tessel=${TESSEL:-build/tessel}
onednn=${ONEDNN:-build-bench/onednn_network}
model=${MODEL:-mobilenet_v1}
rounds=${ROUNDS:-3}
out=${1:?give the output file (JSON lines)}
: >"$out"
for threads in ${THREADS:-1 2}; do
  for round in $(seq 1 "$rounds"); do
    for layout in ${LAYOUTS:-nchw}; do
      line=$("$tessel" run --model "$model" --threads "$threads" --layout "$layout" --repeats 100 \
        --db "${DB:?give DB}" --no-record --json 2>/dev/null)
      python3 -c 'import json, sys; line = json.loads(sys.argv[1])
print(json.dumps({"impl": "tessel", "layout": line["layout"], "round": int(sys.argv[2]),
                  "threads": line["threads"], "median_ms": line["median_ms"],
                  "tuned": line["tuned"], "kernels": line["kernels"]}))' \
        "$line" "$round" >>"$out"
    done
    line=$("$onednn" --threads "$threads" --models "$model" 2>/dev/null)
    python3 -c 'import json, sys; line = json.loads(sys.argv[1]); line["impl"] = "onednn-sum"
line["round"] = int(sys.argv[2]); print(json.dumps(line))' \
      "$line" "$round" >>"$out"
  done
done
python3 - "$out" <<'PY'
import collections, json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
by = collections.defaultdict(dict)
for run in runs:
    impl = run["impl"] + ("-" + run["layout"] if run["impl"] == "tessel" else "")
    by[(run["threads"], run["round"])][impl] = run
print("threads  layout  tessel ms (median, range)  oneDNN layer sum ms  "
      "tessel / oneDNN (median of rounds)")
layouts = sorted({run.get("layout", "nchw") for run in runs if run["impl"] == "tessel"})
for threads in sorted({t for t, _ in by}):
    rounds = [modes for (t, _), modes in sorted(by.items()) if t == threads]
    onednn = [m["onednn-sum"]["median_ms"] for m in rounds]
    for layout in layouts:
        tessel = [m["tessel-" + layout]["median_ms"] for m in rounds]
        ratios = [t / o for t, o in zip(tessel, onednn)]
        print(f"{threads:7d}  {layout:6s}  {statistics.median(tessel):8.3f} "
              f"({min(tessel):.3f}-{max(tessel):.3f})"
              f"  {statistics.median(onednn):8.3f} ({min(onednn):.3f}-{max(onednn):.3f})"
              f"  {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})")
PY
