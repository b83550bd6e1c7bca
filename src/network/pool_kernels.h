// Compiled kernels for the layers between a network's convolutions: pooling, in and out in
// one layout (NCHW: parallel over channels and vectorised along rows; NHWC: parallel over
// rows and vectorised along channels), as a network runtime would have them, and the layout
// transform. Shapes are {N, C, H, W} whatever the layout; the buffers must outlive the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

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
                                        const Nchw& in, float* output, const Nchw& out,
                                        TensorLayout layout = TensorLayout::kNchw);

// Output {N, C, 1, 1} (the same in either layout): each plane's mean.
std::unique_ptr<Kernel> BuildGlobalAvgPoolKernel(const float* input, const Nchw& in, float* output,
                                                 TensorLayout layout = TensorLayout::kNchw);

// The tensor stored in `from` at `input`, stored in `to` at `output`.
std::unique_ptr<Kernel> BuildLayoutTransformKernel(const float* input, const Nchw& shape,
                                                   TensorLayout from, float* output,
                                                   TensorLayout to);

}  // namespace tessel
