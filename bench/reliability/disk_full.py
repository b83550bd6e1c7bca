#!/usr/bin/env python3
"""A database whose writes start failing mid-run, and one that is read-only from the start.

Scenarios:
  full_filesystem  the database lives on a small tmpfs (needs root to mount; skipped otherwise)
                   and a long run fills it;
  file_size_limit  the run's file-size limit (ulimit -f) stops its writes (any user);
  read_only_mount  the database is reachable only through a read-only bind mount (root).
In each, records are made first; then the failing command must exit non-zero with one line on
stderr saying what is wrong, every record committed before must still be there, and PRAGMA
integrity_check must be ok; the database must still open for `tessel best`.

A file cannot be made read-only under a process that has it open for writing: Linux refuses to
remount a filesystem read-only while a file on it is open for writing (EBUSY), and permissions
are checked when a file is opened, not on each write. The failing-write scenarios above are
what "read-only mid-run" amounts to.

Prints one JSON object (and writes it to --out); exits 1 when a check fails.
"""
import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import report  # bench/reliability/report.py, beside this script


def records(db_path):
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = set(connection.execute("SELECT id, config, status, value FROM measurements"))
        verdict = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        return rows, verdict
    finally:
        connection.close()


def tune(tessel, db, trials, seed, preexec=None):
    command = [tessel, "tune", "--net", "example", "--tuner", "random", "--trials", str(trials),
               "--batch-size", "64", "--seed", str(seed), "--db", db]
    return subprocess.run(command, capture_output=True, text=True, preexec_fn=preexec)


def mount(args):
    return subprocess.run(["mount"] + args, capture_output=True, text=True).returncode == 0


def check_failed_run(name, db, before, result, failures):
    """The common checks after a run whose writes failed."""
    # Progress lines come first (stderr is not a terminal); the error is the one last line.
    errors = [line for line in result.stderr.splitlines() if line.startswith("tessel: ")]
    outcome = {"exit": result.returncode, "error": errors[-1] if errors else None,
               "records_before": len(before)}
    if result.returncode == 0:
        failures.append(f"{name}: the run did not fail")
    if len(errors) != 1 or not result.stderr.strip().endswith(errors[0]):
        failures.append(f"{name}: stderr does not end in one 'tessel:' line: "
                        f"{result.stderr[-500:]!r}")
    after, verdict = records(db)
    outcome.update({"records_after": len(after), "integrity_check": verdict,
                    "records_lost": len(before - after)})
    if before - after:
        failures.append(f"{name}: {len(before - after)} committed records lost")
    if verdict != "ok":
        failures.append(f"{name}: integrity_check: {verdict}")
    return outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tessel", default=os.environ.get("TESSEL", "build/tessel"))
    parser.add_argument("--dir", help="scratch directory (default: a new temporary one)")
    parser.add_argument("--out")
    args = parser.parse_args()
    tessel = os.path.abspath(args.tessel)
    scratch = args.dir or tempfile.mkdtemp(prefix="tessel_disk_")
    os.makedirs(scratch, exist_ok=True)
    failures, summary = [], {}

    # A file-size limit: writes past it fail with EFBIG (tessel ignores SIGXFSZ).
    db = os.path.join(scratch, "limited.db")
    first = tune(tessel, db, 2000, 1)
    if first.returncode != 0:
        failures.append(f"file_size_limit: the first run failed: {first.stderr.strip()}")
    before, _ = records(db)
    limit = os.path.getsize(db) + os.path.getsize(db + "-wal") + 64 * 1024

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = tune(tessel, db, 200000, 2, preexec=limited)
    summary["file_size_limit"] = check_failed_run("file_size_limit", db, before, result, failures)
    if tune(tessel, db, 1, 3).returncode != 0:
        failures.append("file_size_limit: the database no longer takes records")

    mount_point = os.path.join(scratch, "small")
    os.makedirs(mount_point, exist_ok=True)
    if mount(["-t", "tmpfs", "-o", "size=3m", "tmpfs", mount_point]):
        try:
            db = os.path.join(mount_point, "full.db")
            tune(tessel, db, 2000, 1)
            before, _ = records(db)
            result = tune(tessel, db, 200000, 2)
            summary["full_filesystem"] = check_failed_run("full_filesystem", db, before, result,
                                                          failures)
            best = subprocess.run([tessel, "best", "--db", db], capture_output=True, text=True)
            summary["full_filesystem"]["best_exit"] = best.returncode
            if best.returncode != 0:
                failures.append(f"full_filesystem: best failed: {best.stderr.strip()}")
        finally:
            subprocess.run(["umount", mount_point])
    else:
        summary["full_filesystem"] = "skipped: mounting a tmpfs needs root"

    source = os.path.join(scratch, "writable")
    read_only = os.path.join(scratch, "read_only")
    os.makedirs(source, exist_ok=True)
    os.makedirs(read_only, exist_ok=True)
    db = os.path.join(source, "ro.db")
    tune(tessel, db, 100, 1)
    before, _ = records(db)
    if mount(["--bind", source, read_only]):
        try:
            if mount(["-o", "remount,bind,ro", read_only]):
                result = tune(tessel, os.path.join(read_only, "ro.db"), 200, 2)
                outcome = check_failed_run("read_only_mount", db, before, result, failures)
                outcome["records_after"] = len(records(db)[0])
                summary["read_only_mount"] = outcome
                if "read-only" not in result.stderr:
                    failures.append(f"read_only_mount: {result.stderr.strip()}")
            else:
                summary["read_only_mount"] = "skipped: cannot remount read-only"
        finally:
            subprocess.run(["umount", read_only])
    else:
        summary["read_only_mount"] = "skipped: bind mounts need root"

    if not args.dir:
        shutil.rmtree(scratch, ignore_errors=True)
    return report.finish(summary, failures, args.out)


if __name__ == "__main__":
    sys.exit(main())
