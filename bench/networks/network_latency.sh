#!/usr/bin/env bash
# End-to-end batch-1 fp32 latency of whole networks on this CPU, every implementation measured
# in the same run, one after the other per network and thread count, ROUNDS times over:
#   tessel-tuned    tessel run with the best records of DB
#   tessel-default  tessel run with every layer's default schedule
#   pytorch         PyTorch (Debian's python3-torch), eval + no_grad, same thread count (its
#                   BLAS as the system provides it: install libopenblas0-pthread, or PyTorch's
#                   dense and single-threaded 1x1 layers run on the reference BLAS)
#   onednn-sum      oneDNN's conv2d and dense layers timed alone and summed (build-bench's
#                   onednn_network)
# Tessel runs the ONNX export of PyTorch's very model and compares its output with PyTorch's
# for the same input. One JSON line per measurement to OUT (bench/networks/network_latency_table.py
# summarises).
#
#   bench/networks/network_latency.sh OUT DB "THREADS" MODEL...
#   e.g. ROUNDS=3 bench/networks/network_latency.sh bench/out/latency.jsonl tuned.db "1 2" \
#          resnet18 vgg16
#
# Run it on an otherwise idle machine.
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: $0 OUT DB \"THREADS\" MODEL..." >&2
  exit 2
fi
out=$1 db=$2 threads=$3
shift 3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
onednn=${ONEDNN:-$root/build-bench/onednn_network}
onnx_dir=${ONNX_DIR:-$root/bench/out/onnx}
rounds=${ROUNDS:-3}
python=/usr/bin/python3
[[ -f $db ]] || { echo "$0: no records database $db" >&2; exit 2; }

mkdir -p "$onnx_dir"
for model in "$@"; do
  [[ -f $onnx_dir/$model.onnx ]] ||
    "$python" "$root/bench/networks/pytorch_latency.py" --threads 2 --runs 1 --warmup 0 \
      --export "$onnx_dir" "$model" >/dev/null
done

# Adds the implementation and the round to each JSON line.
tag() {
  "$python" -c 'import json, sys
for line in sys.stdin:
    row = json.loads(line)
    row.update(implementation=sys.argv[1], round=int(sys.argv[2]))
    print(json.dumps(row), flush=True)' "$1" "$2"
}

for ((round = 1; round <= rounds; round++)); do
  for t in $threads; do
    for model in "$@"; do
      network=$onnx_dir/$model
      "$tessel" run --onnx "$network.onnx" --db "$db" --threads "$t" --repeats 20 --json \
        --input "$network.input.bin" --compare "$network.output.bin" | tag tessel-tuned "$round"
      "$tessel" run --onnx "$network.onnx" --db "$onnx_dir/no-records.db" --threads "$t" \
        --repeats 20 --json --no-check 2>/dev/null | tag tessel-default "$round"
      OPENBLAS_NUM_THREADS=$t "$python" "$root/bench/networks/pytorch_latency.py" --threads "$t" \
        --runs 20 "$model" | tag pytorch "$round"
      "$onednn" --threads "$t" --models "$model" 2>/dev/null | tag onednn-sum "$round"
    done
  done
done >>"$out"
