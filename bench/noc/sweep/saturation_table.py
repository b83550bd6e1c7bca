"""Saturation load and throughput per traffic pattern and routing, from the CSVs of
`tessel noc sweep`, as a Markdown table. A curve's saturation load is its highest load that
drained with a mean latency under 3x the curve's first (lowest-load) latency, the rule of the
BookSim comparison (bench/noc/README.md); the throughput is the accepted one at that load.

    saturation_table.py latency_load.csv [tornado.csv ...]
"""
import csv
import sys
from collections import defaultdict


def main(paths):
    curves = defaultdict(list)  # (traffic, routing) -> rows in load order
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                curves[(row["traffic"], row["routing"])].append(row)
    patterns = list(dict.fromkeys(t for t, _ in curves))
    routings = list(dict.fromkeys(r for _, r in curves))
    print("| routing | " + " | ".join(patterns) + " |")
    print("|---|" + "---:|" * len(patterns))
    for routing in routings:
        cells = []
        for pattern in patterns:
            rows = curves.get((pattern, routing))
            if not rows:
                cells.append("")
                continue
            bound = 3 * float(rows[0]["latency"])
            drained = [r for r in rows if r["saturated"] == "0" and float(r["latency"]) < bound]
            if not drained:
                cells.append("below the first load")
                continue
            last = drained[-1]
            cells.append(f"{float(last['rate']):g} ({float(last['throughput']):.3f})")
        print(f"| {routing} | " + " | ".join(cells) + " |")
    print("\nSaturation load in flits/node/cycle (accepted throughput at that load).")


if __name__ == "__main__":
    main(sys.argv[1:])
