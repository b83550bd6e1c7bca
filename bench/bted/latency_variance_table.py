#!/usr/bin/env python3
"""Mean latency and its variance across seeds, from `tessel tune --json` lines: Markdown on stdout.
The table of "Deep Neural Network Hardware Deployment Optimization via Advanced Active Learning"
(the BTED and BAO paper), with each tuner's change against the baseline in percent.

    bench/bted/latency_variance_table.py RUNS.jsonl... [--baseline autotvm] [--tuners A,B,...]
                                    [--per-task] [--tessel PATH] [--op conv2d|dense]
                                    [--tasks-in-runs]

By default the rows are networks: the latency of a seed is the network's summed best layer time
(each task's best time times how often the network runs it, from `tessel zoo MODEL`), counted
only for seeds that tuned every task of the network (of operator --op, when given; with
--tasks-in-runs, every task that some run of the network tuned). With --per-task every task (for
example a replay table) is its own row and the latency of a seed is that run's best time.
Variance is the sample variance over seeds (ms^2). The last row averages the rows, and their
percentages, as that paper's table does. --tuners picks the columns and their order (run
labels: the tuner, with a variant's options in brackets as plot_curves.py names them); default:
all.
"""
import argparse
import collections
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from network_table import MODELS, occurrences  # noqa: E402
from plot_curves import load_all_runs, run_label  # noqa: E402


def latencies(runs, per_task, tessel, op=None, tasks_in_runs=False):
    """row -> tuner -> {seed: latency in ms}."""
    table = collections.defaultdict(lambda: collections.defaultdict(dict))
    if per_task:
        for run in runs:
            if run["best_time_ms"] is not None:
                table[run["task"]][run_label(run)][run["seed"]] = run["best_time_ms"]
        return table
    # model -> tuner -> seed -> task -> best ms (a later line for a task replaces an earlier)
    best = collections.defaultdict(lambda: collections.defaultdict(
        lambda: collections.defaultdict(dict)))
    for run in runs:
        model = MODELS.get(run["task"].split(".")[0])
        if model is not None and run["best_time_ms"] is not None:
            best[model][run_label(run)][run["seed"]][run["task"]] = run["best_time_ms"]
    for model, tuners in best.items():
        counts = occurrences(tessel, model, op)
        if tasks_in_runs:  # the tasks some run of the model tuned
            tuned = {t for seeds in tuners.values() for tasks in seeds.values() for t in tasks}
            counts = {t: c for t, c in counts.items() if t in tuned}
        for tuner, seeds in tuners.items():
            for seed, tasks in seeds.items():
                if set(tasks) == set(counts):
                    table[model][tuner][seed] = sum(counts[t] * ms for t, ms in tasks.items())
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--baseline", default="autotvm")
    parser.add_argument("--tuners", help="comma-separated run labels to show, in order")
    parser.add_argument("--per-task", action="store_true")
    parser.add_argument("--tessel", default="build/tessel")
    parser.add_argument("--op", choices=["conv2d", "dense"],
                        help="sum only the networks' tasks of this operator")
    parser.add_argument("--tasks-in-runs", action="store_true",
                        help="sum only the tasks that some run of the network tuned")
    args = parser.parse_args()
    runs = load_all_runs(args.runs, "latency_variance_table")
    if runs is None:
        return 2
    table = latencies(runs, args.per_task, args.tessel, args.op, args.tasks_in_runs)
    known = sorted({t for row in table.values() for t in row})
    others = [t for t in known if t != args.baseline]
    if args.tuners:
        others = [t for t in args.tuners.split(",") if t != args.baseline]
        unknown = [t for t in others if t not in known]
        if unknown:
            print(f"latency_variance_table: no runs labelled {', '.join(unknown)}; known: "
                  f"{', '.join(known)}", file=sys.stderr)
            return 2
    head = f"| {'task' if args.per_task else 'network'} | seeds | {args.baseline} latency, ms | variance |"
    rule = "|---|---:|---:|---:|"
    for tuner in others:
        head += f" {tuner} latency | Δ % | variance | Δ % |"
        rule += "---:|---:|---:|---:|"
    print(head)
    print(rule)
    columns = collections.defaultdict(list)  # what the average row averages
    for row, by_tuner in sorted(table.items()):
        base = by_tuner.get(args.baseline, {})
        if len(base) < 2:
            continue
        base_mean = statistics.mean(base.values())
        base_var = statistics.variance(base.values())
        seeds = min(len(s) for s in by_tuner.values())
        line = f"| {row} | {seeds} | {base_mean:.4f} | {base_var:.3g} |"
        columns["base_mean"].append(base_mean)
        columns["base_var"].append(base_var)
        for tuner in others:
            values = by_tuner.get(tuner, {})
            if len(values) < 2:
                line += " - | - | - | - |"
                continue
            mean = statistics.mean(values.values())
            var = statistics.variance(values.values())
            d_mean = 100 * (mean - base_mean) / base_mean
            d_var = 100 * (var - base_var) / base_var if base_var > 0 else float("nan")
            line += f" {mean:.4f} | {d_mean:+.2f} | {var:.3g} | {d_var:+.1f} |"
            for key, value in ((f"{tuner} mean", mean), (f"{tuner} d_mean", d_mean),
                               (f"{tuner} var", var), (f"{tuner} d_var", d_var)):
                columns[key].append(value)
        print(line)
    if columns["base_mean"]:
        line = (f"| average | | {statistics.mean(columns['base_mean']):.4f} | "
                f"{statistics.mean(columns['base_var']):.3g} |")
        for tuner in others:
            if not columns[f"{tuner} mean"]:
                line += " - | - | - | - |"
                continue
            line += (f" {statistics.mean(columns[f'{tuner} mean']):.4f} | "
                     f"{statistics.mean(columns[f'{tuner} d_mean']):+.2f} | "
                     f"{statistics.mean(columns[f'{tuner} var']):.3g} | "
                     f"{statistics.mean(columns[f'{tuner} d_var']):+.1f} |")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
