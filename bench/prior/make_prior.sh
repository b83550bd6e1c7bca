#!/usr/bin/env bash
# Builds data/schedule_prior.jsonl.gz, the records `tessel tune --prior` warm-starts cost models
# from: every record of the given `tessel export` files (gzipped or not), merged and deduplicated
# by `tessel import` (a record is its run and sequence number), exported again and gzipped.
#
#   bench/prior/make_prior.sh OUT.jsonl.gz EXPORT...
#
# The committed prior was made from the channels-last and NCHW records committed in
# bench/networks/results (see data/README.md for the command).
set -euo pipefail
tessel=${TESSEL:-build/tessel}
out=${1:?give the output file}
shift
[[ $# -gt 0 ]] || { echo "$0: give the export files to merge" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for file in "$@"; do
  if [[ $file == *.gz ]]; then zcat "$file" >"$work/in.jsonl"; else cp "$file" "$work/in.jsonl"; fi
  "$tessel" import "$work/in.jsonl" --db "$work/prior.db"
done
"$tessel" export --db "$work/prior.db" | gzip -9 >"$out"
echo "$out: $(zcat "$out" | wc -l) records" >&2
