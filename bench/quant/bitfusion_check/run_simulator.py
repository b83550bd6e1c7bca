"""Runs Bit Fusion's public simulator (Sharma et al., ISCA 2018) on the layers Tessel checks.

Usage: python3 run_simulator.py SIMULATOR_DIR > simulator_table.csv

SIMULATOR_DIR is an unpacked copy of the simulator's repository (hsharma35/bitfusion). Its
configuration is bf_e_conf.ini, the one its notebook evaluates Bit Fusion with; other array
shapes, buffer sizes and DRAM widths are set on the simulator's accelerator object the way its
sweep.py does.

The simulator is Python 2 code; this script runs it unchanged under Python 3 with shims that
change no arithmetic:
  - `ConfigParser` is Python 3's `configparser`;
  - `collections.namedtuple` ignores the `verbose` argument Python 3 dropped;
  - `dnnweaver2.tensorOps.cnn` (the graph library the simulator imports for its isinstance
    tests) is two empty classes: layers are passed to Simulator.get_conv_cycles directly, the
    way Simulator.get_cycles does (im2col for a convolution that reads the network's input,
    fully connected layers through get_FC_cycles);
  - bitfusion/src/simulator/pipeline.py is loaded without its `if __name__ == "__main__"`
    demo, whose Python 2 print statements do not parse (the cost path never uses the module's
    classes; loop_stack.py only imports them);
  - optimizer.py's `min` accepts what Python 2's did: optimize_for_order computes
    `min([x[-4] for x in results])` over the tiling dicts, a value it never uses, which
    Python 3 refuses to order.

It prints one CSV row per layer: the run (configuration, network, batch, the layer's
get_conv_cycles arguments, the energy costs in use) and every counter of the simulator's Stats
with its energy breakdown in nJ (floats with repr, exact). Lines starting with '#' compare
the rows of the authors' own sweep (results/bitfusion-eyeriss-sim-sweep.csv) with this run.
"""

import builtins
import collections
import contextlib
import configparser
import csv
import os
import sys
import types


def install_shims(sim_dir):
    sys.modules['ConfigParser'] = configparser
    original_namedtuple = collections.namedtuple

    def namedtuple(*args, **kwargs):
        kwargs.pop('verbose', None)
        return original_namedtuple(*args, **kwargs)

    collections.namedtuple = namedtuple
    dnnweaver2 = types.ModuleType('dnnweaver2')
    tensor_ops = types.ModuleType('dnnweaver2.tensorOps')
    cnn = types.ModuleType('dnnweaver2.tensorOps.cnn')
    cnn.Convolution = type('Convolution', (), {})
    cnn.MatMul = type('MatMul', (), {})
    for name, module in [('dnnweaver2', dnnweaver2), ('dnnweaver2.tensorOps', tensor_ops),
                         ('dnnweaver2.tensorOps.cnn', cnn)]:
        sys.modules[name] = module
    pipeline_name = 'bitfusion.src.simulator.pipeline'
    pipeline_path = os.path.join(sim_dir, *pipeline_name.split('.')) + '.py'
    with open(pipeline_path) as f:
        source = f.read().split('if __name__ == "__main__":')[0]
    pipeline = types.ModuleType(pipeline_name)
    exec(compile(source, pipeline_path, 'exec'), pipeline.__dict__)
    sys.modules[pipeline_name] = pipeline


def python2_min(*args, **kwargs):
    try:
        return builtins.min(*args, **kwargs)
    except TypeError:  # dicts: any element will do, the result is unused
        values = args if len(args) > 1 else list(args[0])
        return values[0]


# Accelerators: (N, M, weight SRAM bytes, activation SRAM bytes, output SRAM bytes, DRAM bits
# per cycle). bf_e is bf_e_conf.ini; the others are the rest of the authors' recorded sweep.
CONFIGS = {
    'bf_e': (16, 32, 65536, 32768, 16384, 192),
    'bf_e_bw4096': (16, 32, 65536, 32768, 16384, 4096),
    '16x64_bw4096': (16, 64, 131072, 65536, 32768, 4096),
    '16x128_bw4096': (16, 128, 262144, 131072, 65536, 4096),
    '16x256_bw4096': (16, 256, 524288, 262144, 131072, 4096),
}


