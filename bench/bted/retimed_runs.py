#!/usr/bin/env python3
"""Puts re-timed best times into `tessel tune --json` run lines, so that the tables built from
runs (latency_variance_table.py, ...) can be made from them instead of the times measured
while tuning. JSON lines on stdout.

    bench/bted/retimed_runs.py RUNS.jsonl[.gz] RETIMED.jsonl... > RUNS_RETIMED.jsonl

RETIMED holds build-bench/retime_runs output (one line per run's best record; shards of one
pass, or several passes). A run line and a re-timed record belong together when they name the
same task (the record's `--layer` in its run command), tuner, seed and workload. Records of one
run with the same configuration are passes of its timing, each in its own process: a kernel
now and then keeps a slow state for a whole process (1.5-2.5x), so the run's time is the
median of its passes' medians. Each run's best_time_ms becomes that time (null, with a
warning, when a pass could not time it), and the time it had is kept as tuned_best_time_ms;
`retimed_passes_ms` lists the passes. A run without a re-timed record, or a task, tuner and
seed that two runs share or whose records differ in configuration (two variants of one
tuner), is an error: one line, exit status 2.
"""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from plot_curves import load_all_runs  # noqa: E402

LAYER = re.compile(r"--layer[ =](\S+)")


def retimed_by_run(paths):
    """(task, tuner, seed) -> the run's re-timed records (one per pass); None after an
    error."""
    records = load_all_runs(paths, "retimed_runs")
    if records is None:
        return None
    retimed = {}
    for record in records:
        layer = LAYER.search(record.get("run_command") or "")
        if layer is None:
            print(f"retimed_runs: a re-timed record's run command names no --layer "
                  f"({record.get('run_command')!r}); re-time records of `tessel tune --layer` "
                  "runs", file=sys.stderr)
            return None
        key = (layer.group(1), record["run_tuner"], record["run_seed"])
        passes = retimed.setdefault(key, [])
        if passes and passes[0]["config"] != record["config"]:
            print(f"retimed_runs: task {key[0]}, {key[1]}, seed {key[2]} has re-timed records "
                  "of two configurations; give one variant's records at a time", file=sys.stderr)
            return None
        passes.append(record)
    return retimed


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    runs = load_all_runs(sys.argv[1:2], "retimed_runs")
    retimed = retimed_by_run(sys.argv[2:])
    if runs is None or retimed is None:
        return 2
    seen = set()
    for run in runs:
        key = (run["task"], run["tuner"], run["seed"])
        passes = retimed.get(key)
        if key in seen or passes is None or passes[0]["workload"] != run["workload"]:
            why = ("two runs share it" if key in seen else
                   "no re-timed record" if passes is None else "the workloads differ")
            print(f"retimed_runs: task {key[0]}, {key[1]}, seed {key[2]}: {why}; re-time that "
                  "run's best record", file=sys.stderr)
            return 2
        seen.add(key)
        failed = [p["status"] for p in passes if p["status"] != "ok"]
        if failed:
            print(f"retimed_runs: warning: task {key[0]}, {key[1]}, seed {key[2]}: "
                  f"{failed[0]} when re-timed", file=sys.stderr)
        run["tuned_best_time_ms"] = run["best_time_ms"]
        run["retimed_passes_ms"] = [p["retimed_ms"] for p in passes]
        run["best_time_ms"] = None if failed else statistics.median(run["retimed_passes_ms"])
        print(json.dumps(run, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
