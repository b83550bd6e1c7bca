"""Network totals of the problem's networks from the simulator's table, as a Markdown table.

Usage: python3 summarize.py SIMULATOR_TABLE
For each network, batch and 8-bit activations: compute, stall and total cycles and energy
(nJ) summed over the layers at each uniform weight bitwidth, and the speedup and energy
ratio over 8 bits.
"""

import collections
import csv
import sys

NETWORKS = ['bitfusion_lenet5', 'quant_lenet5', 'quant_convnet6']


def main():
    with open(sys.argv[1]) as f:
        lines = [line for line in f if not line.startswith('#')]
    start = next(i for i, line in enumerate(lines) if line.startswith('config,'))
    totals = collections.defaultdict(lambda: [0, 0, 0, 0.0])
    for row in csv.DictReader(lines[start:]):
        if row['config'] != 'bf_e' or row['network'] not in NETWORKS or row['abits'] != '8':
            continue
        key = (row['network'], int(row['batch']), int(row['wbits']))
        t = totals[key]
        t[0] += int(row['compute_cycles'])
        t[1] += int(row['stall_cycles'])
        t[2] += int(row['total_cycles'])
        t[3] += float(row['total_nJ'])
    print('| network | batch | weight bits | compute cycles | stall cycles | total cycles | '
          'energy (nJ) | speedup over 8 bits | energy over 8 bits |')
    print('|---|---|---|---|---|---|---|---|---|')
    for network in NETWORKS:
        for batch in (1, 16):
            base = totals[(network, batch, 8)]
            for bits in range(1, 9):
                t = totals[(network, batch, bits)]
                print('| {} | {} | {} | {:,} | {:,} | {:,} | {:,.1f} | {:.3f} | {:.3f} |'.format(
                    network, batch, bits, t[0], t[1], t[2], t[3], base[2] / t[2], t[3] / base[3]))


if __name__ == '__main__':
    main()