def conv(name, k, o, s, ic, oc, abits, wbits, im2col=False):
    """A layer as get_conv_cycles takes it: kernel, output size, stride, channels, bits."""
    return (name, 'conv', k, o, s, ic, oc, abits, wbits, im2col)


def fc(name, ni, no, abits, wbits):
    return (name, 'fc', 1, 1, 1, ni, no, abits, wbits, False)


# The benchmarks of the authors' sweep (benchmarks.py, WRPN variants as sweep.py asks), at
# batch 16. A layer's activation bits are its input tensor's dtype (the previous layer's output
# dtype; pooling, flatten and concat keep it), its weight bits its w_dtype (Bin = 1 bit).
def recorded_benchmarks():
    resnet = [conv('conv1_a', 7, 112, 2, 3, 128, 8, 8, True)]
    for module, o, c, stride in [(2, 56, 128, 1), (3, 28, 256, 2), (4, 14, 512, 2),
                                 (5, 7, 1024, 2)]:
        for i in (1, 2):
            in_c = c // 2 if (i == 1 and module > 2) else c
            scope = 'module{}/conv{}_{}'.format(module, module, i)
            resnet.append(conv(scope + '_a', 1, o, stride if i == 1 else 1, in_c, c, 4, 4))
            resnet.append(conv(scope + '_b', 3, o, 1, c, c, 4, 4))
    return {
        'LeNet-5': [conv('conv0', 5, 32, 1, 1, 32, 2, 2, True),
                    conv('conv1', 5, 16, 1, 32, 64, 2, 2),
                    fc('fc1', 4096, 512, 2, 2), fc('fc2', 512, 10, 2, 2)],
        'SVHN': [conv('conv0', 3, 32, 1, 3, 64, 8, 1, True), conv('conv1', 3, 32, 1, 64, 64, 1, 1),
                 conv('conv2', 3, 16, 1, 64, 128, 1, 1), conv('conv3', 3, 16, 1, 128, 128, 1, 1),
                 conv('conv4', 3, 8, 1, 128, 256, 1, 1), conv('conv5', 3, 8, 1, 256, 256, 1, 1),
                 fc('fc6', 4096, 1024, 1, 1), fc('fc7', 1024, 1024, 1, 1),
                 fc('fc8', 1024, 10, 1, 1)],
        'CIFAR10': [conv('conv0', 3, 32, 1, 3, 128, 8, 8, True),
                    conv('conv1', 3, 32, 1, 128, 128, 2, 2),
                    conv('conv2', 3, 16, 1, 128, 256, 2, 2),
                    conv('conv3', 3, 16, 1, 256, 256, 2, 2),
                    conv('conv4', 3, 8, 1, 256, 512, 2, 2),
                    conv('conv5', 3, 8, 1, 512, 512, 2, 2),
                    fc('fc6', 8192, 1024, 2, 2), fc('fc7', 1024, 1024, 2, 2),
                    fc('fc8', 1024, 10, 2, 2)],
        'VGG-7': [conv('conv1_a', 3, 32, 1, 3, 128, 2, 2, True),
                  conv('conv1_b', 3, 32, 1, 3, 128, 2, 2, True),
                  conv('conv2_a', 3, 16, 1, 128, 256, 2, 2),
                  conv('conv2_b', 3, 16, 1, 128, 256, 2, 2),
                  conv('conv3_a', 3, 8, 1, 256, 512, 2, 2),
                  conv('conv3_b', 3, 8, 1, 256, 512, 2, 2), fc('fc1', 8192, 1024, 2, 2)],
        'AlexNet': [conv('conv1_a', 11, 55, 4, 3, 96, 8, 8, True),
                    conv('conv1_b', 11, 55, 4, 3, 96, 8, 8, True),
                    conv('conv2_a', 5, 27, 1, 96, 256, 4, 4),
                    conv('conv2_b', 5, 27, 1, 96, 256, 4, 4),
                    conv('conv3_a', 3, 13, 1, 512, 384, 4, 4),
                    conv('conv3_b', 3, 13, 1, 512, 384, 4, 4),
                    conv('conv4_a', 3, 13, 1, 384, 384, 4, 4),
                    conv('conv4_b', 3, 13, 1, 384, 384, 4, 4),
                    conv('conv5_a', 3, 13, 1, 384, 256, 4, 4),
                    conv('conv5_b', 3, 13, 1, 384, 256, 4, 4),
                    fc('fc1', 18432, 8192, 4, 4), fc('fc2', 8192, 8192, 4, 4),
                    fc('fc3', 8192, 1000, 8, 8)],
        'RESNET-18': resnet,
        'RNN': [fc('matmul', 4096, 4096, 4, 4)],
        'LSTM': [fc('matmul', 3600, 3600, 4, 4)],
    }


