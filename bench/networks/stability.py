#!/usr/bin/env python3
"""Summarises stability.sh's rounds: the end-to-end medians and their spread, and per round
how its layers compare with their own median over the rounds (each layer's time divided by
that median): a round slow on all layers alike has ratios bunched above 1; one slow on a few
has most ratios near 1 and a few far above.

    stability.py ROUNDS.jsonl
"""
import json
import statistics
import sys


def main(path):
    rounds = [json.loads(line) for line in open(path) if line.strip()]
    medians = [r["median_ms"] for r in rounds]
    print(f"{rounds[0]['network']}, {rounds[0]['threads']} threads, {len(rounds)} rounds of "
          f"{rounds[0]['runs']} runs")
    print("end-to-end medians, ms: " + ", ".join(f"{m:.3f}" for m in medians))
    print(f"spread between rounds: max/min {max(medians) / min(medians):.3f}, "
          f"median {statistics.median(medians):.3f} ms")
    layers = len(rounds[0]["layers"])
    typical = [statistics.median(r["layers"][i]["median_ms"] for r in rounds) for i in range(layers)]
    print("round  e2e ms | layer time / the layer's median over rounds: quartiles (25%, 50%, 75%), "
          "max | layers over 1.05 | steal ticks, busy ticks (all processes) in the round")
    for index, r in enumerate(rounds, 1):
        ratios = sorted(r["layers"][i]["median_ms"] / typical[i] for i in range(layers)
                        if typical[i] > 0)
        q = statistics.quantiles(ratios, n=4)
        slow = sum(ratio > 1.05 for ratio in ratios)
        ticks = (f" | {r['steal_ticks']}, {r['busy_ticks']}" if "steal_ticks" in r else "")
        print(f"{index:5d} {r['median_ms']:7.3f} | {q[0]:.3f} {q[1]:.3f} {q[2]:.3f}, "
              f"{ratios[-1]:.3f} | {slow} of {len(ratios)}{ticks}")


if __name__ == "__main__":
    main(sys.argv[1])
