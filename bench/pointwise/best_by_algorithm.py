#!/usr/bin/env python3
"""Per 1x1 task and thread count: the best time the tuning run measured with the pointwise
kernel (pointwise=1) and with the direct template (pointwise=0), from one records database.

Both come from the same autotvm run, so they share its budget: the run's proposals split
between the two algorithms as its search led it. Usage: best_by_algorithm.py RECORDS.db
"""
import json
import sqlite3
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: best_by_algorithm.py RECORDS.db")
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT t.instance, t.target, m.config, m.value FROM measurements m "
        "JOIN tasks t ON t.id = m.task_id WHERE m.status = 'ok' AND t.problem = 'schedule' "
        "AND t.instance LIKE 'conv2d:%r=1,s=1%' AND t.evaluator = 'conv2d_cpu' "
        "AND t.evaluator_version = 4")
    best = {}
    for instance, target, config, value in rows:
        threads = json.loads(target).get("threads")
        algorithm = "pointwise" if "pointwise=1" in config.split(";") else "direct"
        key = (threads, instance)
        entry = best.setdefault(key, {"pointwise": [None, 0], "direct": [None, 0]})
        slot = entry[algorithm]
        slot[1] += 1
        if slot[0] is None or value < slot[0]:
            slot[0] = value
    print("| threads | layer | pointwise best ms (measured) | direct best ms (measured) | direct / pointwise |")
    print("|---:|---|---:|---:|---:|")
    for (threads, instance), entry in sorted(best.items()):
        pw, direct = entry["pointwise"], entry["direct"]
        ratio = f"{direct[0] / pw[0]:.2f}" if pw[0] and direct[0] else "-"
        fmt = lambda slot: f"{slot[0]:.4f} ({slot[1]})" if slot[0] else f"- ({slot[1]})"
        print(f"| {threads} | `{instance}` | {fmt(pw)} | {fmt(direct)} | {ratio} |")


if __name__ == "__main__":
    main()
