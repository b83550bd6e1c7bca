// The port follows the simulator's cost path: Simulator.get_conv_cycles (simulator.py:406-469)
// runs optimize_for_order (optimizer.py:258-291), which keeps the best result of
// _optimize_for_order (optimizer.py:418-501) over all loop orders, each scoring tilings with
// get_stats_fast (optimizer.py:34-256). docs/quant_hardware.md has the line-by-line account.
#include "problems/quant/bitfusion_model.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace tessel {
namespace {

// The tile loops of optimizer.py:260, in its order: batch, output columns, output rows, input
// channels, output channels.
enum Loop { kBatch, kOutWidth, kOutHeight, kInChannels, kOutChannels, kNumLoops };
// The tensors held on chip, each in its own SRAM.
enum Buffer { kWeights, kActivations, kOutputs, kNumBuffers };

// optimizer.py:18-23 (tile_deps): whether a loop indexes a buffer's tensor, so that running
// it again needs a new tile of that tensor.
constexpr bool kLoopIndexes[kNumLoops][kNumBuffers] = {
    // weights, activations, outputs
    {false, true, true},  // B/b
    {false, true, true},  // OW/ow
    {false, true, true},  // OH/oh
    {true, true, false},  // IC/ic
    {true, false, true},  // OC/oc
};

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The smallest n with 2^n >= value: the simulator's int(math.ceil(log2(value))). Its log2 is a
// quotient of floating-point logarithms, which may overshoot an exact power of two by one; the
// extra tile size that adds is clamped to the full extent and changes nothing.
int CeilLog2(int64_t value) {
  int n = 0;
  while ((int64_t{1} << n) < value) ++n;
  return n;
}

// A layer as get_conv_cycles sees it (a dense layer is a 1x1 convolution of a 1x1 input,
// simulator.py:379-398), with the bitwidths and the array's throughput factor.
struct Problem {
  int64_t kernel, stride, out_height, out_width, in_channels, out_channels, batch;
  int64_t activation_bits, weight_bits, output_bits;
  bool im2col;
  int64_t cols;       // M: output channels computed side by side
  int64_t products;   // N x perf_factor: input channels summed per column per cycle
  int64_t dram_bits;  // if_width
  int64_t half_sram_bits[kNumBuffers];  // each SRAM holds two tiles (double buffering)
};

// Accelerator.get_perf_factor (accelerator.py:61-64): multiply-adds per fusion unit per cycle.
int64_t PerfFactor(int activation_bits, int weight_bits, const BitFusionConfig& config) {
  return (config.max_bits / std::max(activation_bits, config.min_bits)) *
         (config.max_bits / std::max(weight_bits, config.min_bits));
}

struct Tiling {
  int64_t count[kNumLoops];  // how many tiles the loop runs over
  int64_t size[kNumLoops];   // the extent of one tile
};

// Accelerator.get_compute_cycles (accelerator.py:67-93) for one tile.
int64_t TileComputeCycles(const Problem& p, const Tiling& t) {
  const int64_t b = t.size[kBatch], ow = t.size[kOutWidth], oh = t.size[kOutHeight];
  const int64_t ic = t.size[kInChannels], oc = t.size[kOutChannels];
  if (p.im2col) {
    return b * oh * ow * CeilDiv(oc, p.cols) * CeilDiv(p.kernel * p.kernel * ic, p.products);
  }
  return b * CeilDiv(oc, p.cols) * ow * oh * p.kernel * p.kernel * CeilDiv(ic, p.products);
}

// What get_stats_fast computes for a tiling before it walks the loop order: the tile of each
// buffer, the SRAM reads and writes of the array's inner loops, and the compute cycles.
struct TileCost {
  int64_t fill[kNumBuffers];  // bits per tile written into each SRAM from DRAM
  int64_t drain;              // bits per output tile read back out of the output SRAM
  int64_t act_reads, wgt_reads, out_reads, out_writes;
  int64_t compute_cycles;
  int64_t num_tiles;
};

// optimizer.py:54-77: the bits one tile of each buffer takes.
void SetFills(const Problem& p, const Tiling& t, TileCost& cost) {
  const int64_t b = t.size[kBatch], ow = t.size[kOutWidth], oh = t.size[kOutHeight];
  const int64_t ic = t.size[kInChannels], oc = t.size[kOutChannels];
  const int64_t k2 = p.kernel * p.kernel;
  // optimizer.py:54-64: both branches pad a column's reduction to whole passes of the array.
  cost.fill[kWeights] = CeilDiv(k2 * ic, p.products) * p.products * oc * p.weight_bits;
  if (p.im2col) {  // optimizer.py:65-68: every window's pixels, copied
    cost.fill[kActivations] = ow * oh * k2 * ic * b * p.activation_bits;
  } else {  // optimizer.py:70-73: the input rectangle the output tile reads
    const int64_t iw = p.kernel + (ow - 1) * p.stride, ih = p.kernel + (oh - 1) * p.stride;
    cost.fill[kActivations] = iw * ih * ic * b * p.activation_bits;
  }
  cost.fill[kOutputs] = ow * oh * CeilDiv(oc, p.cols) * p.cols * b * p.output_bits;
  cost.drain = cost.fill[kOutputs];
}

// optimizer.py:171-228: the SRAM reads and output writes of the array over all tiles, under the
// inner order the simulator estimates cheapest (on ties: input-, then output-stationary).
void SetArrayAccesses(const Problem& p, const Tiling& t, TileCost& cost) {
  const int64_t b = t.size[kBatch], ow = t.size[kOutWidth], oh = t.size[kOutHeight];
  const int64_t ic = t.size[kInChannels], oc = t.size[kOutChannels];
  const int64_t k2 = p.kernel * p.kernel;
  const int64_t is_loop = CeilDiv(oc, p.cols) * p.cols;
  const int64_t os_loop = p.im2col ? CeilDiv(ic * k2, p.products) * p.products
                                   : CeilDiv(ic, p.products) * p.products * k2;
  const int64_t ws_loop = b * oh * ow;
  const int64_t ib = p.activation_bits, wb = p.weight_bits, ob = p.output_bits;
  const int64_t is_energy = (os_loop * ws_loop) * (ib + is_loop * (wb + ob));
  const int64_t os_energy = (is_loop * ws_loop) * (ob + os_loop * (ib + wb));
  const int64_t ws_energy = (os_loop * is_loop) * (wb + ws_loop * (ib + ob));
  const int64_t min_energy = std::min({is_energy, ws_energy, os_energy});
  const int64_t macs_per_output = k2 * ic;  // kw x kh x ic
  const int64_t outputs = oc * oh * ow * b;
  const int64_t n = cost.num_tiles;
  if (is_energy == min_energy) {
    cost.act_reads = n * macs_per_output * oh * ow * b * ib;
    cost.out_reads = n * macs_per_output * oh * ow * b * oc * ob;
    cost.wgt_reads = n * macs_per_output * oh * ow * b * oc * wb;
  } else if (os_energy == min_energy) {
    cost.act_reads = n * outputs * macs_per_output * ib;
    cost.out_reads = n * outputs * ob;
    cost.wgt_reads = n * outputs * macs_per_output * wb;
  } else {
    cost.act_reads = n * macs_per_output * oc * b * ow * oh * ib;
    cost.out_reads = n * macs_per_output * oc * b * ow * oh * ob;
    cost.wgt_reads = n * macs_per_output * oc * wb;
  }
  cost.out_writes = cost.out_reads;
}

// Nothing when a tile overflows half of its SRAM (optimizer.py:79-102).
std::optional<TileCost> CostTile(const Problem& p, const Tiling& t) {
  TileCost cost;
  SetFills(p, t, cost);
  for (int buffer = 0; buffer < kNumBuffers; ++buffer) {
    if (cost.fill[buffer] > p.half_sram_bits[buffer]) return std::nullopt;
  }
  cost.num_tiles = 1;
  for (int loop = 0; loop < kNumLoops; ++loop) cost.num_tiles *= t.count[loop];
  SetArrayAccesses(p, t, cost);
  cost.compute_cycles = cost.num_tiles * TileComputeCycles(p, t);  // optimizer.py:244
  return cost;
}

// Stats.get_energy (stats.py:58-74) and get_energy_breakdown (stats.py:76-94), term by term in
// the simulator's order so that the floating-point sums are the same.
void AddEnergy(const BitFusionEnergyCosts& e, BitFusionLayerCost& c) {
  c.core_energy = static_cast<double>(c.compute_cycles) * e.core_per_cycle;
  double sram = static_cast<double>(c.wbuf_read_bits) * e.wbuf_read_per_bit;
  sram += static_cast<double>(c.wbuf_write_bits) * e.wbuf_write_per_bit;
  sram += static_cast<double>(c.ibuf_read_bits) * e.ibuf_read_per_bit;
  sram += static_cast<double>(c.ibuf_write_bits) * e.ibuf_write_per_bit;
  sram += static_cast<double>(c.obuf_read_bits) * e.obuf_read_per_bit;
  sram += static_cast<double>(c.obuf_write_bits) * e.obuf_write_per_bit;
  c.sram_energy = sram;
  c.dram_energy = static_cast<double>(c.dram_read_bits) * e.dram_per_bit;
  c.dram_energy += static_cast<double>(c.dram_write_bits) * e.dram_per_bit;
  double total = c.core_energy;
  total += static_cast<double>(c.wbuf_read_bits) * e.wbuf_read_per_bit;
  total += static_cast<double>(c.wbuf_write_bits) * e.wbuf_write_per_bit;
  total += static_cast<double>(c.ibuf_read_bits) * e.ibuf_read_per_bit;
  total += static_cast<double>(c.ibuf_write_bits) * e.ibuf_write_per_bit;
  total += static_cast<double>(c.obuf_read_bits) * e.obuf_read_per_bit;
  total += static_cast<double>(c.obuf_write_bits) * e.obuf_write_per_bit;
  total += static_cast<double>(c.dram_read_bits) * e.dram_per_bit;
  total += static_cast<double>(c.dram_write_bits) * e.dram_per_bit;
  c.total_energy = total;
}

// What get_stats_fast's walk over the tile loops (optimizer.py:111-169) leaves: the bits each
// SRAM fill and the output drain move in all, and the first fill and last drain, which the
// simulator does not overlap with compute (optimizer.py:230-238).
struct Traffic {
  int64_t fills[kNumBuffers];
  int64_t drains;
  int64_t first_fill, last_drain;
  int64_t stall_cycles;
};

// The walk from the innermost loop out. `inner_to_outer` lists the loops that run more than
// one tile; the others multiply nothing and change no promotion, so leaving them out of the
// order is exact. Then the stalls (optimizer.py:240-249): the traffic between the first fill
// and the last drain overlaps compute, the rest does not.
Traffic WalkLoops(const Problem& p, const Tiling& t, const TileCost& tile,
                  const std::vector<int>& inner_to_outer) {
  Traffic traffic;
  int64_t largest_fill[kNumBuffers];
  bool fill_hoisted[kNumBuffers];
  for (int buffer = 0; buffer < kNumBuffers; ++buffer) {
    traffic.fills[buffer] = largest_fill[buffer] = tile.fill[buffer];
    fill_hoisted[buffer] = true;
  }
  traffic.drains = traffic.last_drain = tile.drain;
  bool drain_hoisted = true;
  for (int loop : inner_to_outer) {
    const int64_t count = t.count[loop];
    // A fill stays hoisted above the loop while the loop does not index its tensor, or while
    // the grown tile still fits half of its SRAM; once it does not, every outer loop repeats
    // it (optimizer.py:122-136).
    for (int buffer = 0; buffer < kNumBuffers; ++buffer) {
      int64_t& fill = traffic.fills[buffer];
      if (!fill_hoisted[buffer]) {
        fill *= count;
      } else if (kLoopIndexes[loop][buffer]) {
        fill *= count;
        if (fill > p.half_sram_bits[buffer]) {
          fill_hoisted[buffer] = false;
        } else {
          largest_fill[buffer] = fill;
        }
      }
    }
    // The output drain likewise (optimizer.py:139-151), whose largest size the simulator takes
    // from the output fill, equal to it at every step.
    if (!drain_hoisted) {
      traffic.drains *= count;
    } else if (kLoopIndexes[loop][kOutputs]) {
      traffic.drains *= count;
      if (traffic.drains > p.half_sram_bits[kOutputs]) {
        drain_hoisted = false;
      } else {
        traffic.last_drain = traffic.fills[kOutputs];
      }
    }
  }
  traffic.first_fill = largest_fill[kWeights] + largest_fill[kActivations] + largest_fill[kOutputs];
  const int64_t dram_bits = traffic.fills[kWeights] + traffic.fills[kActivations] +
                            traffic.fills[kOutputs] + traffic.drains;
  const int64_t latency =
      CeilDiv(traffic.first_fill, p.dram_bits) + CeilDiv(traffic.last_drain, p.dram_bits);
  const int64_t overlapped =
      CeilDiv(dram_bits - traffic.first_fill - traffic.last_drain, p.dram_bits);
  traffic.stall_cycles = std::max<int64_t>(0, overlapped - tile.compute_cycles) + latency;
  return traffic;
}

// The simulator's Stats for a tiling and its loop order (optimizer.py:164-169, 206-228, 247-249).
BitFusionLayerCost CostOf(const TileCost& tile, const Traffic& traffic,
                          const BitFusionEnergyCosts& energy) {
  BitFusionLayerCost c;
  c.wbuf_write_bits = traffic.fills[kWeights];
  c.ibuf_write_bits = traffic.fills[kActivations];
  c.obuf_write_bits = traffic.fills[kOutputs] + tile.out_writes;
  c.obuf_read_bits = traffic.drains + tile.out_reads;
  c.wbuf_read_bits = tile.wgt_reads;
  c.ibuf_read_bits = tile.act_reads;
  c.dram_read_bits =
      traffic.fills[kWeights] + traffic.fills[kActivations] + traffic.fills[kOutputs];
  c.dram_write_bits = traffic.drains;
  c.compute_cycles = tile.compute_cycles;
  c.memory_stall_cycles = traffic.stall_cycles;
  c.total_cycles = c.compute_cycles + c.memory_stall_cycles;
  AddEnergy(energy, c);
  return c;
}

// optimizer.py:430-466: the tile sizes tried, powers of two (of the column count,
// for output channels without im2col) up to the full extent.
std::vector<int64_t> TileSizes(int64_t extent, int64_t unit) {
  std::vector<int64_t> sizes;
  const int steps = CeilLog2(CeilDiv(extent, unit));
  for (int step = 0; step <= steps; ++step) {
    sizes.push_back(std::min((int64_t{1} << step) * unit, extent));
  }
  return sizes;
}

// Tiles of b images, o x o outputs (clamped to each extent: the simulator's layers are square,
// o x o output tiles of an O x O output), ic input and oc output channels.
Tiling TilingOf(const Problem& p, int64_t b, int64_t o, int64_t ic, int64_t oc) {
  Tiling t;
  t.size[kBatch] = b;
  t.size[kOutWidth] = std::min(o, p.out_width);
  t.size[kOutHeight] = std::min(o, p.out_height);
  t.size[kInChannels] = ic;
  t.size[kOutChannels] = oc;
  t.count[kBatch] = CeilDiv(p.batch, b);
  t.count[kOutWidth] = CeilDiv(p.out_width, t.size[kOutWidth]);
  t.count[kOutHeight] = CeilDiv(p.out_height, t.size[kOutHeight]);
  t.count[kInChannels] = CeilDiv(p.in_channels, ic);
  t.count[kOutChannels] = CeilDiv(p.out_channels, oc);
  return t;
}

// The best result over every tiling and every order of its multi-tile loops.
std::optional<BitFusionLayerCost> SearchTilings(const Problem& p,
                                                const BitFusionEnergyCosts& energy) {
  const int64_t out_extent = std::max(p.out_height, p.out_width);
  const std::vector<int64_t> batch_sizes = TileSizes(p.batch, 1);
  const std::vector<int64_t> out_sizes = TileSizes(out_extent, 1);
  const std::vector<int64_t> in_channel_sizes = TileSizes(p.in_channels, 1);
  const std::vector<int64_t> out_channel_sizes = TileSizes(p.out_channels, p.im2col ? 1 : p.cols);
  std::optional<BitFusionLayerCost> best;
  std::vector<int> loops;
  for (int64_t b : batch_sizes) {
    for (int64_t o : out_sizes) {
      for (int64_t ic : in_channel_sizes) {
        for (int64_t oc : out_channel_sizes) {
          const Tiling t = TilingOf(p, b, o, ic, oc);
          const std::optional<TileCost> tile = CostTile(p, t);
          if (!tile) continue;
          loops.clear();
          for (int loop = 0; loop < kNumLoops; ++loop) {
            if (t.count[loop] > 1) loops.push_back(loop);
          }
          // The fewest cycles, then the least energy (optimizer.py:284-290, 487-493); the
          // energy is only worth computing for a candidate that is not slower.
          do {
            const Traffic traffic = WalkLoops(p, t, *tile, loops);
            const int64_t cycles = tile->compute_cycles + traffic.stall_cycles;
            if (best && cycles > best->total_cycles) continue;
            const BitFusionLayerCost cost = CostOf(*tile, traffic, energy);
            if (!best || cycles < best->total_cycles || cost.total_energy < best->total_energy) {
              best = cost;
            }
          } while (std::next_permutation(loops.begin(), loops.end()));
        }
      }
    }
  }
  return best;
}

void CheckConfig(const BitFusionConfig& config) {
  if (config.array_rows < 1 || config.array_cols < 1 || config.min_bits < 1 ||
      config.max_bits < config.min_bits || config.weight_sram_bytes < 1 ||
      config.activation_sram_bytes < 1 || config.output_sram_bytes < 1 ||
      config.dram_bits_per_cycle < 1 || config.output_bits < 1) {
    throw ConfigError("Bit Fusion: the array, bitwidths, buffers and DRAM width must be positive");
  }
  if (config.batch < 1) throw ConfigError("Bit Fusion: batch must be positive");
}

void CheckBits(int bits, const char* what, const BitFusionConfig& config) {
  if (bits < 1 || bits > config.max_bits) {
    throw ConfigError("Bit Fusion: " + std::string(what) + " bits " + std::to_string(bits) +
                      " outside 1.." + std::to_string(config.max_bits));
  }
}

void CheckOnePerLayer(const std::vector<int>& weight_bits, size_t layers) {
  if (weight_bits.size() != layers) {
    throw ConfigError("Bit Fusion: " + std::to_string(weight_bits.size()) +
                      " weight bitwidths for " + std::to_string(layers) + " layers");
  }
}

}  // namespace

