#!/usr/bin/env python3
"""Summarises bench/networks/network_latency.sh: end-to-end latency per network and thread count.

    bench/networks/network_latency_table.py RUNS.jsonl[.gz]

Each cell is the median over rounds of the implementation's median latency in that round;
the ratios are PyTorch's time over the implementation's, per round, then their median (above
1: faster than PyTorch). Tessel's tuned row also gives how many of its kernels had a record
and its largest relative error against PyTorch's output, the layout `tessel run` chose, and
its time over oneDNN's layer sum. A line after the table names the BLAS library PyTorch loaded.

With --per-layer, a second table per thread count and network: each conv2d and dense task's
time inside Tessel's tuned network (the median over its occurrences, then over rounds) against
oneDNN's time for it alone, and their geometric mean per network. The two are not timed alike:
Tessel's layer runs in the network, after the layer before it, with its epilogue (bias, ReLU,
residual add) fused; oneDNN's runs alone and back to back, its weights in cache.
"""
import argparse
import collections
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from plot_curves import load_runs  # noqa: E402

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    parser.add_argument("--per-layer", action="store_true",
                        help="also each layer's time in Tessel's network against oneDNN's alone")
    args = parser.parse_args()
    rows = load_runs(args.runs, "network_latency_table")
    if rows is None:
        return 2
    # (threads, network) -> implementation -> round -> row
    table = collections.defaultdict(lambda: collections.defaultdict(dict))
    for row in rows:
        table[(row["threads"], row["network"])][row["implementation"]][row["round"]] = row
    print("| threads | network | Tessel tuned ms | Tessel default ms | PyTorch ms | oneDNN sum ms "
          "| PyTorch / tuned | PyTorch / default | PyTorch / oneDNN sum | tuned / oneDNN sum "
          "| layout | tuned kernels | error vs PyTorch |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for (threads, network), impls in sorted(table.items()):
        def median(impl):
            runs = impls.get(impl, {})
            return statistics.median(r["median_ms"] for r in runs.values()) if runs else None

        def ratio(impl):
            torch = impls.get("pytorch", {})
            paired = [torch[k]["median_ms"] / r["median_ms"] for k, r in impls.get(impl, {}).items()
                      if k in torch]
            return statistics.median(paired) if paired else None

        def over_onednn(impl):
            onednn = impls.get("onednn-sum", {})
            paired = [r["median_ms"] / onednn[k]["median_ms"]
                      for k, r in impls.get(impl, {}).items() if k in onednn]
            return statistics.median(paired) if paired else None

        tuned = list(impls.get("tessel-tuned", {}).values())
        layouts = "/".join(sorted({r.get("layout", "nchw") for r in tuned})) or "-"
        kernels = f"{tuned[0]['tuned']}/{tuned[0]['kernels']}" if tuned else "-"
        errors = [r.get("compare_error") for r in tuned if r.get("compare_error") is not None]
        error = f"{max(errors):.1e}" if errors else "-"

        def fmt(value):
            return "-" if value is None else f"{value:.2f}"

        print(f"| {threads} | {network} | {fmt(median('tessel-tuned'))} | "
              f"{fmt(median('tessel-default'))} | {fmt(median('pytorch'))} | "
              f"{fmt(median('onednn-sum'))} | {fmt(ratio('tessel-tuned'))} | "
              f"{fmt(ratio('tessel-default'))} | {fmt(ratio('onednn-sum'))} | "
              f"{fmt(over_onednn('tessel-tuned'))} | {layouts} | {kernels} | {error} |")
    blas = sorted({row.get("blas", "not recorded") for row in rows
                   if row["implementation"] == "pytorch"})
    if blas:
        print(f"\nPyTorch's BLAS: {'; '.join(blas)}")
    if args.per_layer:
        print_per_layer(table)
    return 0


def layer_times(run):
    """Per workload (in NCHW's spelling, as oneDNN names it), the median over its layers of a
    `tessel run --json` line."""
    times = collections.defaultdict(list)
    for layer in run.get("layers", []):
        if "workload" in layer:
            times[layer["workload"].replace(",layout=nhwc", "")].append(layer["median_ms"])
    return {workload: statistics.median(ms) for workload, ms in times.items()}


def print_per_layer(table):
    print("\n| threads | network | task | Tessel in the network ms | oneDNN alone ms "
          "| oneDNN / Tessel |")
    print("|---:|---|---|---:|---:|---:|")
    for (threads, network), impls in sorted(table.items()):
        tessel = [layer_times(r) for r in impls.get("tessel-tuned", {}).values()]
        onednn = list(impls.get("onednn-sum", {}).values())
        if not tessel or not onednn:
            continue
        ratios = []
        for layer in onednn[0]["layers"]:
            workload = layer["workload"]
            ours = [t[workload] for t in tessel if workload in t]
            theirs = [layer_ms(r, workload) for r in onednn]
            theirs = [ms for ms in theirs if ms is not None]
            if not ours or not theirs:
                continue
            ratio = statistics.median(theirs) / statistics.median(ours)
            ratios.append(ratio)
            print(f"| {threads} | {network} | {layer['task']} | {statistics.median(ours):.4f} | "
                  f"{statistics.median(theirs):.4f} | {ratio:.2f} |")
        if ratios:
            geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            print(f"| {threads} | {network} | geometric mean | | | **{geomean:.2f}** |")


def layer_ms(onednn_run, workload):
    for layer in onednn_run["layers"]:
        if layer["workload"] == workload:
            return layer["median_ms"]
    return None


if __name__ == "__main__":
    sys.exit(main())
