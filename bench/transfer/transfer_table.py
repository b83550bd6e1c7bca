#!/usr/bin/env python3
"""Measurements saved by transfer learning: autotvm runs with and without --transfer.

    bench/transfer/transfer_table.py COLD.jsonl WARM.jsonl [--tuner autotvm] [--share 0.95]

COLD holds `tessel tune --json` lines of runs without transfer, WARM with (`transfer_records`
> 0). For each task present in both, per seed: the best GFLOP/s after a few budgets, and the
measurements each arm needed to reach `--share` of the cold run's final best of the same seed;
then how many measurements the cold run needed to match what the warm run had after 8, 16 and
32. Medians over seeds; Markdown on stdout.
"""
import argparse
import json
import statistics
import sys


def gflops_curve(run):
    fields = dict(kv.split("=") for kv in run["workload"].split(":", 1)[1].split(","))
    v = {k: int(x) for k, x in fields.items()}
    oh = (v["h"] + 2 * v.get("pad", 0) - v["r"]) // v.get("stride", 1) + 1
    ow = (v["w"] + 2 * v.get("pad", 0) - v["s"]) // v.get("stride", 1) + 1
    flops = 2.0 * v.get("n", 1) * v["k"] * oh * ow * v["c"] // v.get("groups", 1) * v["r"] * v["s"]
    return [flops / t / 1e6 if t else 0.0 for t in run["curve"]]


def first_reaching(curve, target):
    return next((i + 1 for i, g in enumerate(curve) if g >= target), None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cold")
    parser.add_argument("warm")
    parser.add_argument("--tuner", default="autotvm")
    parser.add_argument("--share", type=float, default=0.95)
    args = parser.parse_args()
    runs = {}
    for arm, path in (("cold", args.cold), ("warm", args.warm)):
        with open(path) as f:
            for line in f:
                run = json.loads(line)
                if run["tuner"] != args.tuner:
                    continue
                if (arm == "warm") != (run.get("transfer_records", 0) > 0):
                    continue
                runs.setdefault(run["task"], {}).setdefault(arm, {})[run["seed"]] = run
    budgets = [8, 16, 32, 64, 128, 200]
    print(f"| task | arm | seeds | " + " | ".join(f"best after {b}" for b in budgets) +
          f" | measurements to {args.share:.0%} of cold final best (per seed) |")
    print("|---|---|---:|" + "---:|" * len(budgets) + "---|")
    for task, arms in runs.items():
        if set(arms) != {"cold", "warm"}:
            continue
        seeds = sorted(set(arms["cold"]) & set(arms["warm"]))
        for arm in ("cold", "warm"):
            curves = {s: gflops_curve(arms[arm][s]) for s in seeds}
            cells = []
            for b in budgets:
                values = [c[b - 1] for c in curves.values() if len(c) >= b]
                cells.append(f"{statistics.median(values):.0f}" if values else "-")
            reach = []
            for s in seeds:
                target = args.share * max(gflops_curve(arms["cold"][s]))
                hit = first_reaching(curves[s], target)
                reach.append(str(hit) if hit else f">{len(curves[s])}")
            print(f"| {task} | {arm} | {len(seeds)} | " + " | ".join(cells) +
                  f" | {', '.join(reach)} |")
    print("\nMeasurements saved: the cold arm's measurements to first match the warm arm's best "
          "after n measurements, per seed (the warm arm needed n).\n")
    saved_budgets = [8, 16, 32]
    print("| task | " + " | ".join(f"n = {b}" for b in saved_budgets) + " |")
    print("|---|" + "---|" * len(saved_budgets))
    for task, arms in runs.items():
        if set(arms) != {"cold", "warm"}:
            continue
        seeds = sorted(set(arms["cold"]) & set(arms["warm"]))
        cells = []
        for b in saved_budgets:
            per_seed = []
            for s in seeds:
                warm = gflops_curve(arms["warm"][s])
                cold = gflops_curve(arms["cold"][s])
                if len(warm) < b:
                    continue
                hit = first_reaching(cold, warm[b - 1])
                per_seed.append(str(hit) if hit else f">{len(cold)}")
            cells.append(", ".join(per_seed))
        print(f"| {task} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