BitFusionLayerCost& BitFusionLayerCost::operator+=(const BitFusionLayerCost& other) {
  compute_cycles += other.compute_cycles;
  memory_stall_cycles += other.memory_stall_cycles;
  total_cycles += other.total_cycles;
  wbuf_read_bits += other.wbuf_read_bits;
  wbuf_write_bits += other.wbuf_write_bits;
  ibuf_read_bits += other.ibuf_read_bits;
  ibuf_write_bits += other.ibuf_write_bits;
  obuf_read_bits += other.obuf_read_bits;
  obuf_write_bits += other.obuf_write_bits;
  dram_read_bits += other.dram_read_bits;
  dram_write_bits += other.dram_write_bits;
  core_energy += other.core_energy;
  sram_energy += other.sram_energy;
  dram_energy += other.dram_energy;
  total_energy += other.total_energy;
  return *this;
}

BitFusionLayerCost BitFusionLayer(const QuantLayer& layer, int weight_bits, int activation_bits,
                                  bool im2col, const BitFusionConfig& config) {
  CheckConfig(config);
  CheckBits(weight_bits, "weight", config);
  CheckBits(activation_bits, "activation", config);
  if (layer.out_height() < 1 || layer.out_width() < 1) {
    throw ConfigError("Bit Fusion: layer " + layer.name + " has no output");
  }
  const int64_t products =
      int64_t{config.array_rows} * PerfFactor(activation_bits, weight_bits, config);
  const Problem problem{
      .kernel = layer.kernel,
      .stride = layer.stride,
      .out_height = layer.out_height(),
      .out_width = layer.out_width(),
      .in_channels = layer.in_channels,
      .out_channels = layer.out_channels,
      .batch = config.batch,
      .activation_bits = activation_bits,
      .weight_bits = weight_bits,
      .output_bits = config.output_bits,
      .im2col = im2col,
      .cols = config.array_cols,
      .products = products,
      .dram_bits = config.dram_bits_per_cycle,
      .half_sram_bits = {config.weight_sram_bytes * 8 / 2, config.activation_sram_bytes * 8 / 2,
                         config.output_sram_bytes * 8 / 2},
  };
  const std::optional<BitFusionLayerCost> best = SearchTilings(problem, config.energy);
  if (!best) throw ConfigError("Bit Fusion: no tiling of layer " + layer.name + " fits the SRAMs");
  return *best;
}

