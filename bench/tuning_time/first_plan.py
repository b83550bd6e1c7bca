#!/usr/bin/env python3
"""The table of first_plan.sh's runs: per model and arm, the network's layer sum with every
task at the best of its default schedule and its first 8 measurements, as a share of the
layer sum of the defaults measured in the same run; the median over seeds, then each seed.

    bench/tuning_time/first_plan.py OUT_DIR
"""
import glob
import json
import os
import re
import statistics
import sys

from curves import zoo_weights


def share_of_defaults(path, weights):
    tuned = defaults = 0.0
    for line in open(path):
        task = json.loads(line)
        weight = weights[task["workload"]]
        best = min([v for v in task["curve"] if v is not None] + [task["default_value"]])
        tuned += weight * best
        defaults += weight * task["default_value"]
    return tuned / defaults, tuned


def main():
    out = sys.argv[1]
    tessel = os.environ.get("TESSEL", "build/tessel")
    runs = {}
    for path in glob.glob(os.path.join(out, "*.s*.jsonl")):
        name = re.match(r"(.+?)\.([\w-]+)\.s(\d+)\.jsonl$", os.path.basename(path))
        model, arm, seed = name.groups()
        runs.setdefault((model, arm), {})[int(seed)] = path
    print("| model | first plan | best of 8 / default, median | per seed | layer sum (ms), median |")
    print("|---|---|---:|---|---:|")
    for model, arm in sorted(runs, key=lambda k: (k[0], k[1] != "search")):
        weights = zoo_weights(tessel, model)
        seeds = sorted(runs[(model, arm)])
        shares = [share_of_defaults(runs[(model, arm)][s], weights) for s in seeds]
        per_seed = ", ".join(f"{share:.3f}" for share, _ in shares)
        print(f"| {model} | {arm} | {statistics.median(s for s, _ in shares):.3f} | {per_seed} | "
              f"{statistics.median(t for _, t in shares):.2f} |")


if __name__ == "__main__":
    main()
