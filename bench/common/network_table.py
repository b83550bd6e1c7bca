#!/usr/bin/env python3
"""The whole-network figure from bench/release/network_ablation.sh's JSON lines: Markdown on stdout.

    bench/common/network_table.py RUNS.jsonl [--baseline autotvm] [--tessel PATH]

Per model, tuner and seed: the tasks tuned, the summed optimization (wall) time over the tasks,
and the network's summed best layer time (each task's best time times how often the network
runs it, from `tessel zoo MODEL`); then the ratios to the baseline's run of the same seed
(> 1: the tuner took less time, or its kernels are faster), medians over seeds.
"""
import argparse
import collections
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_curves import load_runs, run_label  # noqa: E402


# The zoo's task label prefixes.
MODELS = {"alex": "alexnet", "vgg": "vgg16", "r18": "resnet18", "mb1": "mobilenet_v1",
          "sq": "squeezenet_v1.1"}


def occurrences(tessel, model, op=None):
    """Task label -> how often the model runs it (only tasks of operator `op` when given)."""
    try:
        text = subprocess.run([tessel, "zoo", model], check=True, capture_output=True,
                              text=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        # A table script run from another folder misses the relative default build/tessel.
        print(f"cannot list {model}'s tasks with {tessel} zoo ({error}); build tessel or give "
              "its path with --tessel", file=sys.stderr)
        sys.exit(2)
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^\s+(\S+)\s+x(\d+)\s+\S+ GFLOP\s+(\w+):", text, re.MULTILINE)
            if op is None or m.group(3) == op}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    parser.add_argument("--baseline", default="autotvm")
    parser.add_argument("--tessel", default="build/tessel")
    args = parser.parse_args()
    runs = load_runs(args.runs, "network_table")
    if runs is None:
        return 2
    # model -> tuner -> seed -> task -> run (a later line for the same task replaces an earlier)
    table = collections.defaultdict(lambda: collections.defaultdict(
        lambda: collections.defaultdict(dict)))
    for run in runs:
        model = MODELS.get(run["task"].split(".")[0])
        if model is None:
            continue
        table[model][run_label(run)][run["seed"]][run["task"]] = run

    print("| network | tuner | seeds | tasks | optimization time, s | ratio | network time "
          "(summed best layers), ms | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for model, tuners in table.items():
        counts = occurrences(args.tessel, model)
        summary = {}
        for tuner, seeds in tuners.items():
            per_seed = {}
            for seed, tasks in seeds.items():
                wall = sum(r["seconds"]["wall"] for r in tasks.values())
                network = sum(counts.get(t, 1) * r["best_time_ms"] for t, r in tasks.items()
                              if r["best_time_ms"] is not None)
                per_seed[seed] = (len(tasks), wall, network)
            summary[tuner] = per_seed
        base = summary.get(args.baseline, {})
        for tuner, per_seed in sorted(summary.items(), key=lambda kv: (kv[0] != args.baseline,
                                                                       kv[0])):
            tasks = max(n for n, _, _ in per_seed.values())
            wall = statistics.median(w for _, w, _ in per_seed.values())
            network = statistics.median(t for _, _, t in per_seed.values())
            paired = [s for s in per_seed if s in base and base[s][0] == per_seed[s][0]]
            wall_ratio = (statistics.median(base[s][1] / per_seed[s][1] for s in paired)
                          if paired else float("nan"))
            time_ratio = (statistics.median(base[s][2] / per_seed[s][2] for s in paired)
                          if paired else float("nan"))
            print(f"| {model} | {tuner} | {len(per_seed)} | {tasks} | {wall:.0f} | "
                  f"{wall_ratio:.2f}x | {network:.2f} | {time_ratio:.3f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
