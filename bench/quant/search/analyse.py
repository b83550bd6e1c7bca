#!/usr/bin/env python3
"""The strategy comparison on a quant task.

    bench/quant/search/analyse.py RUNS.jsonl OUT_DIR [--table TABLE.csv]

RUNS holds `tessel tune --problem quant --json` lines (run.sh writes them), one per tuner and
seed, each with its best feasible value after every evaluation (`curve`). TABLE is the
exhaustive table of the same task (bench/quant/exhaustive/front.py writes it): with it the
target is the true optimum (the least objective among configurations within the accuracy-loss
limit) and each result is also placed against the accuracy/energy Pareto front; without it the
target is the best any run found. Per tuner, over seeds:
  - the best value after 25, 50 and all evaluations, as a ratio to the target (median, range);
  - evaluations to reach the target (median; "-" when half the seeds or more never do);
  - with TABLE: how far the chosen configuration's accuracy lies below the front at its energy
    (points, median and worst), and its average bits;
  - the strategy's own seconds (fit + search: evaluations came from the records).
Writes OUT_DIR/README-table.md and OUT_DIR/curves.svg (median best-so-far over the target).
Only the standard library.
"""
import argparse
import csv
import json
import os
import statistics
import sys

COLOURS = {"releq": "#d62728", "random": "#888888", "ga": "#2ca02c", "autotvm": "#1f77b4",
           "release": "#9467bd", "bted-bao": "#8c564b", "sa-as": "#17becf", "rl": "#bcbd22",
           "bted": "#e377c2"}


def load_runs(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def load_table(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for key in row:
            row[key] = float(row[key])
    return rows


def bits_of(config):
    return tuple(config[k] for k in sorted(config, key=lambda k: int(k.split(".")[1])))


def front_accuracy(table, objective, value):
    """The best accuracy of any configuration whose objective is at most `value`."""
    return max(r["accuracy"] for r in table if r[objective] <= value + 1e-12)


def first_reaching(curve, target):
    for index, value in enumerate(curve):
        if value is not None and value <= target * (1 + 1e-9):
            return index + 1
    return None


def median_range(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}-{fmt(max(values))})"


def at(curve, n):
    if not curve:
        return None
    return curve[min(n, len(curve)) - 1]


def svg(per_tuner, target, trials, path):
    width, height, pad = 640, 400, 60
    ymax = 1.0
    for curves in per_tuner.values():
        for curve in curves:
            for v in curve:
                if v is not None:
                    ymax = max(ymax, v / target)
    ymax = min(ymax, 2.5)
    sx = lambda i: pad + (i - 1) / max(trials - 1, 1) * (width - 2 * pad)
    sy = lambda r: height - pad - (min(r, ymax) - 1) / (ymax - 1 or 1) * (height - 2 * pad)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<line x1="{pad}" y1="{sy(1)}" x2="{width - pad}" y2="{sy(1)}" stroke="#ccc"/>']
    for n, (tuner, curves) in enumerate(sorted(per_tuner.items())):
        points = []
        for i in range(1, trials + 1):
            values = [at(c, i) for c in curves]
            values = [v / target if v is not None else ymax for v in values]
            points.append(f"{sx(i):.1f},{sy(statistics.median(values)):.1f}")
        colour = COLOURS.get(tuner, "#000")
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                   'stroke-width="2"/>')
        out.append(f'<text x="{width - pad + 5}" y="{pad + 15 * n}" fill="{colour}">{tuner}</text>')
    out.append(f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">evaluations</text>')
    out.append(f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" '
               'text-anchor="middle">median best / optimum</text>')
    out.append(f'<text x="{pad - 5}" y="{sy(1)}" text-anchor="end">1</text>')
    out.append(f'<text x="{pad - 5}" y="{sy(ymax)}" text-anchor="end">{ymax:.2f}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs")
    parser.add_argument("out_dir")
    parser.add_argument("--table")
    args = parser.parse_args()
    runs = load_runs(args.runs)
    if not runs:
        sys.exit("analyse.py: no runs")
    objective = runs[0]["objective"]
    limit = float(runs[0]["constraints"][0].split("<=")[1]) if runs[0].get("constraints") else None
    table = load_table(args.table) if args.table else None
    if table:
        feasible = [r for r in table if limit is None or r["accuracy_loss"] <= limit]
        target = min(r[objective] for r in feasible)
        source = f"the optimum of {len(table)} configurations"
    else:
        target = min(r["best_value"] for r in runs if r["best_value"] is not None)
        source = "the best any run found"
    trials = max(len(r["curve"]) for r in runs)
    per_tuner = {}
    for run in runs:
        per_tuner.setdefault(run["tuner"], []).append(run)
    lines = [f"Objective `{objective}`" + (f" under accuracy_loss <= {limit:g}" if limit else "") +
             f"; target {target:.6g} ({source}); {trials} evaluations per run.", "",
             "| tuner | seeds | best/target after 25 | after 50 | after all | reached (seeds) | "
             "evaluations to reach | front gap (points) | avg bits | strategy s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ratio = lambda v: f"{v:.3f}"
    for tuner, tuner_runs in sorted(per_tuner.items()):
        curves = [r["curve"] for r in tuner_runs]
        reach = [first_reaching(c, target) for c in curves]
        reached = [r for r in reach if r is not None]
        padded = sorted(r if r is not None else float("inf") for r in reach)
        median_reach = statistics.median(padded)
        gaps, bits = [], []
        for run in tuner_runs:
            if not run.get("best_config"):
                continue
            bits.append(run["best_metrics"]["avg_bits"])
            if table:
                gaps.append(100 * (front_accuracy(table, objective, run["best_value"]) -
                                   run["best_metrics"]["accuracy"]))
        seconds = [r["seconds"]["fit"] + r["seconds"]["search"] for r in tuner_runs]
        lines.append(
            f"| {tuner} | {len(tuner_runs)} | "
            f"{median_range([at(c, 25) / target if at(c, 25) else None for c in curves], ratio)} | "
            f"{median_range([at(c, 50) / target if at(c, 50) else None for c in curves], ratio)} | "
            f"{median_range([c[-1] / target if c[-1] else None for c in curves], ratio)} | "
            f"{len(reached)}/{len(reach)} | "
            f"{'-' if median_reach == float('inf') else int(median_reach)} | "
            f"{median_range(gaps, lambda v: f'{v:.2f}') if table else '-'} | "
            f"{median_range(bits, lambda v: f'{v:.2f}')} | "
            f"{median_range(seconds, lambda v: f'{v:.1f}')} |")
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "README-table.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    svg({t: [r["curve"] for r in rs] for t, rs in per_tuner.items()}, target, trials,
        os.path.join(args.out_dir, "curves.svg"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
