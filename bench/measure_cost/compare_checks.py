#!/usr/bin/env python3
"""Pairs checks.sh's runs: per task, the compile time of the same configurations without and
with Halide's runtime checks (lowering and LLVM, in process; the real measurer's wall time),
and the kernels' measured times, configuration by configuration.

    compare_checks.py bench/measure_cost/results/checks
"""
import glob
import json
import math
import os
import statistics
import sys


def load(directory, mode):
    runs = {}  # (task, round) -> the task's entry
    for path in sorted(glob.glob(os.path.join(directory, f"{mode}_*_round*.json"))):
        task, round_ = os.path.basename(path)[len(mode) + 1:-len(".json")].rsplit("_round", 1)
        runs[(task, int(round_))] = json.load(open(path))[0]
    return runs


def compile_s(entry):
    return sum(c["lower_ms"] + c["llvm_ms"] for c in entry["configs"]) / 1e3


def main(directory):
    without, with_ = load(directory, "without"), load(directory, "with")
    keys = sorted(set(without) & set(with_), key=lambda k: (k[0], k[1]))
    tasks = sorted({task for task, _ in keys}, key=lambda t: [k[0] for k in keys].index(t))
    print("task     rounds | compile s, 16 configs: without / with = ratio (per round) | "
          "measurer s: without / with | kernel time without/with: median, min-max over configs")
    all_ratios, all_kernel = [], []
    for task in tasks:
        rounds = [r for t, r in keys if t == task]
        ratios, measure, kernel = [], [], []
        for r in rounds:
            a, b = without[(task, r)], with_[(task, r)]
            ratios.append(compile_s(a) / compile_s(b))
            measure.append((a["measure_s"], b["measure_s"]))
            for ca, cb in zip(a["configs"], b["configs"]):
                ta, tb = ca.get("measured_ms"), cb.get("measured_ms")
                if ta and tb and math.isfinite(ta) and math.isfinite(tb):
                    kernel.append(ta / tb)
        all_ratios += ratios
        all_kernel += kernel
        per_round = ", ".join(f"{compile_s(without[(task, r)]):.1f} / {compile_s(with_[(task, r)]):.1f}"
                              f" = {q:.2f}" for r, q in zip(rounds, ratios))
        measured = ", ".join(f"{a:.1f} / {b:.1f}" for a, b in measure)
        kernels = (f"{statistics.median(kernel):.3f}, {min(kernel):.2f}-{max(kernel):.2f} "
                   f"({len(kernel)})" if kernel else "-")
        print(f"{task:8s} {len(rounds):6d} | {per_round} | {measured} | {kernels}")
    if all_ratios:
        print(f"all: compile time ratio median {statistics.median(all_ratios):.2f} "
              f"(min {min(all_ratios):.2f}, max {max(all_ratios):.2f}); kernel time ratio median "
              f"{statistics.median(all_kernel):.3f} over {len(all_kernel)} configurations")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/measure_cost/results/checks")