BitFusionCost BitFusionNetwork(const std::vector<QuantLayer>& layers,
                               const std::vector<int>& weight_bits, int activation_bits,
                               const BitFusionConfig& config) {
  if (layers.empty()) throw ConfigError("Bit Fusion: a network needs at least one layer");
  CheckOnePerLayer(weight_bits, layers.size());
  BitFusionCost cost;
  for (size_t i = 0; i < layers.size(); ++i) {
    const bool im2col = i == 0 && layers[i].kind == QuantLayerKind::kConv;
    cost.layers.push_back(
        BitFusionLayer(layers[i], weight_bits[i], activation_bits, im2col, config));
    cost.total += cost.layers.back();
  }
  return cost;
}

BitFusionModel::BitFusionModel(std::vector<QuantLayer> layers, BitFusionConfig config)
    : layers_(std::move(layers)), config_(std::move(config)) {
  if (layers_.empty()) throw ConfigError("Bit Fusion: a network needs at least one layer");
  CheckConfig(config_);
  cache_.assign(
      layers_.size(),
      std::vector<std::vector<std::optional<BitFusionLayerCost>>>(
          config_.max_bits, std::vector<std::optional<BitFusionLayerCost>>(config_.max_bits)));
}

BitFusionCost BitFusionModel::Evaluate(const std::vector<int>& weight_bits,
                                       int activation_bits) const {
  CheckOnePerLayer(weight_bits, layers_.size());
  CheckBits(activation_bits, "activation", config_);
  for (int bits : weight_bits) CheckBits(bits, "weight", config_);
  BitFusionCost cost;
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::optional<BitFusionLayerCost>& cached = cache_[i][weight_bits[i] - 1][activation_bits - 1];
    if (!cached) {
      const bool im2col = i == 0 && layers_[i].kind == QuantLayerKind::kConv;
      cached = BitFusionLayer(layers_[i], weight_bits[i], activation_bits, im2col, config_);
    }
    cost.layers.push_back(*cached);
    cost.total += *cached;
  }
  return cost;
}

}  // namespace tessel
