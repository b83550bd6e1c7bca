#!/usr/bin/env python3
"""Best time at checkpoints of a run, against a baseline, from `tessel tune --json` lines:
Markdown on stdout.

    bench/bted/checkpoint_table.py RUNS.jsonl... [--baseline autotvm] [--at 64,100,200]

For every run label (the tuner, with a variant's options in brackets) and checkpoint N: the
best time after N measurements, averaged over seeds, divided by the baseline's average on the
same task, as a geometric mean over tasks (< 1: faster kernels found by then); and the spread
across seeds, as the mean over tasks of the coefficient of variation (standard deviation over
mean) of the best times. Only tasks every label ran are counted.
"""
import argparse
import collections
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from plot_curves import load_all_runs, run_label  # noqa: E402


def best_after(curve, count):
    values = [v for v in curve[:count] if v is not None]
    return min(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--baseline", default="autotvm")
    parser.add_argument("--at", default="64,100,200", help="comma-separated measurement counts")
    args = parser.parse_args()
    runs = load_all_runs(args.runs, "checkpoint_table")
    if runs is None:
        return 2
    try:
        checkpoints = [int(n) for n in args.at.split(",")]
    except ValueError:
        print(f"checkpoint_table: --at needs whole numbers, got '{args.at}'", file=sys.stderr)
        return 2
    # label -> task -> seed -> curve
    curves = collections.defaultdict(lambda: collections.defaultdict(dict))
    for run in runs:
        curves[run_label(run)][run["task"]][run["seed"]] = run["curve"]
    if args.baseline not in curves:
        print(f"checkpoint_table: no {args.baseline} runs to compare with", file=sys.stderr)
        return 2
    tasks = sorted(set.intersection(*(set(by_task) for by_task in curves.values())))
    labels = sorted(curves, key=lambda label: (label != args.baseline, label))
    print(f"{len(tasks)} tasks: {', '.join(tasks)}; seeds per label and task: "
          f"{min(len(s) for by_task in curves.values() for s in by_task.values())} or more.\n")
    head = "| run |" + "".join(f" best after {n}, vs {args.baseline} | spread after {n} |"
                               for n in checkpoints)
    print(head)
    print("|---|" + "---:|---:|" * len(checkpoints))
    for label in labels:
        line = f"| {label} |"
        for n in checkpoints:
            ratios, spreads = [], []
            for task in tasks:
                mine = [best_after(c, n) for c in curves[label][task].values()]
                base = [best_after(c, n) for c in curves[args.baseline][task].values()]
                mine = [v for v in mine if v is not None]
                base = [v for v in base if v is not None]
                if not mine or not base:
                    continue
                ratios.append(statistics.mean(mine) / statistics.mean(base))
                spreads.append(statistics.pstdev(mine) / statistics.mean(mine))
            geomean = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else math.nan
            spread = statistics.mean(spreads) if spreads else math.nan
            line += f" {geomean:.4f} | {100 * spread:.2f}% |"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
