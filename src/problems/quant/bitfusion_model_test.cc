#include "problems/quant/bitfusion_model.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace tessel {
namespace {

// Bit Fusion's own LeNet-5 (the simulator's benchmarks.py): 32x32x1, SAME padding.
std::vector<QuantLayer> BitFusionLeNet5() {
  return {ConvLayer("conv0", 1, 32, 32, 5, 2), ConvLayer("conv1", 32, 16, 64, 5, 2),
          DenseLayer("fc1", 4096, 512), DenseLayer("fc2", 512, 10)};
}

// The quantization problem's LeNet-5: 28x28x1, VALID padding.
std::vector<QuantLayer> QuantLeNet5() {
  return {ConvLayer("conv1", 1, 28, 20, 5, 0), ConvLayer("conv2", 20, 12, 50, 5, 0),
          DenseLayer("fc1", 800, 500), DenseLayer("fc2", 500, 10)};
}

BitFusionConfig Batch(int batch) {
  BitFusionConfig config;
  config.batch = batch;
  return config;
}

std::string ConfigErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    return e.what();
  }
  return "";
}

TEST(BitFusionModelTest, LeNet5ComputeCyclesAreThoseOfTheIssue) {
  const BitFusionCost cost = BitFusionNetwork(BitFusionLeNet5(), {2, 2, 2, 2}, 2, Batch(16));
  ASSERT_EQ(cost.layers.size(), 4u);
  EXPECT_EQ(cost.layers[0].compute_cycles, 16384);  // im2col: 16x32x32 windows, 1 pass each
  EXPECT_EQ(cost.layers[1].compute_cycles, 204800);
  EXPECT_EQ(cost.layers[2].compute_cycles, 4096);
  EXPECT_EQ(cost.layers[3].compute_cycles, 32);
}

// results/bitfusion-eyeriss-sim-sweep.csv, the authors' own run of LeNet-5 at batch 16.
TEST(BitFusionModelTest, LeNet5MatchesTheAuthorsRecordedRun) {
  const BitFusionCost cost = BitFusionNetwork(BitFusionLeNet5(), {2, 2, 2, 2}, 2, Batch(16));
  const int64_t total[] = {179116, 205635, 25259, 342};
  const int64_t stalls[] = {162732, 835, 21163, 310};
  const int64_t dram_reads[] = {17612800, 21626880, 4587520, 43008};
  const int64_t dram_writes[] = {16777216, 8388608, 262144, 16384};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cost.layers[i].total_cycles, total[i]) << i;
    EXPECT_EQ(cost.layers[i].memory_stall_cycles, stalls[i]) << i;
    EXPECT_EQ(cost.layers[i].dram_read_bits, dram_reads[i]) << i;
    EXPECT_EQ(cost.layers[i].dram_write_bits, dram_writes[i]) << i;
  }
}

// The same record's 16x64 array with twice the buffers and a 4,096-bit DRAM interface, with
// the energy costs the simulator derives for it (its input banks are 4 KB).
TEST(BitFusionModelTest, LeNet5OnAWiderArrayMatchesTheAuthorsRecordedRun) {
  BitFusionConfig config = Batch(16);
  config.array_cols = 64;
  config.weight_sram_bytes = 131072;
  config.activation_sram_bytes = 65536;
  config.output_sram_bytes = 32768;
  config.dram_bits_per_cycle = 4096;
  config.energy.core_per_cycle = 0.470208;
  config.energy.ibuf_read_per_bit = 0.00342953 / 32;
  config.energy.ibuf_write_per_bit = 0.00431011 / 32;
  const BitFusionCost cost = BitFusionNetwork(BitFusionLeNet5(), {2, 2, 2, 2}, 2, config);
  const int64_t total[] = {16588, 102455, 2128, 55};
  const int64_t stalls[] = {204, 55, 80, 23};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cost.layers[i].total_cycles, total[i]) << i;
    EXPECT_EQ(cost.layers[i].memory_stall_cycles, stalls[i]) << i;
  }
  // The simulator's energies for that run (bench/quant/bitfusion_check).
  EXPECT_DOUBLE_EQ(cost.layers[1].total_energy, 456659.462131712);
  EXPECT_DOUBLE_EQ(cost.layers[2].total_energy, 82946.404212736);
}

