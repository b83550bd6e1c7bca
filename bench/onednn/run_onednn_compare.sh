#!/usr/bin/env bash
# Builds onednn_compare and runs it on 1 and 2 threads, appending both reports to OUTPUT
# (the per-layer progress lines go to stderr only).
#
#   bench/onednn/run_onednn_compare.sh OUTPUT [onednn_compare options: --db PATH --models ... ]
#
# Run it on an otherwise idle machine: the two threads are the whole machine.
set -euo pipefail

if [[ $# -lt 1 || $1 == -* ]]; then
  echo "usage: $0 OUTPUT [--db PATH] [--models resnet18,vgg16,alexnet] [--min-time-ms 200]" >&2
  exit 2
fi
output=$1
shift

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cmake -S "$root" -B "$root/build" -DTESSEL_BUILD_BENCH=ON
cmake --build "$root/build" -j2 --target onednn_compare

for threads in 1 2; do
  "$root/build/onednn_compare" --threads "$threads" "$@" | tee -a "$output"
  echo | tee -a "$output"
done
