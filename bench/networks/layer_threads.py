#!/usr/bin/env python3
"""Summarises layer_threads.sh: end-to-end medians per pair of processes, `--layer-threads
fastest` over `pool`, and the layers the choice kept to one thread with their measured ratio."""
import collections
import json
import statistics
import sys


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    by_pair = collections.defaultdict(dict)
    for run in runs:
        by_pair[run["pair"]][run["layer_threads"]] = run
    first = runs[0]
    print(f"{first['network']}, {first['threads']} threads, {len(by_pair)} pairs of processes, "
          f"{first['runs']} runs each")
    print("pair  fastest ms  pool ms  fastest/pool  layers on one thread")
    ratios = []
    for pair, modes in sorted(by_pair.items()):
        if set(modes) != {"fastest", "pool"}:
            continue
        fast, pool = modes["fastest"]["median_ms"], modes["pool"]["median_ms"]
        ratios.append(fast / pool)
        single = sum(layer["single_threaded"] for layer in modes["fastest"]["layers"])
        print(f"{pair:4d}  {fast:10.3f}  {pool:7.3f}  {fast / pool:12.3f}  {single}")
    ratios.sort()
    print(f"fastest/pool: median {statistics.median(ratios):.3f}, "
          f"range {ratios[0]:.3f}-{ratios[-1]:.3f}")
    chosen = collections.Counter()
    layer_ratios = collections.defaultdict(list)
    fastest_runs = [run for run in runs if run["layer_threads"] == "fastest"]
    for run in fastest_runs:
        for layer in run["layers"]:
            if "thread_choice" in layer:
                layer_ratios[layer["name"]].append(layer["thread_choice"]["ratio"])
            if layer["single_threaded"]:
                chosen[layer["name"]] += 1
    print("layers kept to one thread (of", len(fastest_runs), "processes), "
          "median one-thread/pool ratio as measured by the choice:")
    for name, count in chosen.most_common():
        print(f"  {name:24s} {count:3d}  {statistics.median(layer_ratios[name]):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
