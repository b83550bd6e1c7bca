// The plain loops, independent of Halide, that every compiled kernel is checked against:
// shared by the operator templates and the network reference executor.
#pragma once

#include <span>
#include <vector>

#include "problems/schedule/workload.h"

namespace tessel {

// Input and output in shape.layout (NCHW or NHWC), OIHW weights (k, c / groups, r, s); the
// output without bias.
std::vector<float> ReferenceConv2d(const Conv2dShape& shape, std::span<const float> input,
                                   std::span<const float> weights);

// An activation of logical shape {n, c, h, w} stored in `from`, stored in `to`.
std::vector<float> ReorderActivation(std::span<const float> data, int64_t n, int64_t c, int64_t h,
                                     int64_t w, TensorLayout from, TensorLayout to);

// (n, in) input, (out, in) weights; (n, out) output without bias, summed in double.
std::vector<float> ReferenceDense(const DenseShape& shape, std::span<const float> input,
                                  std::span<const float> weights);

}  // namespace tessel
