// The plain loops, independent of Halide, that every compiled kernel is checked against:
// shared by the operator templates and the network reference executor.
#pragma once

#include <span>
#include <vector>

#include "problems/schedule/workload.h"

namespace tessel {

// NCHW input, OIHW weights (k, c / groups, r, s); NCHW output without bias.
std::vector<float> ReferenceConv2d(const Conv2dShape& shape, std::span<const float> input,
                                   std::span<const float> weights);

// (n, in) input, (out, in) weights; (n, out) output without bias, summed in double.
std::vector<float> ReferenceDense(const DenseShape& shape, std::span<const float> input,
                                  std::span<const float> weights);

}  // namespace tessel
