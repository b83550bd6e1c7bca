#!/usr/bin/env python3
"""Reads the runs of stop_calibration.sh (OUT_DIR/TABLE.SEED.{db,jsonl}) and prints two
Markdown tables:
  - the gain estimates, binned, against what the next plan of 16 and the rest of the 400
    measurements took off the best time;
  - stopping rules (stop at the first estimate below a threshold, or at the second or third in
    a row), each with the measurements it spent on average and the fraction of the table's
    optimum it ended with, against a fixed budget of that many measurements per table.
"""
import glob
import json
import os
import sqlite3
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from replay_table import SPACES, optimum  # noqa: E402


def load(out_dir):
    runs = []
    for path in sorted(glob.glob(os.path.join(out_dir, "*.db"))):
        table = os.path.basename(path).rsplit(".", 2)[0]
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        gains = db.execute("select step, value from tuner_log where name = 'expected_gain' "
                           "order by step").fetchall()
        curve = json.loads(open(path[:-3] + ".jsonl").read())["curve"]
        runs.append((table, gains, curve))
    return runs


def main():
    runs = load(sys.argv[1])
    optima = {t: optimum(os.path.join(SPACES, t + ".csv.gz")) for t, _, _ in runs}
    print("| expected gain of the next plan | estimates | mean estimate | next plan took | "
          "the rest of 400 took | share with over 2% left |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = []
    for _, gains, curve in runs:
        for step, gain in gains:
            if step >= len(curve):
                continue
            now = curve[step - 1]
            rows.append((gain, 1 - curve[min(step + 16, len(curve)) - 1] / now,
                         1 - curve[-1] / now))
    bins = [0, 0.0025, 0.005, 0.01, 0.02, 0.04, 1]
    for low, high in zip(bins, bins[1:]):
        chosen = [r for r in rows if low <= r[0] < high]
        if chosen:
            print(f"| {100 * low:g}-{100 * high:g}% | {len(chosen)} | "
                  f"{100 * statistics.mean(r[0] for r in chosen):.2f}% | "
                  f"{100 * statistics.mean(r[1] for r in chosen):.2f}% | "
                  f"{100 * statistics.mean(r[2] for r in chosen):.2f}% | "
                  f"{sum(r[2] > 0.02 for r in chosen) / len(chosen):.2f} |")

    def fixed(n):
        return statistics.mean(optima[t] / c[min(n, len(c)) - 1] for t, _, c in runs)

    print()
    print("| stopping rule | threshold | mean measurements | fraction of the optimum | "
          "a fixed budget of that many |")
    print("|---|---:|---:|---:|---:|")
    for name, in_a_row in (("first estimate below", 1), ("second in a row below", 2),
                           ("third in a row below", 3)):
        for threshold in (0.01, 0.005, 0.0025):
            spent, reached = [], []
            for table, gains, curve in runs:
                stop, below = len(curve), 0
                for step, gain in gains:
                    below = below + 1 if gain < threshold else 0
                    if below >= in_a_row:
                        stop = step
                        break
                spent.append(stop)
                reached.append(optima[table] / curve[stop - 1])
            mean = statistics.mean(spent)
            print(f"| {name} | {100 * threshold:g}% | {mean:.0f} | "
                  f"{statistics.mean(reached):.3f} | {fixed(round(mean)):.3f} |")


if __name__ == "__main__":
    main()
