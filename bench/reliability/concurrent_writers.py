#!/usr/bin/env python3
"""Several `tessel tune` processes write one database at once, while readers read it.

The writers tune different tasks and the same task (accelerator sizing on MAESTRO's model, a
replay table and, optionally, a real schedule workload: the analytical problems commit hundreds
of batches a second, which is what makes locks collide). Readers run `tessel best` and
`tessel export` in a loop meanwhile. Then checks: every process exited 0 and none printed
"database is locked"; every run recorded exactly its measurements, each once ((run, seq)
unique, no record twice); PRAGMA integrity_check is ok; and `tune --resume` with each writer's
options finds all of its task's records and has nothing left to do.

Prints one JSON object (and writes it to --out); exits 1 when a check fails.
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import report  # bench/reliability/report.py, beside this script


def writers(args):
    """(name, tune options): two pairs on the same task, and tasks of their own."""
    accel = ["--net", "example", "--tuner", "random", "--batch-size", "8"]
    replay = ["--space", args.space, "--tuner", "random", "--batch-size", "4"]
    chosen = [
        ("accel-a", accel + ["--trials", str(args.accel_trials), "--seed", "1"]),
        ("accel-b", accel + ["--trials", str(args.accel_trials), "--seed", "2"]),
        ("replay-a", replay + ["--trials", "250", "--seed", "1"]),
        ("replay-b", replay + ["--trials", "250", "--seed", "2"]),
    ]
    if args.workload:
        chosen.append(("schedule", ["--workload", args.workload, "--tuner", "random",
                                    "--trials", "16", "--threads", "1", "--seed", "1"]))
    return chosen[:args.writers]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tessel", default=os.environ.get("TESSEL", "build/tessel"))
    parser.add_argument("--db", required=True, help="database to write (removed first)")
    parser.add_argument("--space", default="examples/r18.2_300_rows.csv")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--accel-trials", type=int, default=20000)
    parser.add_argument("--workload", default="", help="also tune this schedule workload")
    parser.add_argument("--out")
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    failures = []
    chosen = writers(args)

    # Readers, as a dashboard or a user would read during the writes.
    reads = {"best": 0, "export": 0, "failed": 0}
    stop = threading.Event()

    def read_loop(command, name):
        while not stop.is_set():
            result = subprocess.run([args.tessel] + command, capture_output=True, text=True)
            # Before the first writer has created the file there is nothing to read.
            if result.returncode != 0 and os.path.exists(args.db) and os.path.getsize(args.db):
                reads["failed"] += 1
                failures.append(f"{name} failed: {result.stderr.strip()}")
            else:
                reads[name] += 1
            time.sleep(0.05)

    readers = [threading.Thread(target=read_loop, args=(["best", "--db", args.db], "best")),
               threading.Thread(target=read_loop,
                                args=(["export", "--db", args.db], "export"))]
    start = time.monotonic()
    processes = []
    for name, options in chosen:
        command = [args.tessel, "tune", "--db", args.db, "--json"] + options
        processes.append((name, options,
                          subprocess.Popen(command, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)))
    for reader in readers:
        reader.start()
    outputs = {}
    for name, options, process in processes:
        out, err = process.communicate()
        outputs[name] = (process.returncode, out, err)
    wall = time.monotonic() - start
    stop.set()
    for reader in readers:
        reader.join()

    for name, (status, out, err) in outputs.items():
        if status != 0:
            failures.append(f"{name} exited {status}: {err.strip()[-300:]}")
        if "locked" in err or "busy" in err:
            failures.append(f"{name}: {err.strip()[-300:]}")

    connection = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    rows = connection.execute("SELECT run_id, seq, task_id, config FROM measurements").fetchall()
    per_run = {}
    for run_id, _, _, _ in rows:
        per_run[run_id] = per_run.get(run_id, 0) + 1
    runs = connection.execute("SELECT id, command FROM runs ORDER BY id").fetchall()
    connection.close()
    if integrity != "ok":
        failures.append("integrity_check: " + integrity)
    if len({(r[0], r[1]) for r in rows}) != len(rows):
        failures.append("a (run, seq) pair recorded twice")

    # Each writer's run holds what it said it measured (its default configuration included).
    # A run is found by its command line, which ends with the writer's options.
    for name, options in chosen:
        status, out, _ = outputs[name]
        if status != 0:
            continue
        reported = sum(json.loads(line)["measurements"] for line in out.splitlines() if line)
        matching = [run_id for run_id, command in runs if command.endswith(" ".join(options))]
        recorded = sum(per_run.get(run_id, 0) for run_id in matching)
        # The default configuration is recorded besides the tuner's measurements.
        if recorded not in (reported, reported + 1):
            failures.append(f"{name}: reported {reported} measurements, {recorded} recorded")

    # Resuming each writer finds its task's records: there is nothing left to do.
    resumed = {}
    for name, options in chosen:
        result = subprocess.run([args.tessel, "tune", "--db", args.db, "--resume", "--json"] +
                                options, capture_output=True, text=True)
        resumed[name] = result.returncode
        if result.returncode != 0 or "nothing to do" not in result.stderr:
            failures.append(f"--resume {name}: exit {result.returncode}: "
                            f"{result.stderr.strip()[-300:]}")

    summary = {
        "writers": [name for name, _ in chosen],
        "wall_s": round(wall, 1),
        "records": len(rows),
        "runs": len(runs),
        "reads": reads,
        "integrity_check": integrity,
        "resume_exit": resumed,
    }
    return report.finish(summary, failures, args.out)


if __name__ == "__main__":
    sys.exit(main())
