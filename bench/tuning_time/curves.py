#!/usr/bin/env python3
"""Network latency against tuning wall time, from the databases bench/tuning_time/run.sh wrote.

    bench/tuning_time/curves.py OUT_DIR MODEL [--baseline autotvm] [--share 0.2] [--svg FILE]
        [--truncate ARM FILE]

The latency is the network's layer sum: every task's best time so far, times how often the
network runs it (`tessel zoo MODEL`); a task not started yet counts at its default schedule's
time, which is what `tessel run` would run for it. Time is wall time since the run began
(`runs.started_at`), as the records' timestamps give it. Prints a Markdown table:
  - per arm, the median over seeds (and range) of its wall time and final layer sum;
  - the layer sum each arm had reached at `share` of the baseline's median wall time;
  - the wall time each arm took to come within 5% of the baseline's final layer sum, as a
    share of the baseline's.
--truncate DIR writes, for every run of the other arms, a copy of its database holding only
the measurements made before `share` of the baseline's median wall time, as
DIR/MODEL.ARM.sSEED.db, for `tessel run` to time end to end.
"""
import argparse
import datetime
import glob
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from band_chart import write_band_chart  # noqa: E402

COLOURS = {"autotvm": "#1f77b4", "release": "#2ca02c", "bted-bao": "#9467bd",
           "tessel": "#d62728", "tessel+prior": "#ff7f0e", "tessel+prior+equal": "#8c564b"}


def parse_time(text):
    return datetime.datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def zoo_weights(tessel, model):
    """Workload text -> how often the network runs it."""
    weights = {}
    listing = subprocess.run([tessel, "zoo", model], check=True, capture_output=True, text=True)
    for line in listing.stdout.splitlines()[1:]:
        fields = line.split()
        weights[fields[-1]] = int(fields[1].lstrip("x"))
    return weights


class Run:
    """One database: the layer sum after each measurement, against wall seconds."""

    def __init__(self, path, weights):
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.start = parse_time(db.execute("select min(started_at) from runs").fetchone()[0])
        instances = dict(db.execute("select id, instance from tasks"))
        rows = db.execute(
            "select task_id, status, value, timestamp from measurements order by seq").fetchall()
        self.measurements = len(rows)
        # Twins of an earlier configuration are answered from the records, compiling nothing.
        self.compiled = db.execute(
            "select count(*) from measurements where compile_ms > 0").fetchone()[0]
        # A task's first record is its default schedule (Tune measures it first).
        default = {}
        for task_id, status, value, _ in rows:
            if task_id not in default:
                default[task_id] = value if status == "ok" else None
        weight = {t: weights[re.sub(r",layout=nhwc$", "", instances[t])] for t in instances}
        best = dict(default)
        latency = sum(weight[t] * v for t, v in best.items() if v is not None)
        self.times, self.latency = [0.0], [latency]
        for task_id, status, value, stamp in rows:
            if status != "ok" or (best[task_id] is not None and value >= best[task_id]):
                continue
            latency -= weight[task_id] * (best[task_id] or 0)
            best[task_id] = value
            latency += weight[task_id] * value
            self.times.append(parse_time(stamp) - self.start)
            self.latency.append(latency)
        self.wall = parse_time(rows[-1][3]) - self.start

    def at(self, seconds):
        """The layer sum at `seconds` into the run."""
        value = self.latency[0]
        for t, v in zip(self.times, self.latency):
            if t > seconds:
                break
            value = v
        return value

    def reach(self, target):
        """Seconds until the layer sum was at most `target`; None if never."""
        for t, v in zip(self.times, self.latency):
            if v <= target:
                return t
        return None


def median_range(values):
    values = [v for v in values if v is not None]
    if not values:
        return "never"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def svg(path, title, runs_by_arm, horizon):
    grid = [horizon * i / 200 for i in range(201)]
    series = {}
    for arm, runs in runs_by_arm.items():
        points = [[r.at(t) for r in runs] for t in grid]
        series[arm] = (grid, [statistics.median(p) for p in points], [min(p) for p in points],
                       [max(p) for p in points])
    low = min(min(s[2]) for s in series.values()) * 0.95
    high = max(max(s[3]) for s in series.values()) * 1.02
    write_band_chart(path, title, series, COLOURS, "tuning wall time (minutes)", "layer sum (ms)",
                     horizon, low, high, x_tick=lambda t: f"{t / 60:.1f}",
                     y_tick=lambda v: f"{v:.1f}", size=(680, 420))


def truncate(source, target, seconds, start):
    shutil.copyfile(source, target)
    db = sqlite3.connect(target)
    cutoff = datetime.datetime.fromtimestamp(start + seconds, datetime.timezone.utc)
    db.execute("delete from measurements where timestamp > ?",
               (cutoff.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",))
    db.commit()
    db.execute("vacuum")
    db.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("model")
    parser.add_argument("--baseline", default="autotvm")
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--svg")
    parser.add_argument("--truncate", metavar="DIR")
    args = parser.parse_args()
    weights = zoo_weights(os.environ.get("TESSEL", "build/tessel"), args.model)
    runs_by_arm = {}
    paths = {}
    for path in sorted(glob.glob(os.path.join(args.out_dir, f"{args.model}.*.s*.db"))):
        arm = os.path.basename(path)[len(args.model) + 1:].rsplit(".s", 1)[0]
        runs_by_arm.setdefault(arm, []).append(Run(path, weights))
        paths.setdefault(arm, []).append(path)
    base = runs_by_arm[args.baseline]
    base_wall = statistics.median(r.wall for r in base)
    base_final = statistics.median(r.latency[-1] for r in base)
    at = base_wall * args.share
    print(f"{args.model}: {args.baseline}'s median wall time {base_wall / 60:.1f} min, its final "
          f"layer sum {base_final:.2f} ms (medians of {len(base)} seeds)\n")
    print(f"| tuner | seeds | measurements | of them compiled | wall time (min) | "
          f"final layer sum (ms) | "
          f"layer sum at {args.share:g} of {args.baseline}'s time (ms) | / {args.baseline}'s "
          f"final | time to within 5% of {args.baseline}'s final, / its wall time (runs "
          f"that got there) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for arm, runs in sorted(runs_by_arm.items()):
        at_share = [r.at(at) for r in runs]
        reach = [r.reach(1.05 * base_final) for r in runs]
        print(f"| {arm} | {len(runs)} | {statistics.median(r.measurements for r in runs):.0f} | "
              f"{statistics.median(r.compiled for r in runs):.0f} | "
              f"{median_range([r.wall / 60 for r in runs])} | "
              f"{median_range([r.latency[-1] for r in runs])} | {median_range(at_share)} | "
              f"{median_range([v / base_final for v in at_share])} | "
              f"{median_range([t / base_wall if t is not None else None for t in reach])}, "
              f"{sum(t is not None for t in reach)} of {len(reach)} runs |")
    if args.svg:
        horizon = max(max(r.wall for r in runs) for runs in runs_by_arm.values())
        svg(args.svg, f"{args.model}: layer sum against tuning time", runs_by_arm, horizon)
    if args.truncate:
        os.makedirs(args.truncate, exist_ok=True)
        for arm, runs in runs_by_arm.items():
            if arm == args.baseline:
                continue
            for run, source in zip(runs, paths[arm]):
                truncate(source, os.path.join(args.truncate, os.path.basename(source)), at,
                         run.start)


if __name__ == "__main__":
    main()
