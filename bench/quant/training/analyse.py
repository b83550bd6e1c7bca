#!/usr/bin/env python3
"""Prints README.md's tables from results/*.txt (quant_training's output, run.sh's steps).

    python3 bench/quant/training/analyse.py
"""
import glob
import itertools
import os
import re
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")


def rows(name):
    """The table rows of one result file: (net, scale, tune, bits) -> (validation, test, eval_s)."""
    table = {}
    path = os.path.join(RESULTS, name + ".txt")
    if not os.path.exists(path):
        return table
    for line in open(path):
        fields = line.split()
        if len(fields) >= 7 and fields[0] in ("lenet5", "convnet6") and fields[3].isdigit():
            key = (fields[0], fields[1], int(fields[2]), int(fields[3]))
            table[key] = (float(fields[4]), float(fields[5]), float(fields[6]))
    return table


def float_runs():
    print("| net | seed | validation | test | training (s) |")
    print("|---|---:|---:|---:|---:|")
    for path in sorted(glob.glob(os.path.join(RESULTS, "float_*_seed*.txt"))):
        text = open(path).read()
        accuracy = re.search(r"float (\S+) seed (\d+): validation (\S+) test (\S+)", text)
        trained = re.search(r"trained in (\S+) s", text)
        net, seed, validation, test = accuracy.groups()
        seconds = trained.group(1) if trained else "cached"
        print(f"| {net} | {seed} | {float(validation):.2%} | {float(test):.2%} | {seconds} |")


def pct(value):
    return f"{100 * value:.1f}"


def post_training(net):
    seeds = [rows(f"ptq_{net}_seed{seed}") for seed in (1, 2, 3)]
    print(f"\n{net}, post-training, test accuracy (%) for training seeds 1 / 2 / 3:\n")
    print("| bits | none (ReLeQ's code) | max\\|w\\| | mean\\|w\\| |")
    print("|---:|---|---|---|")
    for bits in range(2, 9):
        cells = []
        for scale in ("none", "max", "mean"):
            values = [seed.get((net, scale, 0, bits)) for seed in seeds]
            cells.append(" / ".join(pct(v[1]) if v else "-" for v in values))
        print(f"| {bits} | " + " | ".join(cells) + " |")


def seed_spread():
    """Per configuration (net, scale, bits) the spread between training seeds."""
    spreads, pairs = [], []
    for net, scale, bits in itertools.product(("lenet5", "convnet6"), ("none", "max"),
                                              range(2, 9)):
        values = []
        for seed in (1, 2, 3):
            row = rows(f"ptq_{net}_seed{seed}").get((net, scale, 0, bits))
            if row:
                values.append(row[1])
        if len(values) == 3:
            spreads.append(max(values) - min(values))
            pairs += [abs(a - b) for a, b in itertools.combinations(values, 2)]
    if spreads:
        print(f"\nseed spread of post-training test accuracy over {len(spreads)} configurations "
              f"(none and max scales, 2-8 bits, both nets): median max-min "
              f"{100 * statistics.median(spreads):.2f} points, median pairwise "
              f"{100 * statistics.median(pairs):.2f} points, largest {100 * max(spreads):.2f}")


def fine_tuned(net, name, title, scales=("none", "max", "mean")):
    tuned = rows(name)
    if not tuned:
        return
    baseline = rows(f"ptq_{net}_seed1")
    print(f"\n{net} seed 1, {title}: test accuracy (%), post-training -> fine-tuned "
          f"(validation in brackets), seconds per evaluation\n")
    present = [s for s in scales if any(k[1] == s for k in tuned)]
    print("| bits | " + " | ".join(present) + " |")
    print("|---:|" + "---|" * len(present))
    for bits in range(1, 33):
        cells = []
        for scale in present:
            after = [v for k, v in tuned.items() if k[1] == scale and k[3] == bits and k[2] > 0]
            before = baseline.get((net, scale, 0, bits))
            if not after:
                cells.append(None)
                continue
            validation, test, seconds = after[0]
            start = pct(before[1]) + " -> " if before else ""
            cells.append(f"{start}{pct(test)} ({pct(validation)}), {seconds:.0f} s")
        if any(cells):
            print(f"| {bits} | " + " | ".join(c or "" for c in cells) + " |")


def activations(net):
    for abits in (8, 4):
        table = rows(f"act{abits}_{net}_seed1")
        if not table:
            continue
        print(f"\n{net} seed 1, activations at {abits} bits, max scale: test accuracy (%)")
        for bits in (2, 4, 8):
            post = table.get((net, "max", 0, bits))
            tuned = table.get((net, "max", 1, bits))
            print(f"  weights {bits} bits: post-training {pct(post[1]) if post else '-'}, "
                  f"1 epoch of 5,000 images {pct(tuned[1]) if tuned else '-'}")


def main():
    float_runs()
    for net in ("lenet5", "convnet6"):
        post_training(net)
    seed_spread()
    for net in ("lenet5", "convnet6"):
        fine_tuned(net, f"finetune_{net}_seed1", "one epoch over the 55,000 training images")
        fine_tuned(net, f"finetune5k_{net}_seed1", "one epoch over 5,000 images")
        fine_tuned(net, f"finetune_momentum0_{net}_seed1",
                   "one epoch over 55,000 images without momentum", ("none", "max"))
        activations(net)


if __name__ == "__main__":
    main()
