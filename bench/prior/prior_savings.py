#!/usr/bin/env python3
"""Compares `tessel tune --json` runs with and without --prior, task by task and seed by seed.

    bench/prior/prior_savings.py PRIOR_RUNS.jsonl... -- COLD_RUNS.jsonl...

Each file holds one run's JSON lines (one per task) and names its seed. For every task and seed
present in both arms: the best time after 8, 16 and 32 measurements (the default schedule,
measured first, counts as the first), and how many measurements the prior run needed to reach
the cold run's best after all of its own (- when it never did). Medians over tasks and seeds
are printed last; a ratio above 1 means the prior run was ahead.
"""
import json
import statistics
import sys


def load(paths):
    runs = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    runs[(row["task"], row["seed"])] = row
    return runs


def best_after(curve, k):
    values = [v for v in curve[:k] if v is not None]
    return min(values) if values else None


def main():
    if "--" not in sys.argv:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    split = sys.argv.index("--")
    prior, cold = load(sys.argv[1:split]), load(sys.argv[split + 1:])
    points = (8, 16, 32)
    print("| task | seed | " + " | ".join(f"cold / prior after {k}" for k in points) +
          " | prior's measurements to cold's best |")
    print("|---|---:|" + "---:|" * (len(points) + 1))
    ratios = {k: [] for k in points}
    reached = []
    for key in sorted(prior.keys() & cold.keys(), key=lambda k: (int(k[0].split(".")[1]), k[1])):
        p, c = prior[key]["curve"], cold[key]["curve"]
        cells = []
        for k in points:
            bp, bc = best_after(p, k), best_after(c, k)
            ratio = bc / bp if bp and bc else None
            if ratio:
                ratios[k].append(ratio)
            cells.append("-" if ratio is None else f"{ratio:.2f}")
        target = best_after(c, len(c))
        hit = next((i + 1 for i, v in enumerate(p) if v is not None and v <= target), None)
        reached.append(hit)
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + f" | {hit or '-'} |")
    print("| **median** | | " + " | ".join(f"**{statistics.median(ratios[k]):.2f}**"
                                            for k in points) +
          f" | {sum(h is not None for h in reached)} of {len(reached)} reached it |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
