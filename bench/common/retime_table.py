#!/usr/bin/env python3
"""Each tuning run's best kernels re-timed against oneDNN (bench/common/compare_runs_onednn.sh's
reports): per layer and tuner, Tessel's time over oneDNN's from paired rounds, median over
seeds; then, per tuner, the geometric mean over layers and its ratio to the baseline's
(< 1: the tuner's kernels are faster than the baseline's). Markdown on stdout.

    bench/common/retime_table.py REPORTS.md [--baseline autotvm]

Pairing each kernel with oneDNN in interleaved rounds cancels most of this machine's slow
stretches, which the times recorded during tuning do not (bench/autotvm/README.md).
"""
import argparse
import collections
import math
import re
import statistics
import sys


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports")
    parser.add_argument("--baseline", default="autotvm")
    args = parser.parse_args()
    try:
        text = open(args.reports).read()
    except OSError as e:
        print(f"retime_table: cannot read {args.reports}: {e}", file=sys.stderr)
        return 2
    # layer -> tuner -> seed -> Tessel/oneDNN (time ratio: oneDNN's time / Tessel's in the report)
    ratios = collections.defaultdict(lambda: collections.defaultdict(dict))
    tuner = seed = None
    for line in text.splitlines():
        head = re.match(r"### (\S+), seed (\d+)", line)
        if head:
            tuner, seed = head.group(1), int(head.group(2))
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if tuner is None or len(cells) != 10 or cells[0] in ("layer", "geomean"):
            continue
        if cells[-1] in ("-", "") or cells[0].startswith("---"):
            continue
        # The report's last column is oneDNN's time over Tessel's (speed relative to oneDNN).
        ratios[cells[0]][tuner][seed] = 1 / float(cells[-1])
    if not ratios:
        print(f"retime_table: no re-timed layers in {args.reports}", file=sys.stderr)
        return 2
    tuners = sorted({t for by_tuner in ratios.values() for t in by_tuner},
                    key=lambda t: (t != args.baseline, t))
    print("Re-timed best kernel, Tessel time / oneDNN time (median over seeds; seeds in "
          "brackets):\n")
    print("| layer | " + " | ".join(tuners) + " |")
    print("|---|" + "---:|" * len(tuners))
    per_tuner = collections.defaultdict(list)
    relative = collections.defaultdict(list)
    for layer, by_tuner in ratios.items():
        row = []
        for t in tuners:
            seeds = by_tuner.get(t, {})
            if not seeds:
                row.append("-")
                continue
            value = statistics.median(seeds.values())
            per_tuner[t].append(value)
            row.append(f"{value:.3f} ({len(seeds)})")
            base = by_tuner.get(args.baseline, {})
            paired = [seeds[s] / base[s] for s in seeds if s in base]
            if paired:
                relative[t].append(statistics.median(paired))
        print(f"| {layer} | " + " | ".join(row) + " |")
    print(f"\nGeometric mean over layers: time / oneDNN's, and time / {args.baseline}'s "
          "(paired by seed; < 1: faster kernels than the baseline's):\n")
    print(f"| tuner | layers | time / oneDNN | time / {args.baseline} |")
    print("|---|---:|---:|---:|")
    for t in tuners:
        print(f"| {t} | {len(per_tuner[t])} | {geomean(per_tuner[t]):.3f} | "
              f"{geomean(relative[t]):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
