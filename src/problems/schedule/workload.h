// Operators and their shapes (batch 1 unless n= is given), exact FLOP counts, and the
// command-line spec form: conv2d:c=64,h=56,w=56,k=64,r=3,s=3,stride=1,pad=1[,groups=1]
// [,layout=nhwc] or dense:in=512,out=1000. Layouts: NCHW (or NHWC) activations, OIHW weights,
// row-major dense weights.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace tessel {

// How a convolution's input and output activations lie in memory. Shapes and coordinates are
// NCHW either way; NHWC stores a pixel's channels together ("channels last", oneDNN's nhwc and
// the limit of its blocked nChw16c with one block of all channels), so that vectors along
// channels are contiguous for every layer of a network kept in it.
enum class TensorLayout { kNchw, kNhwc };

struct Conv2dShape {
  int64_t n = 1;  // batch
  int64_t c = 0;  // input channels
  int64_t h = 0;  // input height
  int64_t w = 0;  // input width
  int64_t k = 0;  // output channels
  int64_t r = 0;  // kernel height
  int64_t s = 0;  // kernel width
  int64_t stride = 1;
  int64_t pad = 0;
  int64_t groups = 1;
  TensorLayout layout = TensorLayout::kNchw;  // of the input, the output and the residual

  int64_t out_h() const { return (h + 2 * pad - r) / stride + 1; }
  int64_t out_w() const { return (w + 2 * pad - s) / stride + 1; }
  int64_t channels_per_group() const { return c / groups; }
  bool operator==(const Conv2dShape&) const = default;
};

struct DenseShape {
  int64_t n = 1;    // batch
  int64_t in = 0;   // input features
  int64_t out = 0;  // output features
  bool operator==(const DenseShape&) const = default;
};

using Workload = std::variant<Conv2dShape, DenseShape>;

// Multiply-adds count two FLOPs; padding taps are counted, as oneDNN and TVM count them.
double Flops(const Workload& workload);

// Canonical spec text; ParseWorkloadSpec(WorkloadSpec(w)) == w.
std::string WorkloadSpec(const Workload& workload);

// Throws tessel::Error naming the problem for unknown operators, unknown or missing keys,
// non-positive sizes, kernels larger than the padded input, channels not divisible by groups,
// or tensors too large for Halide (CheckWorkloadTensors). The answer does not depend on the
// machine: records written elsewhere read back the same.
Workload ParseWorkloadSpec(std::string_view spec);

// Throws ConfigError when one of the workload's tensors (input, padded input, weights, output)
// exceeds the 2 GiB a Halide buffer can address.
void CheckWorkloadTensors(const Workload& workload);

// CheckWorkloadTensors, then, before anything is allocated, throws ConfigError when measuring
// the workload (the data, the reference output and a kernel's output) would need more than
// half of `memory_bytes` (when 0, the memory this process may use: UsableMemoryBytes).
void CheckWorkloadFits(const Workload& workload, uint64_t memory_bytes = 0);

// "nchw" or "nhwc".
std::string_view TensorLayoutName(TensorLayout layout);

// "conv2d" or "dense".
std::string OperatorName(const Workload& workload);

}  // namespace tessel
