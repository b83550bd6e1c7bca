// Bit Fusion's cost model ("Bit Fusion: Bit-Level Dynamically Composable Architecture for
// Accelerating Deep Neural Networks", Sharma et al., ISCA 2018), ported from the authors'
// public simulator (github.com/hsharma35/bitfusion, bitfusion/src/) for the quantization
// problem: the cycles and energy of one layer, or of a network, on a 16x32 array of fusion
// units whose throughput grows as the operands' bitwidths shrink. docs/quant_hardware.md
// specifies every step with the simulator's file and line; in short:
//  - compute: a fusion unit does floor(8/max(a,2)) x floor(8/max(w,2)) multiply-adds per
//    cycle at a-bit activations and w-bit weights (accelerator.py:61-64), so a tile takes
//    b x ceil(oc/32) x oh x ow x kh x kw x ceil(ic/(16 x that)) cycles, or, with im2col (the
//    simulator's choice for the convolution that reads the network's input),
//    b x oh x ow x ceil(oc/32) x ceil(kh x kw x ic/(16 x that)) (accelerator.py:67-93);
//  - memory: the simulator's tiling search (optimizer.py) tries every loop order of the
//    batch, output-row, output-column, input-channel and output-channel tile loops and every
//    power-of-two tiling whose tiles fit half of each SRAM (double buffering), counts the DRAM
//    traffic of each, and keeps the fewest cycles (then the least energy), where
//    cycles = compute + max(0, DRAM cycles beyond the first fill and last drain - compute)
//    + the first fill and last drain;
//  - energy (nJ): the array's dynamic energy per compute cycle, SRAM read and write energy per
//    bit from its CACTI tables, 15 pJ per DRAM bit (stats.py:58-74).
// Stalls are what the cycles add to compute; at batch 1 they dominate LeNet-5's total.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "problems/quant/quant_layer.h"

namespace tessel {

// Energy of one event, nJ (Simulator.get_energy_cost, simulator.py:218-339). The defaults are
// those of bf_e_conf.ini's sizes at 45 nm: SRAM costs are CACTI's energy per access divided
// by the bank's 32-bit word (bitfusion/sram/cacti_sweep.csv), the core's is the 4x4 array's
// synthesized dynamic power (results/systolic_array_synth.csv) scaled to 16x32 and divided by
// its 500 MHz clock. Other SRAM sizes or array shapes need the costs of their own banks.
struct BitFusionEnergyCosts {
  // systolic_array_synth.csv line 94 (4x4, 8-bit max, 2-bit min): 3,673,500 nW at 500 MHz,
  // times 16x32/16 (simulator.py:306-321).
  double core_per_cycle = 3673500.0 * (16 * 32) / 16.0 / 500000000.0;
  // cacti_sweep.csv line 5: a 128-byte weight bank (64 KB over 16x32 banks). Its read energy
  // is written 0.0006837010000000001, which pandas' CSV reader rounds to 0.000683701.
  double wbuf_read_per_bit = 0.000683701 / 32;
  double wbuf_write_per_bit = 0.000925317 / 32;
  // cacti_sweep.csv line 6: a 2,048-byte input bank (32 KB over 16 banks).
  double ibuf_read_per_bit = 0.00190318 / 32;
  double ibuf_write_per_bit = 0.00363853 / 32;
  // cacti_sweep.csv line 7: a 512-byte output bank with a read-write port (16 KB over 32).
  double obuf_read_per_bit = 0.00106097 / 32;
  double obuf_write_per_bit = 0.00233869 / 32;
  double dram_per_bit = 15.e-3;  // stats.py:58, Stats.get_energy's dram_cost
};

// The accelerator of bf_e_conf.ini, the configuration the simulator's notebook evaluates
// Bit Fusion with (its conf.ini is an 8x8 array whose output bank has no CACTI entry).
struct BitFusionConfig {
  int array_rows = 16;  // N: "a", fusion units per column, summing input channels
  int array_cols = 32;  // M: "c", columns, one output channel each
  int max_bits = 8;     // "high_prec": a fusion unit's widest operand
  int min_bits = 2;     // "low_prec": a BitBrick's width; narrower operands run as this
  int64_t weight_sram_bytes = 65536;      // "Wgt_SRAM"
  int64_t activation_sram_bytes = 32768;  // "Act_SRAM"
  int64_t output_sram_bytes = 16384;      // "Out_SRAM"
  int64_t dram_bits_per_cycle = 192;      // "if_width"
  int output_bits = 32;                   // partial sums (optimizer.py:75, "oprec")
  BitFusionEnergyCosts energy;
  int batch = 1;
};

// The simulator's Stats of one layer at its chosen tiling: cycles, bits moved, energy (nJ).
struct BitFusionLayerCost {
  int64_t compute_cycles = 0, memory_stall_cycles = 0, total_cycles = 0;
  int64_t wbuf_read_bits = 0, wbuf_write_bits = 0;
  int64_t ibuf_read_bits = 0, ibuf_write_bits = 0;
  int64_t obuf_read_bits = 0, obuf_write_bits = 0;
  int64_t dram_read_bits = 0, dram_write_bits = 0;
  // Stats.get_energy_breakdown's terms, and Stats.get_energy's sum (the search's tie-break).
  double core_energy = 0, sram_energy = 0, dram_energy = 0, total_energy = 0;

  BitFusionLayerCost& operator+=(const BitFusionLayerCost& other);
};

// One layer for the whole batch. `im2col` lays the input out as rows of kernel windows, as the
// simulator does for a convolution that reads the network's input (simulator.py:481-484).
// Throws tessel::Error when a bitwidth is outside 1..config.max_bits, the batch or a size of
// the configuration is not positive, or no tiling fits the SRAMs.
BitFusionLayerCost BitFusionLayer(const QuantLayer& layer, int weight_bits, int activation_bits,
                                  bool im2col, const BitFusionConfig& config);

struct BitFusionCost {
  std::vector<BitFusionLayerCost> layers;
  BitFusionLayerCost total;  // sums over the layers
};

// A network, layer by layer, with im2col for its first layer when that is a convolution.
// Throws tessel::Error on no layers, weight bitwidths not one per layer, or as above.
BitFusionCost BitFusionNetwork(const std::vector<QuantLayer>& layers,
                               const std::vector<int>& weight_bits, int activation_bits,
                               const BitFusionConfig& config);

// BitFusionNetwork for one network, remembering each (layer, weight bits, activation bits) it
// has costed: the tiling search takes up to a few milliseconds a layer, a lookup nothing.
// Thread-safe.
class BitFusionModel {
 public:
  BitFusionModel(std::vector<QuantLayer> layers, BitFusionConfig config);
  BitFusionCost Evaluate(const std::vector<int>& weight_bits, int activation_bits) const;
  const std::vector<QuantLayer>& layers() const { return layers_; }
  const BitFusionConfig& config() const { return config_; }

 private:
  std::vector<QuantLayer> layers_;
  BitFusionConfig config_;
  mutable std::mutex mutex_;
  // [layer][weight bits - 1][activation bits - 1]
  mutable std::vector<std::vector<std::vector<std::optional<BitFusionLayerCost>>>> cache_;
};

}  // namespace tessel
