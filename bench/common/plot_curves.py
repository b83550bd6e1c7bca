#!/usr/bin/env python3
"""Tuning curves from `tessel tune --json` lines: Markdown tables on stdout, one SVG per task.

    bench/common/plot_curves.py CURVES.jsonl OUT_DIR [--baseline random] [--tuner autotvm]

Each JSON line is one run (task, tuner, seed, curve of best time after each measurement,
seconds). Per task and tuner, over seeds: the median and the range of the best GFLOP/s (or,
for replay tables without a FLOP count, of 1/best time) after each measurement. The tables
give the final best, the measurements `--tuner` needed to reach the `--baseline` run's final
best of the same seed (median over seeds), and where the wall time went.
Only the standard library: the plots are written as SVG by hand.
"""
import argparse
import collections
import gzip
import json
import math
import os
import re
import statistics
import sys

from band_chart import write_band_chart

COLOURS = {"random": "#888888", "autotvm": "#d62728", "release": "#1f77b4", "rl": "#2ca02c",
           "sa-as": "#9467bd", "bted": "#ff7f0e", "bted-bao": "#8c564b"}


def load_runs(path, tool):
    """The JSON lines of `tessel tune --json` in `path` (gzipped when it ends in .gz); None (after
    a one-line error on stderr naming `tool`) when the file cannot be read."""
    try:
        with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError, EOFError) as e:  # EOFError: a truncated .gz
        print(f"{tool}: cannot read {path}: {e}", file=sys.stderr)
        return None


def load_all_runs(paths, tool):
    """The runs of every file in `paths`, in order; None when one cannot be read."""
    runs = []
    for path in paths:
        loaded = load_runs(path, tool)
        if loaded is None:
            return None
        runs += loaded
    return runs


def run_label(run):
    """A run's row in the tables: its tuner, and the options it changed (--ppo, --sampling)."""
    return run["tuner"] + (f" [{run['variant']}]" if run.get("variant") else "")