// The simulator's numbers for the problem's LeNet-5 at batch 1, 8-bit activations and weights
// {2, 2, 3, 2} (bench/quant/bitfusion_check/simulator_table.csv).
TEST(BitFusionModelTest, QuantLeNet5MatchesTheSimulator) {
  const BitFusionCost cost = BitFusionNetwork(QuantLeNet5(), {2, 2, 3, 2}, 8, Batch(1));
  const int64_t total[] = {6758, 3805, 6455, 94};
  const int64_t stalls[] = {6182, 605, 6055, 86};
  const double core[] = {135.419904, 752.3328, 94.0416, 1.880832};
  const double sram[] = {264.33492767999996, 885.03476656, 295.62025692000003, 3.4863349725};
  const double dram[] = {19461.120000000003, 8540.16, 18587.519999999997, 244.32};
  const double energy[] = {19860.87483168, 10177.52756656, 18977.181856919997, 249.6871669725};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cost.layers[i].total_cycles, total[i]) << i;
    EXPECT_EQ(cost.layers[i].memory_stall_cycles, stalls[i]) << i;
    EXPECT_DOUBLE_EQ(cost.layers[i].core_energy, core[i]) << i;
    EXPECT_DOUBLE_EQ(cost.layers[i].sram_energy, sram[i]) << i;
    EXPECT_DOUBLE_EQ(cost.layers[i].dram_energy, dram[i]) << i;
    EXPECT_DOUBLE_EQ(cost.layers[i].total_energy, energy[i]) << i;
  }
  EXPECT_EQ(cost.total.total_cycles, 6758 + 3805 + 6455 + 94);
  EXPECT_EQ(cost.total.compute_cycles + cost.total.memory_stall_cycles, cost.total.total_cycles);
}

TEST(BitFusionModelTest, DefaultEnergyCostsAreTheSimulators) {
  // Simulator.get_energy_cost() on bf_e_conf.ini, as the simulator prints it.
  const BitFusionEnergyCosts costs;
  EXPECT_EQ(costs.core_per_cycle, 0.235104);
  EXPECT_EQ(costs.wbuf_read_per_bit, 2.136565625e-05);
  EXPECT_EQ(costs.wbuf_write_per_bit, 2.891615625e-05);
  EXPECT_EQ(costs.ibuf_read_per_bit, 5.9474375e-05);
  EXPECT_EQ(costs.ibuf_write_per_bit, 0.0001137040625);
  EXPECT_EQ(costs.obuf_read_per_bit, 3.31553125e-05);
  EXPECT_EQ(costs.obuf_write_per_bit, 7.30840625e-05);
  EXPECT_EQ(costs.dram_per_bit, 0.015);
}

TEST(BitFusionModelTest, BatchOneIsDominatedByMemoryStalls) {
  for (const std::vector<QuantLayer>& net : {BitFusionLeNet5(), QuantLeNet5()}) {
    for (int bits : {2, 8}) {
      const BitFusionCost cost = BitFusionNetwork(net, std::vector<int>(4, bits), 8, Batch(1));
      EXPECT_GT(cost.total.memory_stall_cycles, cost.total.compute_cycles) << bits;
      EXPECT_GT(cost.total.dram_energy, cost.total.core_energy + cost.total.sram_energy);
    }
  }
}

// The array's work shrinks with either operand; what memory adds need not (next test).
TEST(BitFusionModelTest, ComputeCyclesNeverGrowWithFewerBits) {
  for (const std::vector<QuantLayer>& net : {BitFusionLeNet5(), QuantLeNet5()}) {
    for (int batch : {1, 16}) {
      const BitFusionModel model(net, Batch(batch));
      const auto compute = [&](int weight_bits, int activation_bits) {
        const BitFusionCost cost =
            model.Evaluate(std::vector<int>(4, weight_bits), activation_bits);
        std::vector<int64_t> cycles;
        for (const BitFusionLayerCost& layer : cost.layers) cycles.push_back(layer.compute_cycles);
        return cycles;
      };
      for (int fixed : {1, 4, 7}) {
        for (int bits = 1; bits < 8; ++bits) {
          const std::vector<int64_t> fewer_weight_bits = compute(bits, fixed);
          const std::vector<int64_t> more_weight_bits = compute(bits + 1, fixed);
          const std::vector<int64_t> fewer_activation_bits = compute(fixed, bits);
          const std::vector<int64_t> more_activation_bits = compute(fixed, bits + 1);
          for (size_t i = 0; i < net.size(); ++i) {
            EXPECT_LE(fewer_weight_bits[i], more_weight_bits[i]) << net[i].name << " " << bits;
            EXPECT_LE(fewer_activation_bits[i], more_activation_bits[i])
                << net[i].name << " " << bits;
          }
        }
      }
    }
  }
}

