#include "problems/quant/dorefa.h"

#include <cmath>

#include "core/error.h"

namespace tessel {
namespace {

constexpr int kFloatBits = 32;

// round(x) forward, identity backward: the straight-through estimator (Bengio, Léonard and
// Courville, "Estimating or Propagating Gradients Through Stochastic Neurons for Conditional
// Computation"), which DoReFa-Net trains with.
torch::Tensor RoundStraightThrough(const torch::Tensor& x) {
  return x + (torch::round(x) - x).detach();
}

}  // namespace

torch::Tensor QuantizeUnit(const torch::Tensor& x, int bits) {
  TESSEL_CHECK(bits >= 1 && bits < kFloatBits) << bits;
  const double levels = std::ldexp(1.0, bits) - 1;
  return RoundStraightThrough(x * levels) / levels;
}

torch::Tensor DoReFaWeights(const torch::Tensor& weights, int bits, bool restore_scale,
                            WeightScale scale) {
  if (bits >= kFloatBits) return weights;
  const torch::Tensor squashed = torch::tanh(weights);
  // An all-zero layer would divide by zero; any positive floor leaves it all zeros' level.
  const torch::Tensor largest = squashed.abs().max().clamp_min(1e-12);
  const torch::Tensor unit = squashed / (2 * largest) + 0.5;
  torch::Tensor quantized = 2 * QuantizeUnit(unit, bits) - 1;
  if (!restore_scale) return quantized;
  const torch::Tensor magnitude = weights.abs().detach();
  return quantized * (scale == WeightScale::kMaxAbs ? magnitude.max() : magnitude.mean());
}

torch::Tensor DoReFaActivations(const torch::Tensor& x, int bits) {
  if (bits <= 0 || bits >= kFloatBits) return x;
  return QuantizeUnit(torch::clamp(x, 0, 1), bits);
}

}  // namespace tessel
