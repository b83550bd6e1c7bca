#!/usr/bin/env python3
"""Candidate default schedules for the pointwise kernel, timed with `tessel eval`.

For each 1x1 task of a records database, takes its first measured configuration (the default
schedule of the build that tuned it) and variants of it with other register tiles of 16-lane
vectors: along pixels on NCHW planes of over 64 pixels, along output channels on smaller ones
and on every NHWC (layout=nhwc) task. Times every candidate with `tessel eval` at THREADS threads, ROUNDS rounds over the tasks
(candidates in alternating order), into a scratch database, and prints each candidate's speed
relative to that default (median over rounds).

    bench/pointwise/default_candidates.py --db records.db --tessel build/tessel --threads 1 \\
        --rounds 3 > results.txt
"""
import argparse
import collections
import json
import os
import re
import sqlite3
import statistics
import subprocess
import tempfile

PIXEL_TILES = [(8, 2), (4, 4), (6, 3), (4, 3)]    # rows (channels) x vectors of pixels
CHANNEL_TILES = [(3, 4), (6, 2), (4, 3), (8, 3)]  # rows (pixels) x vectors of channels
NHWC_TILES = [(6, 2), (6, 4), (4, 4), (8, 3), (4, 3)]


def with_knobs(config, **knobs):
    for knob, value in knobs.items():
        config = re.sub(rf"(^|;){knob}=[^;]*", rf"\g<1>{knob}={value}", config)
    return config


def tiles_k(channels, tile_channels):
    """The default's cache tile: up to 32 register tiles of channels (pointwise_conv2d.cc)."""
    tiles = 1
    while tiles < 32 and tiles * 2 <= -(-channels // tile_channels):
        tiles *= 2
    return tiles


def candidates(instance, default):
    shape = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", instance.split(":", 1)[1])}
    channels, pixels = shape["k"], shape["h"] * shape["w"]
    found = {"default": default}
    if "layout=nhwc" in instance:
        for rows, cols in NHWC_TILES:
            found[f"channels {rows}x{cols}"] = with_knobs(
                default, vec=16, pw_rows=rows, pw_cols=cols, pw_channel_vectors=1,
                pw_tiles_k=tiles_k(channels, 16 * cols))
    elif pixels > 64:
        for rows, cols in PIXEL_TILES:
            found[f"pixels {rows}x{cols}"] = with_knobs(
                default, vec=16, pw_rows=rows, pw_cols=cols, pw_channel_vectors=0,
                pw_tiles_k=tiles_k(channels, rows))
    else:
        for rows, cols in CHANNEL_TILES:
            found[f"channels {rows}x{cols}"] = with_knobs(
                default, vec=16, pw_rows=rows, pw_cols=cols, pw_channel_vectors=1,
                pw_tiles_k=tiles_k(channels, 16 * cols))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--tessel", default="build/tessel")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    records = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    tasks = records.execute(
        "SELECT t.instance, m.config FROM tasks t JOIN measurements m ON m.task_id = t.id "
        "WHERE m.seq = (SELECT MIN(seq) FROM measurements WHERE task_id = t.id) "
        "ORDER BY t.id").fetchall()
    # The 1x1 tasks, each instance once (a database may hold it for several thread counts).
    tasks = [task for task in dict(tasks).items()
             if ",r=1,s=1," in task[0] and "groups" not in task[0]]
    times = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        scratch_db = os.path.join(scratch, "candidates.db")
        for round_ in range(args.rounds):
            for instance, default in tasks:
                configs = candidates(instance, default)
                names = list(configs)[::-1] if round_ % 2 else list(configs)
                for name in names:
                    out = subprocess.run(
                        [args.tessel, "eval", "--workload", instance, "--config", configs[name],
                         "--threads", str(args.threads), "--db", scratch_db, "--json"],
                        capture_output=True, text=True, check=False)
                    result = json.loads(out.stdout) if out.returncode == 0 else {}
                    if result.get("status") == "ok":
                        times[(instance, name)].append(result["value"])
    print(f"{args.threads} thread(s), {args.rounds} rounds; speed relative to the default "
          "(median times), over 1 is faster")
    for instance, default in tasks:
        base = statistics.median(times[(instance, "default")])
        cells = []
        for name in candidates(instance, default):
            measured = times[(instance, name)]
            cells.append(f"{name} {base / statistics.median(measured):.2f}" if measured
                         else f"{name} failed")
        print(f"{instance.split(':', 1)[1]}: default {base:.4f} ms | " + ", ".join(cells[1:]))


if __name__ == "__main__":
    main()
