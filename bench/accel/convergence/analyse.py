#!/usr/bin/env python3
"""The convergence comparison of ConfuciuX's search with the engine's other strategies.

    bench/accel/convergence/analyse.py RUNS.jsonl[.gz] OUT_DIR [--within 0.01]

RUNS holds `tessel tune --problem accel --json` lines (run.sh writes them): one per network,
objective, budget, tuner and seed, each with the best feasible value after every evaluation.
Per case (network, dataflow, objective, budget) the target is the best feasible value any run
of any tuner found, and per tuner, over seeds:
  - evaluations to reach within --within of the target (median over seeds; a seed that never
    reaches it counts as not reaching, and the median is "-" when half or more never do);
  - the best feasible value after all evaluations, as a ratio to the target (median, range).
Writes OUT_DIR/README-table.md (Markdown) and OUT_DIR/<case>.svg (median best-so-far curves,
relative to the target, log scale). Only the standard library.
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

COLOURS = {"confuciux": "#d62728", "reinforce": "#ff7f0e", "ga": "#2ca02c", "random": "#888888",
           "autotvm": "#1f77b4", "release": "#9467bd", "bted-bao": "#8c564b", "sa-as": "#17becf",
           "bted": "#e377c2", "rl": "#bcbd22", "grid": "#7f7f7f"}


def load(path):
    try:
        with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError, EOFError) as e:
        sys.exit(f"analyse.py: cannot read {path}: {e}")


def case_of(run):
    """(net, dataflow, objective, budget metric) of a run, from its instance and constraints."""
    fields = dict(item.split("=", 1) for item in run["workload"].split(","))
    budget = "none"
    for constraint in run.get("constraints", []):
        budget = re.split(r"<=", constraint)[0]
    return (fields["net"], fields["dataflow"], fields["objective"], budget)


def first_reaching(curve, target):
    """1-based index of the first evaluation whose best-so-far is within target, else None."""
    for index, value in enumerate(curve):
        if value is not None and value <= target:
            return index + 1
    return None


def median_or_dash(values, total):
    """The median of `values` over `total` seeds, a seed that never reached counting as
    infinitely many evaluations; None when that median is infinite."""
    padded = sorted(v if v is not None else math.inf for v in values)
    padded += [math.inf] * (total - len(padded))
    middle = statistics.median(padded)
    return None if math.isinf(middle) else middle


def svg_curves(path, title, curves_by_tuner, target):
    """Median best-so-far / target per tuner against evaluations (log-log)."""
    width, height, left, right, top, bottom = 640, 400, 60, 130, 30, 45
    longest = max(len(c) for c in curves_by_tuner.values())
    ratios = [v for c in curves_by_tuner.values() for v in c if v is not None]
    high = max(ratios) if ratios else 2
    high = max(high, 1.02)
    y_low, y_high = 0.0, math.log10(high)

    def x_of(n):
        return left + (width - left - right) * math.log10(n) / math.log10(max(longest, 2))

    def y_of(ratio):
        return top + (height - top - bottom) * (1 - (math.log10(ratio) - y_low) / (y_high - y_low))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="18" font-size="13">{title}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
           'stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>']
    for n in [1, 10, 100, 1000, 10000]:
        if n <= longest:
            out.append(f'<text x="{x_of(n):.1f}" y="{height - bottom + 15}" '
                       f'text-anchor="middle">{n}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 8}" '
               'text-anchor="middle">evaluations</text>')
    for ratio in [1, 1.01, 1.1, 1.5, 2, 3, 5, 10, 100]:
        if ratio <= high:
            y = y_of(ratio)
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                       'stroke="#ddd"/>')
            out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{ratio:g}</text>')
    out.append(f'<text x="12" y="{top + 10}" transform="rotate(-90 12,{top + 60})">'
               'best / best of all</text>')
    for row, (tuner, curve) in enumerate(sorted(curves_by_tuner.items())):
        colour = COLOURS.get(tuner, "#000")
        points = [f"{x_of(i + 1):.1f},{y_of(max(v, 1.0)):.1f}"
                  for i, v in enumerate(curve) if v is not None]
        if points:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                       f'points="{" ".join(points)}"/>')
        y = top + 14 * row
        out.append(f'<line x1="{width - right + 8}" y1="{y}" x2="{width - right + 24}" y2="{y}" '
                   f'stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 28}" y="{y + 4}">{tuner}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    parser.add_argument("out_dir")
    parser.add_argument("--within", type=float, default=0.01)
    args = parser.parse_args()
    runs = load(args.runs)
    os.makedirs(args.out_dir, exist_ok=True)
    cases = collections.defaultdict(lambda: collections.defaultdict(list))
    for run in runs:
        cases[case_of(run)][run["tuner"]].append(run)

    lines = [f"Evaluations to reach within {args.within:.0%} of the best feasible value any "
             "tuner found (median over seeds; `-`: half or more of the seeds never did; "
             "reached/seeds in brackets), and the best feasible value after all evaluations "
             "over that target (median, min-max over seeds).", ""]
    summary = collections.defaultdict(list)  # tuner -> per-case evaluations to reach
    for case in sorted(cases):
        tuners = cases[case]
        finals = [r["curve"][-1] for rs in tuners.values() for r in rs
                  if r["curve"] and r["curve"][-1] is not None]
        if not finals:
            continue
        target = min(finals)
        threshold = target * (1 + args.within)
        name = "-".join(case)
        lines += [f"### {case[0]}, {case[1]}, {case[2]}, budget on {case[3]} "
                  f"(best {target:.6g})", "",
                  "| tuner | evaluations to reach | best after all / best of all |",
                  "|---|---:|---:|"]
        medians = {}
        for tuner in sorted(tuners):
            rs = tuners[tuner]
            reach = [first_reaching(r["curve"], threshold) for r in rs]
            middle = median_or_dash(reach, len(rs))
            summary[tuner].append(middle)
            got = sum(v is not None for v in reach)
            final = sorted((r["curve"][-1] / target) if r["curve"] and r["curve"][-1] is not None
                           else math.inf for r in rs)
            final_text = (f"{statistics.median(final):.4f} ({final[0]:.4f}-{final[-1]:.4f})"
                          if all(math.isfinite(v) for v in final)
                          else f"{statistics.median(final):.4f} (some runs found nothing feasible)")
            lines.append(f"| {tuner} | {'-' if middle is None else f'{middle:.0f}'} "
                         f"({got}/{len(rs)}) | {final_text} |")
            length = max(len(r["curve"]) for r in rs)
            curve = []
            for i in range(length):
                values = [r["curve"][i] / target for r in rs
                          if i < len(r["curve"]) and r["curve"][i] is not None]
                curve.append(statistics.median(values) if len(values) * 2 > len(rs) else None)
            medians[tuner] = curve
        svg_curves(os.path.join(args.out_dir, f"{name}.svg"),
                   f"{case[0]} {case[1]} {case[2]}, {case[3]} budget", medians, target)
        lines += ["", f"![{name}]({name}.svg)", ""]

    # Head to head with ConfuciuX: per case, whose median reached the target in fewer
    # evaluations (never reaching counts as infinitely many).
    def as_number(value):
        return math.inf if value is None else value

    if "confuciux" in summary:
        lines += ["### ConfuciuX head to head", "",
                  "Cases where `confuciux` reached within the target in fewer evaluations "
                  "(median over seeds) than the other tuner, in more, or where neither did.", "",
                  "| against | confuciux faster | confuciux slower | tie | neither reached |",
                  "|---|---:|---:|---:|---:|"]
        ours = summary["confuciux"]
        for tuner in sorted(summary):
            if tuner == "confuciux" or len(summary[tuner]) != len(ours):
                continue
            pairs = list(zip(ours, summary[tuner]))
            faster = sum(as_number(a) < as_number(b) for a, b in pairs)
            slower = sum(as_number(a) > as_number(b) for a, b in pairs)
            neither = sum(a is None and b is None for a, b in pairs)
            tie = len(pairs) - faster - slower - neither
            lines.append(f"| {tuner} | {faster} | {slower} | {tie} | {neither} |")
        lines.append("")

    lines += ["### Summary over cases", "",
              "| tuner | cases reached | median evaluations to reach (over cases reached) |",
              "|---|---:|---:|"]
    for tuner in sorted(summary):
        reached = [v for v in summary[tuner] if v is not None]
        lines.append(f"| {tuner} | {len(reached)}/{len(summary[tuner])} | "
                     f"{statistics.median(reached):.0f} |" if reached else
                     f"| {tuner} | 0/{len(summary[tuner])} | - |")
    with open(os.path.join(args.out_dir, "README-table.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