# Every layer of Bit Fusion's own LeNet-5 (32x32x1 input, SAME padding) and of the
# quantization problem's networks (src/problems/quant/quant_nets.cc: lenet5 on a 28x28x1 input
# with VALID padding; convnet6, padded 3x3 convolutions of 16, 16, 32 and 32 channels and
# dense layers of 128 and 10), all at one weight bitwidth.
def problem_layers(weight_bits, activation_bits):
    a, w = activation_bits, weight_bits
    return {
        'bitfusion_lenet5': [conv('conv0', 5, 32, 1, 1, 32, a, w, True),
                             conv('conv1', 5, 16, 1, 32, 64, a, w), fc('fc1', 4096, 512, a, w),
                             fc('fc2', 512, 10, a, w)],
        'quant_lenet5': [conv('conv1', 5, 24, 1, 1, 20, a, w, True),
                         conv('conv2', 5, 8, 1, 20, 50, a, w), fc('fc1', 800, 500, a, w),
                         fc('fc2', 500, 10, a, w)],
        'quant_convnet6': [conv('conv1', 3, 28, 1, 1, 16, a, w, True),
                           conv('conv2', 3, 28, 1, 16, 16, a, w),
                           conv('conv3', 3, 14, 1, 16, 32, a, w),
                           conv('conv4', 3, 14, 1, 32, 32, a, w), fc('fc1', 1568, 128, a, w),
                           fc('fc2', 128, 10, a, w)],
    }


def runs():
    """(config, network, batch, layers) in the order the table lists them."""
    for batch in (1, 16):
        for activation_bits in (8, 4, 2):
            for weight_bits in range(1, 9):
                for network, layers in problem_layers(weight_bits, activation_bits).items():
                    yield 'bf_e', network, batch, layers
    benchmarks = recorded_benchmarks()
    for config in CONFIGS:
        for network, layers in benchmarks.items():
            yield config, network, 16, layers


RUN_COLUMNS = ['config', 'network', 'batch', 'layer', 'kind', 'K', 'O', 'S', 'IC', 'OC',
               'abits', 'wbits', 'im2col', 'N', 'M', 'wgt_sram', 'act_sram', 'out_sram',
               'dram_width', 'e_core', 'e_wbuf_rd', 'e_wbuf_wr', 'e_ibuf_rd', 'e_ibuf_wr',
               'e_obuf_rd', 'e_obuf_wr']
RESULT_COLUMNS = ['total_cycles', 'stall_cycles', 'compute_cycles', 'wbuf_read', 'wbuf_write',
                  'ibuf_read', 'ibuf_write', 'obuf_read', 'obuf_write', 'dram_read',
                  'dram_write', 'core_nJ', 'sram_nJ', 'dram_nJ', 'total_nJ']


def configure(sim, config):
    n, m, wgt, act, out, width = CONFIGS[config]
    acc = sim.accelerator
    acc.N, acc.M, acc.mem_if_width = n, m, width
    acc.sram['wgt'], acc.sram['act'], acc.sram['out'] = wgt, act, out


def simulate(sim, layer, batch):
    _, kind, k, o, s, ic, oc, abits, wbits, im2col = layer
    if kind == 'fc':
        stats, _ = sim.get_FC_cycles(ic, oc, abits, wbits, batch_size=batch)
    else:
        stats, _ = sim.get_conv_cycles(k, o, s, ic, oc, abits, wbits, batch, im2col=im2col)
    return stats