def conv_flops(workload):
    """2 x multiply-adds of a conv2d workload spec; None for anything else."""
    if not workload.startswith("conv2d:"):
        return None
    fields = dict(item.split("=") for item in workload[len("conv2d:"):].split(","))
    v = {k: int(x) for k, x in fields.items()}
    n, c, h, w, k, r, s = (v.get("n", 1), v["c"], v["h"], v["w"], v["k"], v["r"], v["s"])
    stride, pad, groups = v.get("stride", 1), v.get("pad", 0), v.get("groups", 1)
    oh = (h + 2 * pad - r) // stride + 1
    ow = (w + 2 * pad - s) // stride + 1
    return 2.0 * n * k * oh * ow * (c // groups) * r * s


def speed_curve(run):
    """Best speed after each measurement: GFLOP/s when the FLOPs are known, else 1/ms."""
    flops = conv_flops(run["workload"])
    out = []
    for t in run["curve"]:
        if t is None:
            out.append(0.0)
        else:
            out.append(flops / t / 1e6 if flops else 1.0 / t)
    return out, ("GFLOP/s" if flops else "1/ms")


def svg_plot(path, title, unit, series):
    """series: {tuner: (median list, low list, high list)}, one value per measurement."""
    length = max(len(m) for m, _, _ in series.values())
    peak = max(max(h) for _, _, h in series.values()) * 1.05 or 1.0
    write_band_chart(path, title,
                     {tuner: (range(len(m)), m, lo, hi) for tuner, (m, lo, hi) in series.items()},
                     COLOURS, "measurements", f"best {unit}", max(1, length - 1), 0.0, peak,
                     legend="bottom")


def reach_text(runs, baseline_runs, share):
    """Measurements each run needed to reach `share` of the final best of the baseline's run with
    the same seed: a table cell (median, its share of the baseline's budget, per seed) and that share."""
    needed = []
    for seed, run in sorted(runs.items()):
        base = baseline_runs.get(seed)
        if base is None:
            continue
        target = min(t for t in base["curve"] if t is not None) / share
        hit = next((i + 1 for i, t in enumerate(run["curve"]) if t is not None and t <= target),
                   None)
        needed.append((hit, len(base["curve"]), len(run["curve"])))
    if not needed:
        return "", math.inf
    shown = [str(h) if h else f">{length}" for h, _, length in needed]
    med = statistics.median(h if h else math.inf for h, _, _ in needed)
    fraction = med / needed[0][1]
    text = (f"{med:.0f} of {needed[0][1]} ({fraction:.2f}); " if math.isfinite(med)
            else "not reached; ") + ", ".join(shown)
    return text, fraction


def print_time_table(by_task):
    """Where each task's and tuner's wall time went, medians over seeds, as a Markdown table.
    by_task: {task: {tuner: {seed: run}}}"""
    print("\nWhere the wall time went (seconds, median over seeds):\n")
    print("| task | tuner | wall | compile | run | model fit | search | fit+search share |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for task, tuners in by_task.items():
        for tuner, seeds in sorted(tuners.items()):
            parts = {k: statistics.median(r["seconds"][k] for r in seeds.values())
                     for k in ("wall", "compile", "run", "fit", "search")}
            share = (parts["fit"] + parts["search"]) / parts["wall"] if parts["wall"] else 0
            print(f"| {task} | {tuner} | {parts['wall']:.1f} | {parts['compile']:.1f} | "
                  f"{parts['run']:.1f} | {parts['fit']:.1f} | {parts['search']:.1f} | "
                  f"{100 * share:.1f}% |")
    # Over every run of a tuner: the share of all its wall time that fitting and search took.
    totals = {}
    for tuners in by_task.values():
        for tuner, seeds in tuners.items():
            total = totals.setdefault(tuner, {"wall": 0.0, "own": 0.0, "runs": 0})
            for run in seeds.values():
                total["wall"] += run["seconds"]["wall"]
                total["own"] += run["seconds"]["fit"] + run["seconds"]["search"]
                total["runs"] += 1
    print("\nOver all runs: the share of wall time spent fitting models and searching:\n")
    print("| tuner | runs | wall, s | fit+search, s | share |")
    print("|---|---:|---:|---:|---:|")
    for tuner, total in sorted(totals.items()):
        share = total["own"] / total["wall"] if total["wall"] else 0
        print(f"| {tuner} | {total['runs']} | {total['wall']:.0f} | {total['own']:.0f} | "
              f"{100 * share:.1f}% |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("curves")
    parser.add_argument("out_dir")
    parser.add_argument("--baseline", default="random")
    parser.add_argument("--tuner", default="autotvm")
    args = parser.parse_args()
    runs = load_runs(args.curves, "plot_curves")
    if runs is None:
        return 2
    os.makedirs(args.out_dir, exist_ok=True)

    by_task = collections.OrderedDict()
    for run in runs:
        by_task.setdefault(run["task"], collections.defaultdict(dict))[run["tuner"]][
            run["seed"]] = run

    print(f"| task | tuner | seeds | final best, median (range) | measurements to reach "
          f"{args.baseline}'s final best, median (per seed) | ... to reach 95% of it |")
    print("|---|---|---:|---|---|---|")
    reach_fractions = {1.0: [], 0.95: []}
    for task, tuners in by_task.items():
        series = {}
        unit = "GFLOP/s"
        for tuner, seeds in sorted(tuners.items()):
            curves = []
            for seed in sorted(seeds):
                curve, unit = speed_curve(seeds[seed])
                curves.append(curve)
            length = min(len(c) for c in curves)
            median = [statistics.median(c[i] for c in curves) for i in range(length)]
            low = [min(c[i] for c in curves) for i in range(length)]
            high = [max(c[i] for c in curves) for i in range(length)]
            series[tuner] = (median, low, high)
            finals = [c[length - 1] for c in curves]
            reach = {1.0: "", 0.95: ""}
            if tuner == args.tuner and args.baseline in tuners:
                for share in reach:
                    text, fraction = reach_text(seeds, tuners[args.baseline], share)
                    reach[share] = text
                    reach_fractions[share].append(fraction)
            print(f"| {task} | {tuner} | {len(curves)} | {statistics.median(finals):.1f} "
                  f"({min(finals):.1f}-{max(finals):.1f}) {unit} | {reach[1.0]} | {reach[0.95]} |")
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", task)
        svg_plot(os.path.join(args.out_dir, f"curve_{name}.svg"), f"{task}: best {unit}", unit,
                 series)
    for share, fractions in reach_fractions.items():
        if fractions:
            what = f"{args.baseline}'s final best" if share == 1.0 else \
                f"{share:.0%} of {args.baseline}'s final best"
            print(f"\nMeasurements {args.tuner} needed to reach {what}, as a share of "
                  f"{args.baseline}'s budget: median over tasks {statistics.median(fractions):.2f} "
                  f"(per task: {', '.join(f'{f:.2f}' for f in fractions)}).")

    print_time_table(by_task)
    return 0


if __name__ == "__main__":
    sys.exit(main())
