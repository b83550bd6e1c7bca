#!/usr/bin/env bash
# Writes replay tables (`tessel export --format csv`) of measured tasks into bench/spaces/,
# gzipped, and prints one Markdown row per table (rows, failures, best time).
#
#   bench/spaces/build_replay_suite.sh DB NAME=WORKLOAD [NAME=WORKLOAD ...]
#
# Each table holds every configuration the database measured for the task, at its median
# time. Tune one with `zcat bench/spaces/NAME.csv.gz > /tmp/NAME.csv &&
# tessel tune --space /tmp/NAME.csv ...`.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 DB NAME=WORKLOAD..." >&2
  exit 2
fi
db=$1
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tessel=${TESSEL:-$root/build/tessel}
mkdir -p "$root/bench/spaces"
for pair in "$@"; do
  name=${pair%%=*} workload=${pair#*=}
  csv=$(mktemp)
  "$tessel" export --db "$db" --format csv --task "$workload" >"$csv"
  gzip -9n <"$csv" >"$root/bench/spaces/$name.csv.gz"
  awk -F, -v name="$name" -v workload="$workload" '
    NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "time_ms") col = i; next }
    { rows++; t = $col
      if (t == "" || t == "nan" || t == "inf") failed++
      else if (best == "" || t + 0 < best) best = t + 0 }
    END { printf "| %s | %s | %d | %d | %.4f |\n", name, workload, rows, failed, best }' "$csv"
  rm -f "$csv"
done
