#!/usr/bin/env python3
"""Checks the published ConfuciuX/MAESTRO figures against MAESTRO's output; Markdown on stdout.

    bench/accel/fidelity/published.py maestro_2021.csv [maestro_2020.csv] [--binary MAESTRO]

The figures are those that docs/maestro_model.md (10.2, 11, 1.5) and
bench/accel/reference/ quote: the four `example` layer runs of ConfuciuX's best results and
their sums, the area-budget corners summed over `example`'s two layers (per-layer areas as
printed, 6 significant digits, summed like ConfuciuX), the used constraints, and the one
MAESTRO output row ConfuciuX's repository kept (layer 1, shi, P=4, k=4;
bench/accel/reference/maestro_2021_output_row_773714279.csv). The runs are the `published`
cases of make_cases.py, read from run_maestro.py's output. With --binary (a v2021 build) the
kept row is also compared in all of its columns with a fresh run.

Exit status 1 when a figure differs.
"""
import argparse
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_maestro  # noqa: E402

REFERENCE_ROW = os.path.join(HERE, "..", "reference", "maestro_2021_output_row_773714279.csv")
EXAMPLE = {1: ("64", "32", "56", "56", "3", "3", "1"), 2: ("128", "64", "56", "56", "3", "3", "1")}
CORNERS = [(128, 12), (1, 1), (128, 1), (1, 12)]


def number(value):
    """Integral values in full with separators (ConfuciuX's sums print so), others to 7 digits."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.7g}"
    return f"{int(value):,}"


def load(path):
    """{(example layer, P, k): row} of the shi runs on `example`'s layers."""
    runs = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            layer = tuple(row[c] for c in "KCYXRST")
            for number, dims in EXAMPLE.items():
                if layer == dims and row["dataflow"] == "shi" and row["status"] == "ok":
                    runs[(number, int(row["P"]), int(row["k"]))] = row
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("maestro_2021")
    parser.add_argument("maestro_2020", nargs="?")
    parser.add_argument("--binary", help="a MAESTRO v2021 binary, to rerun the kept row")
    args = parser.parse_args()

    lines, failed = [], False

    def check(version, figure, expected, got):
        nonlocal failed
        if got is None:
            ok = False
        elif isinstance(expected, float):
            ok = abs(got - expected) <= 1e-9 * abs(expected)
        else:
            ok = got == expected
        failed |= not ok
        shown = "missing" if got is None else number(got)
        expected_shown = number(expected)
        lines.append(f"| {version} | {figure} | {expected_shown} | {shown} | "
                     f"{'yes' if ok else '**no**'} |")

    versions = [("v2021", args.maestro_2021)]
    if args.maestro_2020:
        versions.append(("v2020", args.maestro_2020))
    for version, path in versions:
        runs = load(path)

        def value(key, column, kind=int):
            row = runs.get(key)
            return kind(row[column]) if row else None

        def total(keys, column, kind):
            values = [value(key, column, kind) for key in keys]
            return None if None in values else sum(values)

        best = [(1, 58, 8), (2, 68, 8)]
        random_best = [(1, 64, 2), (2, 64, 9)]
        for key, cycles in zip(best + random_best, [999_937, 3_999_745, 1_013_761, 4_216_321]):
            check(version, f"runtime, layer {key[0]}, (P, k) = ({key[1]}, {key[2]})", cycles,
                  value(key, "runtime"))
        check(version, "RL+GA best: (58, 8), (68, 8), cycles", 4_999_682,
              total(best, "runtime", int))
        check(version, "random best: (64, 2), (64, 9), cycles", 5_230_082,
              total(random_best, "runtime", int))
        sums = [total([(1, p, k), (2, p, k)], "area", float) for p, k in CORNERS]
        for (p, k), area in zip(CORNERS, sums):
            lines.append(f"| {version} | corner ({p}, {k}): area summed over both layers | | "
                         f"{'missing' if area is None else number(area)} | |")
        if None not in sums:
            low, high = min(sums), max(sums)
            check(version, "budget range: min", 7.2644e11, low)
            check(version, "budget range: max", 3.1782e13, high)
            check(version, "budget, mul 0.5", 1.625422e13, low + (high - low) * 0.5)
        # ConfuciuX recorded 15,887,390,000,000 with its October 2020 build; the specification
        # (10.2) gives v2021's sixth digit.
        used = 15_887_390_000_000.0 if version == "v2020" else 15_887_380_000_000.0
        check(version, "used constraint of (58, 8), (68, 8)", used, total(best, "area", float))
        check(version, "used constraint of (64, 2), (64, 9)", 16_131_920_000_000.0,
              total(random_best, "area", float))

    # The kept output row: every column run_maestro.py stores.
    with open(REFERENCE_ROW, newline="") as f:
        rows = list(csv.reader(f))
    reference = dict(zip((h.strip() for h in rows[0]), (v.strip() for v in rows[1])))
    kept = load(args.maestro_2021).get((1, 4, 4))
    expected = run_maestro.result_values(reference)
    same = kept is not None and all(kept[c] == v for c, v in expected.items())
    failed |= not same
    lines.append(f"| v2021 | kept row (layer 1, P=4, k=4): the {len(expected)} columns stored "
                 f"here | kept file | {'same' if same else 'differs'} | "
                 f"{'yes' if same else '**no**'} |")
    if args.binary:
        case = dict(zip("KCYXRST", EXAMPLE[1]), dataflow="shi", P="4", k="4")
        status, row = run_maestro.run_case(os.path.abspath(args.binary), "2021", case, 60)
        same = status == "ok" and row == reference
        failed |= not same
        lines.append(f"| v2021 | kept row rerun: all {len(reference)} columns | kept file | "
                     f"{'same' if same else 'differs'} | {'yes' if same else '**no**'} |")

    print("| MAESTRO | figure | published | MAESTRO gives | equal |")
    print("|---|---|---:|---:|---|")
    print("\n".join(lines))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
