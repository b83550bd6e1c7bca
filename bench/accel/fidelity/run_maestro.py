#!/usr/bin/env python3
"""Runs MAESTRO on every case of a cases CSV exactly as ConfuciuX calls it; one row per case.

    bench/accel/fidelity/run_maestro.py MAESTRO_BINARY cases.csv out.csv [--version 2020|2021]

For each case it writes ConfuciuX's mapping file (`write_maestro`, src/ConfX/env_confx.py
at maestro-project/confuciux 23f3fab; docs/maestro_model.md 1.2) with the dataflow file's text
verbatim, runs MAESTRO with ConfuciuX's flags (1.3) in a fresh temporary directory and copies
the numbers of the CSV row MAESTRO writes, as printed (6 significant digits for floats).

The v2021 source (HEAD, 4eb08d1) renamed three flags and the L1/L2 size columns; the old
(v2020, 7723091) binary rejects the new flag names. `--version` picks the set; without it, it
is read from the binary (only v2021 contains the string "l1_size_cstr").

A run that exits non-zero, times out or leaves no CSV row is recorded with that status and
empty numbers; the run continues. Runtime 0 (shi with X' < P <= X) is a normal result.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

# data/dataflow/{shi,dla,dpt}.m of maestro-project/confuciux at
# 23f3fab65aa652b53f2e9ee38cfadc7a5bdc846b (unchanged since c48c554), byte for byte: tabs,
# the blank line and the 12-space indent in shi.m, the trailing newline of each file.
DATAFLOW_FILES = {
    "shi": (
        "Dataflow {\n"
        "\n"
        "\t\t\tTemporalMap(KTileSz,KTileSz) K;\n"
        "\t\t\tSpatialMap(Sz(R),Sz(R)) Y';\n"
        "\t\t\tTemporalMap(ClusterSz,ClusterSz) X';\n"
        "            TemporalMap(CTileSz,CTileSz) C;\n"
        "\t\t\tTemporalMap(Sz(R),Sz(R)) R;\n"
        "\t\t\tTemporalMap(Sz(S),Sz(S)) S;\n"
        "\t\t\tCluster(ClusterSz, P);\n"
        "\t\t\tTemporalMap(1,1) C;\n"
        "\t\t\tTemporalMap(1,1) Y';\n"
        "\t\t\tSpatialMap(1,1) X';\n"
        "\t\t\tTemporalMap(Sz(R),Sz(R)) R;\n"
        "\t\t\tTemporalMap(Sz(S),Sz(S)) S;\n"
        "\t\t}\n"
        "\n"
    ),
    "dla": (
        "Dataflow {\n"
        "\t\t\tSpatialMap(KTileSz,KTileSz) K;\n"
        "\t\t\tTemporalMap(ClusterSz,ClusterSz) C;\n"
        "\t\t\tTemporalMap(Sz(R),Sz(R)) R;\n"
        "\t\t\tTemporalMap(Sz(S),Sz(S)) S;\n"
        "\t\t\tTemporalMap(Sz(R),1) Y;\n"
        "\t\t\tTemporalMap(Sz(S),1) X;\n"
        "\t\t\tCluster(ClusterSz, P);\n"
        "\t\t\tSpatialMap(1,1) C;\n"
        "\t\t\tTemporalMap(Sz(R),1) Y;\n"
        "\t\t\tTemporalMap(Sz(S),1) X;\n"
        "\t\t\tTemporalMap(Sz(R),Sz(R)) R;\n"
        "\t\t\tTemporalMap(Sz(S),Sz(S)) S;\n"
        "}\n"
    ),
    "dpt": (
        "Dataflow {\n"
        "\t\t\tSpatialMap(KTileSz,KTileSz) C;\n"
        "\t\t\tTemporalMap(Sz(R),1) Y;\n"
        "\t\t\tTemporalMap(Sz(S),1) X;\n"
        "\t\t\tTemporalMap(Sz(R),Sz(R)) R;\n"
        "\t\t\tTemporalMap(Sz(S),Sz(S)) S;\n"
        "\t\t}\n"
    ),
}

# ConfuciuX's command line (env_confx.py:507-513 at 23f3fab; 4b34077 for the v2020 names).
FLAGS = {
    "2021": ["--full_buffer=false", "--noc_bw_cstr=81920000", "--noc_hops=1",
             "--noc_hop_latency=1", "--noc_mc_support=true", "--num_pes={P}",
             "--num_simd_lanes=1", "--l1_size_cstr=819200000", "--l2_size_cstr=819200000",
             "--print_res=false", "--print_res_csv_file=true", "--print_log_file=false",
             "--print_design_space=false", "--msg_print_lv=0"],
    "2020": ["--full_buffer=false", "--noc_bw=81920000", "--noc_hops=1", "--noc_hop_latency=1",
             "--noc_mc_support=true", "--num_pes={P}", "--num_simd_lanes=1",
             "--l1_size=819200000", "--l2_size=819200000", "--print_res=false",
             "--print_res_csv_file=true", "--print_log_file=false",
             "--print_design_space=false", "--msg_print_lv=0"],
}

# Output column -> MAESTRO's CSV column (names stripped of their leading spaces); a tuple lists
# the v2021 and the v2020 names.
RESULT_COLUMNS = [
    ("runtime", "Runtime (Cycles)"),
    ("macs", "Num MACs"),
    ("energy", "Activity count-based Energy (nJ)"),
    ("area", "Area"),
    ("power", "Power"),
    ("l1_size", ("L1 SRAM Size Req (Bytes)", "L1 SRAM Size (Bytes)")),
    ("l2_size", ("L2 SRAM Size Req (Bytes)", "L2 SRAM Size (Bytes)")),
] + [
    (f"{tensor}_{level}_{op}", f"{tensor} {level} {op}")
    for tensor in ("input", "filter", "output")
    for level in ("l1", "l2")
    for op in ("read", "write")
] + [
    ("pe_power", "PE power"),
    ("l1_power", "L1 power"),
    ("l2_power", "L2 power"),
    ("noc_power", "NOC power"),
]


def mapping_file(case):
    """ConfuciuX's write_maestro: dimensions with "%.0f", CONV or DSCONV, no final newline."""
    layer_type = "CONV" if case["T"] == "1" else "DSCONV"
    dataflow = case["dataflow"] if layer_type == "CONV" else "dpt"
    dims = ", ".join(f"{d}: {float(case[d]):.0f}" for d in "KCYXRS")
    return (f"Constant KTileSz {case['k']};\n"
            f"Constant CTileSz 1;\n"
            f"Constant ClusterSz {case['P']};\n"
            f"Network 0 {{\n"
            f"Layer {layer_type} {{\n"
            f"Type: {layer_type}\n"
            f"Dimensions {{ {dims} }}\n"
            f"{DATAFLOW_FILES[dataflow]}"
            f"}}\n"
            f"}}")


