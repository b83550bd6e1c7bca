#!/usr/bin/env python3
"""RELEASE's ablation tables from `tessel tune --json` lines: Markdown on stdout, SVG curves.

    bench/release/ablation_table.py RUNS.jsonl OUT_DIR [--baseline autotvm] [--measure-seconds S]

Per task and tuner, over seeds (each run is compared with the baseline's run of the same seed):
(a) search steps per round (median over rounds, then seeds); (b) measurements and wall seconds
until the run first reached the baseline's final best, and the baseline's own measurements and
seconds to its final best; the ratios baseline/tuner (> 1: the tuner is faster); (c) the final
best time; (d) where the wall time went. Then the geometric means over tasks of the ratios.

Replay runs measure nothing, so their wall time is the tuner's own time plus S seconds per
measurement (--measure-seconds; give the real backend's median cost of a measurement), which
is stated in the table. A run that never reaches the baseline's best counts as its whole
budget (a lower bound of the ratio; marked with >).
"""
import argparse
import collections
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from plot_curves import (load_runs, print_time_table, run_label, speed_curve,  # noqa: E402
                         svg_plot)


def first_reach(curve, target):
    """1-based index of the first measurement whose best is at most target, or None."""
    return next((i + 1 for i, t in enumerate(curve) if t is not None and t <= target * (1 + 1e-9)),
                None)


def elapsed(run, count, measure_seconds):
    """Wall seconds after `count` measurements."""
    if measure_seconds is not None:
        # Replay: the tuner's own time spreads evenly over measurements, plus the modelled cost.
        own = run["seconds"]["fit"] + run["seconds"]["search"]
        return count * (own / max(1, len(run["curve"])) + measure_seconds)
    return run["elapsed_s"][count - 1]


def geomean(values):
    values = [v for v in values if v and math.isfinite(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    parser.add_argument("out_dir")
    parser.add_argument("--baseline", default="autotvm")
    parser.add_argument("--measure-seconds", type=float, default=None)
    args = parser.parse_args()
    runs = load_runs(args.runs, "ablation_table")
    if runs is None:
        return 2
    if args.measure_seconds is None and any("elapsed_s" not in r for r in runs):
        print("ablation_table: runs without elapsed_s (replay runs?): pass --measure-seconds",
              file=sys.stderr)
        return 2
    os.makedirs(args.out_dir, exist_ok=True)
    by_task = collections.OrderedDict()
    for run in runs:
        by_task.setdefault(run["task"], collections.defaultdict(dict))[run_label(run)][
            run["seed"]] = run

    base = args.baseline
    print(f"| task | tuner | seeds | search steps per round | measurements to {base}'s best "
          f"({base}: to its own) | ratio | wall s to {base}'s best ({base}: to its own) | ratio "
          f"| final best ms, median (range) |")
    print("|---|---|---:|---:|---|---:|---|---:|---|")
    ratios = collections.defaultdict(lambda: {"measurements": [], "wall": [], "final": []})
    for task, tuners in by_task.items():
        if base not in tuners:
            continue
        series = {}
        unit = "GFLOP/s"
        for tuner, seeds in sorted(tuners.items(), key=lambda kv: (kv[0] != base, kv[0])):
            steps, counts, walls, finals = [], [], [], []
            for seed, run in sorted(seeds.items()):
                reference = tuners[base].get(seed)
                if reference is None:
                    continue
                target = min(t for t in reference["curve"] if t is not None)
                own_count = first_reach(reference["curve"], target)
                count = first_reach(run["curve"], target)
                reached = count is not None
                count = count or len(run["curve"])
                counts.append((count, reached, own_count))
                walls.append((elapsed(run, count, args.measure_seconds), reached,
                              elapsed(reference, own_count, args.measure_seconds)))
                finals.append(min(t for t in run["curve"] if t is not None))
                rounds = run.get("search_rounds") or []
                if rounds:
                    steps.append(statistics.median(r["steps"] for r in rounds))
            if not counts:
                continue
            med = lambda xs: statistics.median(xs)  # noqa: E731
            count_ratio = med([o / c for c, _, o in counts])
            wall_ratio = med([o / w for w, _, o in walls])
            final_ratio = med([min(t for t in tuners[base][s]["curve"] if t is not None) /
                               min(t for t in run["curve"] if t is not None)
                               for s, run in seeds.items() if s in tuners[base]])
            if tuner != base:
                ratios[tuner]["measurements"].append(count_ratio)
                ratios[tuner]["wall"].append(wall_ratio)
                ratios[tuner]["final"].append(final_ratio)
            shown = ", ".join(f"{c}" if r else f">{c}" for c, r, _ in counts)
            own = ", ".join(str(o) for _, _, o in counts)
            wall_shown = ", ".join(f"{w:.0f}" if r else f">{w:.0f}" for w, r, _ in walls)
            wall_own = ", ".join(f"{o:.0f}" for _, _, o in walls)
            step_text = f"{med(steps):.0f}" if steps else "-"
            print(f"| {task} | {tuner} | {len(counts)} | {step_text} | {shown} ({own}) | "
                  f"{count_ratio:.2f} | {wall_shown} ({wall_own}) | {wall_ratio:.2f} | "
                  f"{med(finals):.4g} ({min(finals):.4g}-{max(finals):.4g}) |")
            curves = [speed_curve(r)[0] for r in seeds.values()]
            unit = speed_curve(next(iter(seeds.values())))[1]
            length = min(len(c) for c in curves)
            series[tuner] = ([statistics.median(c[i] for c in curves) for i in range(length)],
                             [min(c[i] for c in curves) for i in range(length)],
                             [max(c[i] for c in curves) for i in range(length)])
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", task)
        svg_plot(os.path.join(args.out_dir, f"curve_{name}.svg"), f"{task}: best {unit}", unit,
                 series)

    note = (f"; replay wall time = the tuner's own time + {args.measure_seconds:g} s per "
            f"measurement" if args.measure_seconds is not None else "")
    print(f"\nGeometric mean over tasks of the per-task medians ({base}'s figure / the tuner's: "
          f"> 1 means fewer measurements, less wall time, a faster final kernel{note}):\n")
    print(f"| tuner | tasks | measurements to {base}'s best | wall time to it | final best time |")
    print("|---|---:|---:|---:|---:|")
    for tuner, r in sorted(ratios.items()):
        print(f"| {tuner} | {len(r['measurements'])} | {geomean(r['measurements']):.2f}x | "
              f"{geomean(r['wall']):.2f}x | {geomean(r['final']):.3f}x |")

    print_time_table(by_task)
    return 0


if __name__ == "__main__":
    sys.exit(main())
