"""Learned Q-routing against odd-even and west-first adaptive: mean latency per traffic
pattern, load and routing over the seeds' CSVs of `tessel noc sweep`, as a Markdown table.

    q_routing_table.py results/q_routing_*_seed*.csv
"""
import csv
import statistics
import sys
from collections import defaultdict


def main(paths):
    latency = defaultdict(list)  # (traffic, rate, routing) -> latencies, one per seed
    saturated = defaultdict(int)
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                key = (row["traffic"], float(row["rate"]), row["routing"])
                latency[key].append(float(row["latency"]))
                saturated[key] += int(row["saturated"])
    routings = sorted({k[2] for k in latency}, key=lambda r: (r == "q-routing", r))
    print("| traffic | load | " + " | ".join(routings) + " | q-routing / odd-even |")
    print("|---|---:|" + "---:|" * (len(routings) + 1))
    for traffic, rate in sorted({(k[0], k[1]) for k in latency}):
        cells, means = [], {}
        for routing in routings:
            values = latency.get((traffic, rate, routing), [])
            if not values:
                cells.append("not run (saturated at a lower load)")
                continue
            means[routing] = statistics.mean(values)
            mark = f" ({saturated[(traffic, rate, routing)]} of {len(values)} saturated)" \
                if saturated[(traffic, rate, routing)] else ""
            cells.append(f"{means[routing]:.1f} ({min(values):.1f}-{max(values):.1f}){mark}")
        drained = all(saturated[(traffic, rate, r)] == 0 for r in ("q-routing", "odd-even"))
        ratio = (f"{means['q-routing'] / means['odd-even']:.2f}"
                 if "q-routing" in means and "odd-even" in means and drained else "")
        print(f"| {traffic} | {rate:g} | " + " | ".join(cells) + f" | {ratio} |")
    print("\nMean latency in cycles over the seeds (min-max); a saturated run's latency is that of "
          "the packets that arrived, a lower bound, and no ratio is given.")


if __name__ == "__main__":
    main(sys.argv[1:])
