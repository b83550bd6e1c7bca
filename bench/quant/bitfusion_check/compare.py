"""Compares the simulator's table (run_simulator.py) with Tessel's (model_table).

Usage: python3 compare.py SIMULATOR_TABLE TESSEL_TABLE
Rows are matched by their run columns (everything before total_cycles). Counters must be
equal; energies are compared as floats. Exits 1 on any difference or missing row.
"""

import csv
import sys

FLOATS = ['core_nJ', 'sram_nJ', 'dram_nJ', 'total_nJ']


def read(path):
    with open(path) as f:
        lines = [line for line in f if not line.startswith('#')]
    start = next(i for i, line in enumerate(lines) if line.startswith('config,'))
    reader = csv.reader(lines[start:])
    header = next(reader)
    split = header.index('total_cycles')
    return header[split:], {tuple(r[:split]): dict(zip(header[split:], r[split:]))
                            for r in reader}


def main():
    results, simulator = read(sys.argv[1])
    _, tessel = read(sys.argv[2])
    differences = float_equal = 0
    worst = 0.0
    for run, theirs in simulator.items():
        ours = tessel.get(run)
        if ours is None:
            print('missing in Tessel: {}'.format(run))
            differences += 1
            continue
        for column in results:
            if column in FLOATS:
                a, b = float(theirs[column]), float(ours[column])
                float_equal += a == b
                worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
            elif int(theirs[column]) != int(ours[column]):
                differences += 1
                print('{} {}: simulator {} Tessel {}'.format(run[:4], column, theirs[column],
                                                             ours[column]))
    floats = len(simulator) * len(FLOATS)
    print('{} layers: counters differing {}, energies bit-identical {}/{} (largest relative '
          'difference {:.3g})'.format(len(simulator), differences, float_equal, floats, worst))
    sys.exit(1 if differences or float_equal != floats else 0)


if __name__ == '__main__':
    main()
