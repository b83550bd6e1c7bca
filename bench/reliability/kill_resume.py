#!/usr/bin/env python3
"""Kills a real `tessel tune --resume` at random moments and resumes it, over and over.

Each round starts `tessel tune --resume` on one task, waits a random time (during start-up,
compiles, timed runs or commits: the moment is drawn, not chosen), and sends a signal:
  KILL  the process has no say; every record committed before must survive, and the database
        must pass PRAGMA integrity_check;
  INT, TERM  the process must stop within --stop-limit seconds, committing what it measured,
        say so on stderr ("tessel: stopped by SIGINT ...") and then end by the same signal, with
        its default action (Popen's returncode is minus the signal; a shell shows 130 or 143).
        A process the signal ends without that line was still loading, before main() installed
        the handlers: it had opened nothing (counted as ended_before_main). Any other ending,
        128 + the signal included, is a failure.
Whatever the signal, the kernel processes tessel had forked when it was sent must be gone
within --leftover-wait seconds (2) of tessel's exit (leftover_processes; they die with it,
PR_SET_PDEATHSIG). While it runs, a reader polls the database (read-only, as a dashboard would)
and remembers every record it saw committed; after each signal every one of them must still be
there. After the last round the run is resumed to its end: the task must then hold exactly the
requested number of measurements, and no configuration twice.

Prints one JSON object with the counts (and writes it to --out); exits 1 when a check fails.
Among the counts: records_seen_before, the distinct records the reader had seen committed
before the last signal (each checked again after every later signal); record_checks, those
checks summed over the rounds; stopped_by_handler, the INT or TERM rounds that ended as above.
"""
import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import report  # bench/reliability/report.py, beside this script

SIGNALS = {"KILL": signal.SIGKILL, "INT": signal.SIGINT, "TERM": signal.SIGTERM}


def read_records(db_path):
    """Every measurement as (id, task_id, config, status, value), or None before the file exists."""
    if not os.path.exists(db_path):
        return None
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60)
    try:
        return set(
            connection.execute("SELECT id, task_id, config, status, value FROM measurements"))
    except sqlite3.OperationalError:
        return None  # the schema is not created yet
    finally:
        connection.close()


def integrity(db_path):
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


class Reader(threading.Thread):
    """Polls the database while the tuner writes, keeping every record it has seen."""

    def __init__(self, db_path, interval):
        super().__init__(daemon=True)
        self.db_path, self.interval = db_path, interval
        self.seen = set()
        self.reads = 0
        self.errors = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                records = read_records(self.db_path)
                if records is not None:
                    self.seen |= records
                    self.reads += 1
            except sqlite3.Error as error:  # a reader must never fail either
                self.errors.append(str(error))
            time.sleep(self.interval)


def default_signal_actions():
    """Run in the child before exec: a shell that starts this script in the background makes
    it ignore SIGINT, and an ignored signal stays ignored across exec, so a signal that lands
    before tessel's main() would be lost rather than end the process the default way."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def children_of(pid):
    """The processes `pid` has forked, from any of its threads, at this moment."""
    children = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return children
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/children") as f:
                children += [int(child) for child in f.read().split()]
        except OSError:
            pass  # the thread has ended
    return children


def process_state(pid):
    """(state letter, start time in clock ticks) of a process, or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: the fields follow its last ')'.
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], fields[19]  # fields 3 and 22 of proc(5)


def descendants_of(pid):
    """The kernel processes the tuner has forked (compiling or running), and any they forked,
    as {pid: start time}: the start time tells a process from a later one given its pid."""
    found = {}
    pending = children_of(pid)
    while pending:
        child = pending.pop()
        state = process_state(child)
        if state is None or state[0] in "ZXx" or child in found:
            continue  # gone, or ended and waiting to be reaped
        found[child] = state[1]
        pending += children_of(child)
    return found


