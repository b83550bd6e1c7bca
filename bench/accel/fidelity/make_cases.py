#!/usr/bin/env python3
"""Writes the fidelity benchmark's single-layer cases (CSV) for MAESTRO and Tessel's model.

    bench/accel/fidelity/make_cases.py [cases.csv] [--seed N] [--count N]

Each case is one MAESTRO call as ConfuciuX makes it: a layer (K,C,Y,X,R,S,T), the network's
dataflow (shi or dla; depthwise layers, T=2, run dpt.m whatever it is), the number of PEs P
and the KTileSz k. The cases are:

- `published`: the runs the specification's worked example quotes (docs/maestro_model.md
  10.2, 11): `example`'s two layers with (58,8), (68,8), (64,2), (64,9), the four corners of
  the area budget (128,12), (1,1), (128,1), (1,12), and the one recorded MAESTRO row (4,4);
- `shi_invalid`: shi with X' < P <= X (MAESTRO's runtime 0, section 5.6) and its borders;
- `net`: rows of the built-in tables (src/problems/accel/nets/), both dataflows;
- `net_dw`: their depthwise rows;
- `synthetic`, `synthetic_dw`: small random layers, many with k > K, P > C, non-square
  filters and Y < 2R-1 (outside the closed forms of 5.6 and 6.3).

P is one of ConfuciuX's 12 levels half of the time and uniform in 1..128 otherwise; k is
uniform in 1..12. The output depends only on the seed and the tables.
"""
import argparse
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
NETS_DIR = os.path.join(HERE, "..", "..", "..", "src", "problems", "accel", "nets")
NETS = ["example", "alexnet", "vgg16", "resnet18", "mobilenet_v2"]
# ConfuciuX's action space (src/ConfX/env_confx.py): 12 PE levels, KTileSz 1..12.
PE_LEVELS = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128]
COLUMNS = ["case", "group", "net", "layer", "K", "C", "Y", "X", "R", "S", "T", "dataflow", "P",
           "k"]


def load_net(name):
    """The table's rows as (1-based row number, (K,C,Y,X,R,S,T)), duplicates dropped."""
    with open(os.path.join(NETS_DIR, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    seen, layers = set(), []
    for number, row in enumerate(rows, 1):
        layer = tuple(int(row[c]) for c in "KCYXRST")
        if layer not in seen:
            seen.add(layer)
            layers.append((number, layer))
    return layers


def draw_pes(rng):
    return rng.choice(PE_LEVELS) if rng.random() < 0.5 else rng.randint(1, 128)


def synthetic_layer(rng, depthwise):
    """A small layer; small K and C make k > K and P > C common."""
    k = 1 if depthwise else rng.choice([rng.randint(1, 12), rng.randint(1, 64)])
    c = rng.choice([rng.randint(1, 12), rng.randint(1, 64)])
    r = rng.choice([1, 2, 3, 3, 5, 7])
    s = r if rng.random() < 0.75 else rng.choice([1, 2, 3, 5])
    # Y from R (a single output row) up; about a quarter below 2R-1.
    if r > 1 and rng.random() < 0.25:
        y = rng.randint(r, 2 * r - 2)
    else:
        y = rng.randint(2 * r - 1, 60)
    x = rng.randint(s, 60)
    return (k, c, y, x, r, s, 2 if depthwise else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default="cases.csv")
    parser.add_argument("--seed", type=int, default=20201017)
    parser.add_argument("--count", type=int, default=400, help="total number of cases")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    cases, seen = [], set()

    def add(group, net, layer_number, layer, dataflow, pes, ktile):
        key = (layer, dataflow, pes, ktile)
        if key in seen:
            return False
        seen.add(key)
        cases.append([len(cases), group, net, layer_number, *layer, dataflow, pes, ktile])
        return True

    nets = {name: load_net(name) for name in NETS}
    example = dict(nets["example"])

    # The specification's worked example and budget corners (shi, as ConfuciuX ran them).
    for number, pes, ktile in [(1, 58, 8), (2, 68, 8), (1, 64, 2), (2, 64, 9), (1, 4, 4)]:
        add("published", "example", number, example[number], "shi", pes, ktile)
    for number in (1, 2):
        for pes, ktile in [(128, 12), (1, 1), (128, 1), (1, 12)]:
            add("published", "example", number, example[number], "shi", pes, ktile)

    # shi's invalid region X' < P <= X and its borders: AlexNet's 13-wide layers (S=3, X'=11)
    # and its 27-wide layer (S=5, X'=23), then synthetic widths.
    for number, layer in nets["alexnet"]:
        x, s = layer[3], layer[5]
        if x in (13, 27):
            for pes in range(x - s + 1, x + 2):
                add("shi_invalid", "alexnet", number, layer, "shi", pes, rng.randint(1, 12))
    while sum(c[1] == "shi_invalid" for c in cases) < 24:
        layer = synthetic_layer(rng, depthwise=False)
        x, s = layer[3], layer[5]
        if s == 1:
            continue
        add("shi_invalid", "synthetic", 0, layer, "shi", rng.randint(x - s + 2, x),
            rng.randint(1, 12))

    conv_rows = [(n, num, l) for n in NETS for num, l in nets[n] if l[6] == 1]
    dw_rows = [(n, num, l) for n in NETS for num, l in nets[n] if l[6] == 2]
    remaining = args.count - len(cases)
    quotas = [("net", round(remaining * 0.5)), ("net_dw", round(remaining * 0.1)),
              ("synthetic_dw", round(remaining * 0.08))]
    quotas.append(("synthetic", remaining - sum(q for _, q in quotas)))
    for group, quota in quotas:
        added = 0
        while added < quota:
            if group == "net":
                net, number, layer = rng.choice(conv_rows)
            elif group == "net_dw":
                net, number, layer = rng.choice(dw_rows)
            else:
                net, number = "synthetic", 0
                layer = synthetic_layer(rng, depthwise=group == "synthetic_dw")
            dataflow = rng.choice(["shi", "dla"])
            added += add(group, net, number, layer, dataflow, draw_pes(rng), rng.randint(1, 12))

    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(cases)
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
