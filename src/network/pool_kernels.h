// Compiled kernels for the pooling layers between a network's convolutions: NCHW in and
// out, parallel over channels and vectorised along rows, as a network runtime would have
// them. Shapes are {N, C, H, W}; the buffers must outlive the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "problems/schedule/operator_template.h"

namespace tessel {

enum class PoolKind {
  kMax,                 // padding never wins
  kAverage,             // divided by the taps inside the input
  kAverageCountingPad,  // divided by the taps inside the padded input
};

struct PoolWindow {
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t pad = 0;
};

using Nchw = std::array<int64_t, 4>;

std::unique_ptr<Kernel> BuildPoolKernel(PoolKind kind, const PoolWindow& window, const float* input,
                                        const Nchw& in, float* output, const Nchw& out);

// Output {N, C, 1, 1}: each plane's mean.
std::unique_ptr<Kernel> BuildGlobalAvgPoolKernel(const float* input, const Nchw& in, float* output);

}  // namespace tessel
