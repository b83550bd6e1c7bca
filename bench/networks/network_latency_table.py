#!/usr/bin/env python3
"""Summarises bench/networks/network_latency.sh: end-to-end latency per network and thread count.

    bench/networks/network_latency_table.py RUNS.jsonl[.gz]

Each cell is the median over rounds of the implementation's median latency in that round;
the ratios are PyTorch's time over the implementation's, per round, then their median (above
1: faster than PyTorch). Tessel's tuned row also gives how many of its kernels had a record
and its largest relative error against PyTorch's output. A line after the table names the BLAS
library PyTorch loaded.
"""
import argparse
import collections
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from plot_curves import load_runs  # noqa: E402

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs")
    args = parser.parse_args()
    rows = load_runs(args.runs, "network_latency_table")
    if rows is None:
        return 2
    # (threads, network) -> implementation -> round -> row
    table = collections.defaultdict(lambda: collections.defaultdict(dict))
    for row in rows:
        table[(row["threads"], row["network"])][row["implementation"]][row["round"]] = row
    print("| threads | network | Tessel tuned ms | Tessel default ms | PyTorch ms | oneDNN sum ms "
          "| PyTorch / tuned | PyTorch / default | PyTorch / oneDNN sum | tuned kernels | "
          "error vs PyTorch |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (threads, network), impls in sorted(table.items()):
        def median(impl):
            runs = impls.get(impl, {})
            return statistics.median(r["median_ms"] for r in runs.values()) if runs else None

        def ratio(impl):
            torch = impls.get("pytorch", {})
            paired = [torch[k]["median_ms"] / r["median_ms"] for k, r in impls.get(impl, {}).items()
                      if k in torch]
            return statistics.median(paired) if paired else None

        tuned = list(impls.get("tessel-tuned", {}).values())
        kernels = f"{tuned[0]['tuned']}/{tuned[0]['kernels']}" if tuned else "-"
        errors = [r.get("compare_error") for r in tuned if r.get("compare_error") is not None]
        error = f"{max(errors):.1e}" if errors else "-"

        def fmt(value):
            return "-" if value is None else f"{value:.2f}"

        print(f"| {threads} | {network} | {fmt(median('tessel-tuned'))} | "
              f"{fmt(median('tessel-default'))} | {fmt(median('pytorch'))} | "
              f"{fmt(median('onednn-sum'))} | {fmt(ratio('tessel-tuned'))} | "
              f"{fmt(ratio('tessel-default'))} | {fmt(ratio('onednn-sum'))} | {kernels} | "
              f"{error} |")
    blas = sorted({row.get("blas", "not recorded") for row in rows
                   if row["implementation"] == "pytorch"})
    if blas:
        print(f"\nPyTorch's BLAS: {'; '.join(blas)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
