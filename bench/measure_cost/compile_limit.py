#!/usr/bin/env python3
"""What a lower compile time limit would cost and save, from committed tuning records.

    bench/measure_cost/compile_limit.py RECORDS... [--limits 2 3 5 10]

Reads `tessel export` records (JSON lines, gzipped or not) or records databases (`.db`) and
groups them into task runs (one
task of one run: same instance, target and run). For each run it takes the best time measured,
and asks of every compiled configuration (compile_ms > 0; twins answered from the records
compile nothing): how long did it compile, and was it within 5% of that best? Prints, for
each limit L:
  - the configurations that compiled for longer than L, and the compile seconds they took;
  - how many of them were within 5% of their run's best (a limit of L would have lost them);
  - the compile seconds a limit of L leaves (each of them stopped at L).
and the quantiles of the compile time of each run's best configuration, and of every
configuration within 5% of a best.
"""
import argparse
import collections
import gzip
import json
import sqlite3


def read(path):
    """The schedule problem's records of a file, as `tessel export` writes them."""
    if path.endswith(".db"):
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = db.execute(
            "select t.instance, t.target, m.run_id, m.status, m.value, m.compile_ms "
            "from measurements m join tasks t on t.id = m.task_id where t.problem = 'schedule'")
        for instance, target, run, status, value, compile_ms in rows:
            yield {"problem": "schedule", "instance": instance, "target": target,
                   "run_uuid": f"{path}:{run}", "status": status, "value": value,
                   "compile_ms": compile_ms}
        return
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def quantiles(values, points=(0.5, 0.9, 0.99, 1.0)):
    values = sorted(values)
    return " / ".join(f"{values[round(q * (len(values) - 1))]:.2f}" for q in points)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+")
    parser.add_argument("--limits", type=float, nargs="+", default=[2, 3, 5, 10])
    args = parser.parse_args()

    runs = collections.defaultdict(list)  # (instance, target, run) -> [(value or None, s)]
    for path in args.records:
        for record in read(path):
            if record.get("problem") != "schedule" or not (record.get("compile_ms") or 0) > 0:
                continue
            key = (record["instance"], record["target"], record.get("run_uuid"))
            value = record["value"] if record["status"] == "ok" else None
            runs[key].append((value, record["compile_ms"] / 1000))

    total = 0.0
    best_compile, near_compile = [], []
    over = {limit: [0, 0.0, 0, 0.0] for limit in args.limits}  # count, seconds, near best, kept
    measured = 0
    for rows in runs.values():
        ok = [value for value, _ in rows if value is not None]
        if not ok:
            continue
        best = min(ok)
        best_compile.append(min(s for value, s in rows if value == best))
        for value, seconds in rows:
            measured += 1
            total += seconds
            near = value is not None and value <= 1.05 * best
            if near:
                near_compile.append(seconds)
            for limit, counts in over.items():
                counts[3] += min(seconds, limit)
                if seconds > limit:
                    counts[0] += 1
                    counts[1] += seconds
                    counts[2] += near

    print(f"{len(runs)} task runs, {measured} compiled configurations, {total:.0f} compile seconds")
    print(f"compile seconds of each run's best configuration, median / 90% / 99% / max: "
          f"{quantiles(best_compile)}")
    print(f"compile seconds of the {len(near_compile)} configurations within 5% of their run's "
          f"best, median / 90% / 99% / max: {quantiles(near_compile)}")
    print()
    print("| limit (s) | configurations over it | their compile seconds | of them within 5% of "
          "the best | compile seconds with the limit | / without |")
    print("|---:|---:|---:|---:|---:|---:|")
    for limit, (count, seconds, near, kept) in over.items():
        print(f"| {limit:g} | {count} | {seconds:.0f} | {near} | {kept:.0f} | {kept / total:.2f} |")


if __name__ == "__main__":
    main()