// The simulator's cycles and energy are not monotone in the bitwidth: in conv2 at batch 1,
// more of the 6-bit weights fit half the weight SRAM and are fetched before compute starts
// (153,600 bits against 140,000 at 7 bits), a first fill the simulator never overlaps with
// compute; in conv1 (im2col), 2-bit weights pad each column's reduction to 64 inputs, 3-bit
// ones to 32. Both pairs are the simulator's own numbers.
TEST(BitFusionModelTest, FewerBitsCanCostMoreAsInTheSimulator) {
  const std::vector<QuantLayer> net = QuantLeNet5();
  const BitFusionLayerCost conv2_w6 = BitFusionLayer(net[1], 6, 8, false, Batch(1));
  const BitFusionLayerCost conv2_w7 = BitFusionLayer(net[1], 7, 8, false, Batch(1));
  EXPECT_EQ(conv2_w6.total_cycles, 7505);
  EXPECT_EQ(conv2_w7.total_cycles, 7434);
  EXPECT_DOUBLE_EQ(conv2_w6.total_energy, 22211.292807039998);
  EXPECT_DOUBLE_EQ(conv2_w7.total_energy, 21418.17090647);
  EXPECT_EQ(BitFusionLayer(net[0], 2, 8, true, Batch(1)).total_cycles, 6758);
  EXPECT_EQ(BitFusionLayer(net[0], 3, 8, true, Batch(1)).total_cycles, 6754);
}

// Across the problem's range the network still gets cheaper: 2 bits everywhere costs less than
// 4, which costs less than 8.
TEST(BitFusionModelTest, FewerBitsEverywhereCostLess) {
  for (int batch : {1, 16}) {
    const auto cost = [&](int bits) {
      return BitFusionNetwork(QuantLeNet5(), std::vector<int>(4, bits), 8, Batch(batch)).total;
    };
    const BitFusionLayerCost two = cost(2), four = cost(4), eight = cost(8);
    EXPECT_LT(two.total_cycles, four.total_cycles);
    EXPECT_LT(four.total_cycles, eight.total_cycles);
    EXPECT_LT(two.total_energy, four.total_energy);
    EXPECT_LT(four.total_energy, eight.total_energy);
  }
}

TEST(BitFusionModelTest, ModelRemembersWhatTheNetworkCostsAre) {
  const BitFusionModel model(QuantLeNet5(), Batch(16));
  for (const std::vector<int>& bits :
       {std::vector<int>{2, 2, 3, 2}, std::vector<int>{8, 4, 6, 2}, std::vector<int>{2, 2, 3, 2}}) {
    const BitFusionCost cached = model.Evaluate(bits, 8);
    const BitFusionCost direct = BitFusionNetwork(QuantLeNet5(), bits, 8, Batch(16));
    ASSERT_EQ(cached.layers.size(), direct.layers.size());
    for (size_t i = 0; i < direct.layers.size(); ++i) {
      EXPECT_EQ(cached.layers[i].total_cycles, direct.layers[i].total_cycles);
      EXPECT_EQ(cached.layers[i].total_energy, direct.layers[i].total_energy);
    }
    EXPECT_EQ(cached.total.total_cycles, direct.total.total_cycles);
    EXPECT_EQ(cached.total.total_energy, direct.total.total_energy);
  }
}

TEST(BitFusionModelTest, RejectsBadInput) {
  const std::vector<QuantLayer> net = QuantLeNet5();
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2, 0, 2}, 8, Batch(1));
            }),
            "Bit Fusion: weight bits 0 outside 1..8");
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2, 9, 2}, 8, Batch(1));
            }),
            "Bit Fusion: weight bits 9 outside 1..8");
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2, 2, 2}, 17, Batch(1));
            }),
            "Bit Fusion: activation bits 17 outside 1..8");
  EXPECT_EQ(ConfigErrorOf([&] { BitFusionNetwork({}, {}, 8, Batch(1)); }),
            "Bit Fusion: a network needs at least one layer");
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2}, 8, Batch(1));
            }),
            "Bit Fusion: 2 weight bitwidths for 4 layers");
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2, 2, 2}, 8, Batch(0));
            }),
            "Bit Fusion: batch must be positive");
  BitFusionConfig no_array = Batch(1);
  no_array.array_rows = 0;
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2, 2, 2}, 8, no_array);
            }),
            "Bit Fusion: the array, bitwidths, buffers and DRAM width must be positive");
  BitFusionConfig tiny_buffers = Batch(1);
  tiny_buffers.weight_sram_bytes = 8;
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionNetwork(net, {2, 2, 2, 2}, 8, tiny_buffers);
            }),
            "Bit Fusion: no tiling of layer conv1 fits the SRAMs");
  EXPECT_EQ(ConfigErrorOf([&] {
              BitFusionModel(net, Batch(1)).Evaluate({2, 2, 2, 2}, 0);
            }),
            "Bit Fusion: activation bits 0 outside 1..8");
  EXPECT_EQ(ConfigErrorOf([&] { BitFusionModel({}, Batch(1)); }),
            "Bit Fusion: a network needs at least one layer");
}

}  // namespace
}  // namespace tessel
