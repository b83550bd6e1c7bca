#!/usr/bin/env python3
"""Keeps each task's fastest successful record from `tessel export` JSON lines (as AutoTVM's
pick_best does), so that a database's tuning result can be committed and `tessel import`ed
elsewhere without its every measurement.

    build/tessel export --db DB | bench/common/best_records.py [--per-run] | gzip -9 > BEST.jsonl.gz

A task is a (problem, instance, target, evaluator, evaluator version); records of schema-2
exports (workload, template, time_ms) are read as the schedule and replay tasks they were. The
records come out in the order their tasks first appear. --per-run keeps each tuning run's fastest record instead (a run is
its run_uuid), so that every run's best kernel can be timed again.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-run", action="store_true",
                        help="the fastest record of each tuning run, not of each task")
    args = parser.parse_args()
    best = {}
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            legacy = "instance" not in record
            value = record["time_ms"] if legacy else record["value"]
            key = record["run_uuid"] if args.per_run else (
                (record["workload"], record["target"], record["template"],
                 record["template_version"]) if legacy else
                (record["problem"], record["instance"], record["target"], record["evaluator"],
                 record["evaluator_version"]))
            ok = record["status"] == "ok" and value is not None
        except (ValueError, KeyError) as error:
            print(f"best_records: line {number} is not a tessel export record ({error}); "
                  "pipe `tessel export` into this", file=sys.stderr)
            return 2
        if ok and (key not in best or value < best[key][0]):
            best[key] = (value, record)
    for _, record in best.values():
        print(json.dumps(record, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