def results_of(stats, energy_cost):
    core, sram, _, dram = stats.get_energy_breakdown(energy_cost)
    total = stats.get_energy(energy_cost)
    return [stats.total_cycles, stats.mem_stall_cycles,
            stats.total_cycles - stats.mem_stall_cycles,
            stats.reads['wgt'], stats.writes['wgt'], stats.reads['act'], stats.writes['act'],
            stats.reads['out'], stats.writes['out'], stats.reads['dram'], stats.writes['dram'],
            repr(core), repr(sram), repr(dram), repr(total)]


def compare_with_recorded(sim_dir, table):
    """The authors' sweep: counters per layer, for each configuration it recorded."""
    recorded = os.path.join(sim_dir, 'results', 'bitfusion-eyeriss-sim-sweep.csv')
    fields = [('Cycles', 'total_cycles'), ('Memory wait cycles', 'stall_cycles'),
              ('WBUF Read', 'wbuf_read'), ('WBUF Write', 'wbuf_write'),
              ('IBUF Read', 'ibuf_read'), ('IBUF Write', 'ibuf_write'),
              ('OBUF Read', 'obuf_read'), ('OBUF Write', 'obuf_write'),
              ('DRAM Read', 'dram_read'), ('DRAM Write', 'dram_write')]
    by_shape = {(v[0], v[1], v[2], v[5]): k for k, v in CONFIGS.items()}
    rows = mismatches = missing = 0
    with open(recorded) as f:
        for line in csv.DictReader(f):
            # Its 'WBUF Size (bits)' column holds the weight SRAM's bytes.
            config = by_shape.get((int(line['N']), int(line['M']), int(line['WBUF Size (bits)']),
                                   int(line['Bandwidth (bits/cycle)'])))
            layer = line['Layer'].rsplit('/', 1)[0]
            ours = table.get((config, line['Network'], layer))
            if ours is None:
                missing += 1
                print('# recorded row not run: {} {} {}'.format(config, line['Network'], layer))
                continue
            rows += 1
            for theirs, mine in fields:
                if int(line[theirs]) != int(ours[mine]):
                    mismatches += 1
                    print('# recorded mismatch {} {} {} {}: recorded {} here {}'.format(
                        config, line['Network'], layer, mine, line[theirs], ours[mine]))
    print('# authors\' sweep: {} rows compared ({} not run), {} counters differ'.format(
        rows, missing, mismatches))


def main():
    sim_dir = os.path.abspath(sys.argv[1])
    install_shims(sim_dir)
    sys.path.insert(0, sim_dir)
    os.chdir(sim_dir)  # get_energy_cost reads ./results/systolic_array_synth.csv
    from bitfusion.src.simulator.simulator import Simulator
    import bitfusion.src.optimizer.optimizer as optimizer
    optimizer.min = python2_min
    with contextlib.redirect_stdout(sys.stderr):  # its note that no CACTI binary is built
        sim = Simulator('bf_e_conf.ini', False)
    writer = csv.writer(sys.stdout, lineterminator='\n')
    writer.writerow(RUN_COLUMNS + RESULT_COLUMNS)
    table = {}
    for config, network, batch, layers in runs():
        configure(sim, config)
        energy_cost = sim.get_energy_cost()
        acc = sim.accelerator
        for layer in layers:
            stats = simulate(sim, layer, batch)
            run = [config, network, batch, layer[0], layer[1]] + list(layer[2:9])
            run += [int(layer[9]), acc.N, acc.M, acc.sram['wgt'], acc.sram['act'],
                    acc.sram['out'], acc.mem_if_width] + [repr(e) for e in energy_cost]
            row = run + results_of(stats, energy_cost)
            writer.writerow(row)
            table[(config, network, layer[0])] = dict(zip(RUN_COLUMNS + RESULT_COLUMNS, row))
        sys.stdout.flush()
    compare_with_recorded(sim_dir, table)


if __name__ == '__main__':
    main()