def still_alive(processes):
    """The processes of descendants_of(...) that still run. A zombie has ended (it waits only
    for its new parent, init or a subreaper, to reap it), and a pid with another start time
    belongs to a later process."""
    alive = []
    for pid, started in processes.items():
        state = process_state(pid)
        if state is not None and state[1] == started and state[0] not in "ZXx":
            alive.append(pid)
    return alive


def stop_line(stderr_text, name):
    """The line tessel prints on stderr when its handler stopped it, or None."""
    for line in stderr_text.splitlines():
        if line.startswith(f"tessel: stopped by SIG{name}"):
            return line
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tessel", default=os.environ.get("TESSEL", "build/tessel"))
    parser.add_argument("--db", required=True, help="database to tune into (removed first)")
    parser.add_argument("--signal", choices=sorted(SIGNALS), default="KILL")
    parser.add_argument("--rounds", type=int, default=100, help="signals to send")
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--workload", default="conv2d:c=32,h=28,w=28,k=32,r=3,s=3,pad=1")
    parser.add_argument("--tuner", default="autotvm")
    # --no-default: the default schedule is measured before the tuner starts and is not handed
    # to it, so a tuner could propose it again within the run.
    parser.add_argument("--extra", default="--plan-size 4 --batch-size 2 --threads 1 --no-default",
                        help="more tune options")
    parser.add_argument("--min-delay", type=float, default=0.3)
    parser.add_argument("--max-delay", type=float, default=5.0)
    parser.add_argument("--stop-limit", type=float, default=1.0,
                        help="seconds INT or TERM may take to stop the process")
    parser.add_argument("--leftover-wait", type=float, default=2.0,
                        help="seconds the kernel processes may outlive the tuner")
    parser.add_argument("--seed", type=int, default=1, help="seeds the delays and the tuner")
    parser.add_argument("--out", help="also write the JSON summary here")
    args = parser.parse_args()

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    rng = random.Random(args.seed)
    command = [args.tessel, "tune", "--workload", args.workload, "--tuner", args.tuner,
               "--trials", str(args.trials), "--resume", "--db", args.db,
               "--seed", str(args.seed)] + args.extra.split()
    log = open(args.db + ".log", "w")
    failures = []
    summary = {"signal": args.signal, "command": " ".join(command[1:]), "rounds": 0,
               "while_measuring": 0, "finished_before_signal": 0, "records_seen_before": 0,
               "record_checks": 0, "records_lost": 0, "ended_before_main": 0,
               "stopped_by_handler": 0, "kernel_processes_signalled": 0,
               "leftover_processes": 0, "stop_seconds_max": None, "exit_statuses": {}}
    stop_seconds = []
    reader = Reader(args.db, 0.05)
    reader.start()

    for round_index in range(args.rounds):
        # The round's stderr goes to a file of its own, to look for the stop line, and then to
        # the log.
        stderr = open(args.db + ".stderr", "w+")
        process = subprocess.Popen(command, stdout=log, stderr=stderr,
                                   preexec_fn=default_signal_actions)
        delay = rng.uniform(args.min_delay, args.max_delay)
        try:
            process.wait(timeout=delay)
            finished = True  # the run reached its end first
        except subprocess.TimeoutExpired:
            finished = False
        if not finished:
            kernels = descendants_of(process.pid)
            measuring = bool(kernels)
            seen_before = set(reader.seen)
            sent = time.monotonic()
            process.send_signal(SIGNALS[args.signal])
            try:
                status = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                status = process.wait()
                failures.append(f"round {round_index}: still running 60 s after "
                                f"SIG{args.signal}")
            exited = time.monotonic()
            took = exited - sent
            # The kernel processes die with the tuner (PR_SET_PDEATHSIG), or are killed by it
            # when it stops: none may outlive it by more than --leftover-wait.
            leftovers = still_alive(kernels)
            while leftovers and time.monotonic() - exited < args.leftover_wait:
                time.sleep(0.05)
                leftovers = still_alive({pid: kernels[pid] for pid in leftovers})
        stderr.seek(0)
        stderr_text = stderr.read()
        stderr.close()
        log.write(stderr_text)
        log.flush()
        if finished:
            summary["finished_before_signal"] += 1
            break

        summary["rounds"] += 1
        summary["while_measuring"] += measuring
        summary["kernel_processes_signalled"] += len(kernels)
        key = str(status)
        summary["exit_statuses"][key] = summary["exit_statuses"].get(key, 0) + 1
        if leftovers:
            summary["leftover_processes"] += len(leftovers)
            failures.append(f"round {round_index}: {len(leftovers)} kernel processes "
                            f"({', '.join(map(str, leftovers))}) still running "
                            f"{args.leftover_wait:g} s after the tuner ended")
            for pid in still_alive({pid: kernels[pid] for pid in leftovers}):
                try:
                    os.kill(pid, signal.SIGKILL)  # so that they disturb no later round
                except OSError:
                    pass
        stopped = stop_line(stderr_text, args.signal)
        if status == 0 and not stopped:
            # The run reached its end between the delay and the signal.
            summary["finished_before_signal"] += 1
        elif args.signal != "KILL":
            stop_seconds.append(took)
            if status == -SIGNALS[args.signal] and stopped:
                # Stopped by the handler, which committed what was measured, said so, and
                # ended the process by the signal.
                summary["stopped_by_handler"] += 1
            elif status == -SIGNALS[args.signal]:
                # A signal that lands while the program is still being loaded, before main()
                # installs its handlers, ends it the default way without a word: it has not
                # opened the database yet.
                summary["ended_before_main"] += 1
            else:
                failures.append(f"round {round_index}: exit status {status} after "
                                f"SIG{args.signal}" + (f" ({stopped})" if stopped else
                                                       " without a stop line on stderr"))
            if took > args.stop_limit:
                failures.append(f"round {round_index}: took {took:.2f} s to stop")
        time.sleep(0.1)  # the reader's last poll
        after = read_records(args.db) or set()
        lost = seen_before - after
        # reader.seen only grows, so the last round's count is every record seen before a
        # signal; record_checks counts each one once per round it was checked in.
        summary["records_seen_before"] = max(summary["records_seen_before"], len(seen_before))
        summary["record_checks"] += len(seen_before)
        summary["records_lost"] += len(lost)
        if lost:
            failures.append(f"round {round_index}: {len(lost)} committed records lost")
        verdict = integrity(args.db) if os.path.exists(args.db) else "ok"
        if verdict != "ok":
            failures.append(f"round {round_index}: integrity_check: {verdict}")
        if status == 0:
            break  # nothing is left to resume

    if os.path.exists(args.db + ".stderr"):
        os.remove(args.db + ".stderr")

    # The last run goes to the end undisturbed.
    final = subprocess.run(command, stdout=log, stderr=log)
    reader.stop.set()
    reader.join()
    if final.returncode != 0:
        failures.append(f"the final run exited with {final.returncode}")
    records = read_records(args.db) or set()
    tasks = {record[1] for record in records}
    configs = [record[2] for record in records]
    summary.update({
        "records": len(records),
        "tasks": len(tasks),
        "distinct_configs": len(set(configs)),
        "integrity_check": integrity(args.db),
        "reader_polls": reader.reads,
        "reader_errors": len(reader.errors),
        "stop_seconds_max": round(max(stop_seconds), 3) if stop_seconds else None,
        "stop_seconds_median": round(sorted(stop_seconds)[len(stop_seconds) // 2], 3)
        if stop_seconds else None,
    })
    if len(records) != args.trials:
        failures.append(f"{len(records)} measurements recorded, {args.trials} asked for")
    if len(set(configs)) != len(configs):
        failures.append(f"{len(configs) - len(set(configs))} configurations measured twice")
    if len(tasks) != 1:
        failures.append(f"{len(tasks)} tasks recorded, one expected")
    if summary["integrity_check"] != "ok":
        failures.append("final integrity_check: " + summary["integrity_check"])
    if reader.errors:
        failures.append(f"the reader failed {len(reader.errors)} times: {reader.errors[0]}")
    return report.finish(summary, failures, args.out)


if __name__ == "__main__":
    sys.exit(main())