def detect_version(binary):
    with open(binary, "rb") as f:
        return "2021" if b"l1_size_cstr" in f.read() else "2020"


def run_case(binary, version, case, timeout):
    """(status, MAESTRO's CSV row as {column name without its spaces: printed value})."""
    with tempfile.TemporaryDirectory(prefix="maestro_case_") as tmp:
        # A numeric stem like ConfuciuX's random file name; MAESTRO writes <stem>.csv into
        # the working directory.
        with open(os.path.join(tmp, "1.m"), "w") as f:
            f.write(mapping_file(case))
        command = [binary, "--Mapping_file=1.m"] + [
            flag.format(P=case["P"]) for flag in FLAGS[version]]
        try:
            done = subprocess.run(command, cwd=tmp, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", {}
        if done.returncode != 0:
            return f"exit {done.returncode}", {}
        path = os.path.join(tmp, "1.csv")
        if not os.path.exists(path):
            return "no csv", {}
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    if len(rows) != 2:
        return f"{max(len(rows) - 1, 0)} csv rows", {}
    header = [name.strip() for name in rows[0]]
    return "ok", dict(zip(header, (value.strip() for value in rows[1])))


def result_values(row):
    """{output column: printed value} from a MAESTRO CSV row of either version."""
    values = {}
    for column, names in RESULT_COLUMNS:
        names = names if isinstance(names, tuple) else (names,)
        values[column] = next((row[n] for n in names if n in row), "")
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("cases")
    parser.add_argument("out")
    parser.add_argument("--version", choices=["2020", "2021"],
                        help="MAESTRO flag set (default: read from the binary)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per run")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    version = args.version or detect_version(binary)

    with open(args.cases, newline="") as f:
        reader = csv.DictReader(f)
        case_columns = reader.fieldnames
        cases = list(reader)
    columns = case_columns + ["version", "status"] + [c for c, _ in RESULT_COLUMNS]
    failed, slowest, started = 0, (0.0, None), time.monotonic()
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for case in cases:
            begin = time.monotonic()
            status, row = run_case(binary, version, case, args.timeout)
            values = result_values(row) if status == "ok" else {}
            seconds = time.monotonic() - begin
            slowest = max(slowest, (seconds, case["case"]))
            if status != "ok":
                failed += 1
                print(f"case {case['case']}: {status}", file=sys.stderr)
            writer.writerow([case[c] for c in case_columns] + [version, status] +
                            [values.get(c, "") for c, _ in RESULT_COLUMNS])
    total = time.monotonic() - started
    print(f"MAESTRO v{version}: {len(cases)} cases, {failed} failed, {total:.1f} s "
          f"({total / max(len(cases), 1) * 1000:.0f} ms a run, slowest case {slowest[1]} "
          f"{slowest[0]:.2f} s) -> {args.out}")


if __name__ == "__main__":
    main()
