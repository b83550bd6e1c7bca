#include "problems/quant/stripes_model.h"

#include <string>

#include "core/error.h"

namespace tessel {
namespace {

constexpr int kStripesMaxBits = 16;  // DaDianNao's fixed-point width, Stripes' widest

void CheckBits(int bits) {
  if (bits < 1 || bits > kStripesMaxBits) {
    throw ConfigError("Stripes: weight bits " + std::to_string(bits) + " outside 1.." +
                      std::to_string(kStripesMaxBits));
  }
}

void CheckNetwork(const std::vector<QuantLayer>& layers, const std::vector<int>& weight_bits) {
  if (layers.empty()) throw ConfigError("Stripes: a network needs at least one layer");
  if (weight_bits.size() != layers.size()) {
    throw ConfigError("Stripes: " + std::to_string(weight_bits.size()) + " weight bitwidths for " +
                      std::to_string(layers.size()) + " layers");
  }
  for (int bits : weight_bits) CheckBits(bits);
}

}  // namespace

int64_t StripesLayerCycles(const QuantLayer& layer, int weight_bits, int64_t lanes) {
  CheckBits(weight_bits);
  if (lanes < 1) throw ConfigError("Stripes: lanes must be positive");
  const int64_t serial_steps = layer.macs() * weight_bits;  // one per bit of every product
  return (serial_steps + lanes - 1) / lanes;
}

int64_t StripesCycles(const std::vector<QuantLayer>& layers, const std::vector<int>& weight_bits,
                      int64_t lanes) {
  CheckNetwork(layers, weight_bits);
  int64_t cycles = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    cycles += StripesLayerCycles(layers[i], weight_bits[i], lanes);
  }
  return cycles;
}

double StripesSpeedup(const std::vector<QuantLayer>& layers, const std::vector<int>& weight_bits) {
  CheckNetwork(layers, weight_bits);
  int64_t macs = 0, bit_macs = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    macs += layers[i].macs();
    bit_macs += layers[i].macs() * weight_bits[i];
  }
  if (bit_macs == 0) throw ConfigError("Stripes: the network has no multiply-adds");
  return static_cast<double>(kStripesBaselineBits * macs) / static_cast<double>(bit_macs);
}

}  // namespace tessel
