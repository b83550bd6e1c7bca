#!/usr/bin/env python3
"""Fraction of each replay table's optimum reached after N measurements, from the JSON lines of
bench/common/replay_curves.sh: one row per tuner (and variant), the mean over seeds per table,
the mean over tables, and that mean's standard error across seeds.

    bench/tuning_time/replay_table.py N RUNS.jsonl[.gz]...
"""
import collections
import glob
import gzip
import json
import os
import statistics
import sys

SPACES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "spaces")


def optimum(path):
    best = float("inf")
    for row in gzip.open(path, "rt").read().splitlines()[1:]:
        try:
            value = float(row.rsplit(",", 1)[1])
        except ValueError:
            continue  # a failed configuration
        if value > 0:
            best = min(best, value)
    return best


def main():
    n = int(sys.argv[1])
    optima = {os.path.basename(p)[:-len(".csv.gz")]: optimum(p)
              for p in glob.glob(os.path.join(SPACES, "*.csv.gz"))}
    fractions = collections.defaultdict(lambda: collections.defaultdict(list))
    by_seed = collections.defaultdict(lambda: collections.defaultdict(list))
    for path in sys.argv[2:]:
        for line in (gzip.open(path, "rt") if path.endswith(".gz") else open(path)):
            run = json.loads(line)
            table = run["task"][:-len(".csv")]
            name = run["tuner"] + (f" ({run['variant']})" if run.get("variant") else "")
            fractions[name][table].append(optima[table] / run["curve"][n - 1])
            by_seed[name][run["seed"]].append(optima[table] / run["curve"][n - 1])
    tables = sorted(optima)
    print(f"| tuner | mean | its standard error | {' | '.join(tables)} |")
    print("|---|---:|---:|" + "---:|" * len(tables))
    for name, per_table in sorted(fractions.items(),
                                  key=lambda item: -statistics.mean(
                                      statistics.mean(v) for v in item[1].values())):
        means = [statistics.mean(per_table[t]) for t in tables]
        # Each seed's mean over the tables, and how much those means vary.
        seed_means = [statistics.mean(v) for v in by_seed[name].values()]
        error = statistics.stdev(seed_means) / len(seed_means) ** 0.5
        print(f"| {name} | {statistics.mean(means):.3f} | {error:.3f} | "
              + " | ".join(f"{m:.3f}" for m in means) + " |")


if __name__ == "__main__":
    main()
