#!/usr/bin/env python3
"""How reproducible a measurement is on this machine: configurations that a database holds
more than one successful measurement of (different runs measuring the same configuration).

    bench/autotvm/remeasure_noise.py DB

Per task: how many configurations were measured twice or more, and the ratio slowest/fastest
time among their measurements (median, 90th percentile, share above 1.3x). Markdown on stdout.
Reads the database only (the standard library's sqlite3).
"""
import sqlite3
import statistics
import sys


def main():
    if len(sys.argv) != 2:
        print("usage: remeasure_noise.py DB", file=sys.stderr)
        return 2
    try:
        db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
        rows = db.execute(
            "SELECT t.workload, MAX(m.time_ms) / MIN(m.time_ms) FROM measurements m "
            "JOIN tasks t ON t.id = m.task_id WHERE m.status = 'ok' "
            "GROUP BY m.task_id, m.config HAVING COUNT(*) > 1").fetchall()
    except sqlite3.Error as e:
        print(f"remeasure_noise: cannot read {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    by_task = {}
    for workload, ratio in rows:
        by_task.setdefault(workload, []).append(ratio)
    print("| workload | configurations measured 2+ times | slowest/fastest, median | 90th pct "
          "| share above 1.3x |")
    print("|---|---:|---:|---:|---:|")
    for workload, ratios in sorted(by_task.items()):
        ratios.sort()
        p90 = ratios[min(len(ratios) - 1, int(0.9 * len(ratios)))]
        above = sum(r > 1.3 for r in ratios) / len(ratios)
        print(f"| {workload} | {len(ratios)} | {statistics.median(ratios):.2f} | {p90:.2f} "
              f"| {above:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
